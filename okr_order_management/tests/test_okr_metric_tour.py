from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

#: Untaxed amounts of the orders the tour user confirmed: 3 × 120 and 1 × 75.
EXPECTED_REVENUE = 3 * 120.0 + 75.0


@tagged("post_install", "-at_install")
class TestOkrMetricTour(HttpCase):
    """A metric key result in a real browser, as a salesperson: set it up,
    refresh it, read its history and open the orders behind its value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sales rights only to open the orders behind the value: computing
        # them needs none.
        cls.user = new_test_user(
            cls.env,
            login="okr_metric_tour_user",
            groups="base.group_user,sales_team.group_sale_salesman",
            name="Mei Lin",
            tz="UTC",
        )
        today = fields.Date.today()
        cls.cycle = cls.env["okr.cycle"].create(
            {
                "name": "Metric tour cycle",
                "date_start": today - timedelta(days=30),
                "date_end": today + timedelta(days=60),
                "state": "active",
            }
        )
        cls.objective = cls.env["okr.objective"].create(
            {
                "name": "Grow my order revenue",
                "cycle_id": cls.cycle.id,
                "user_id": cls.user.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "OKR Tour Widget", "taxes_id": [Command.clear()]}
        )
        Partner = cls.env["res.partner"]
        alpha = Partner.create({"name": "Tour Customer Alpha"})
        beta = Partner.create({"name": "Tour Customer Beta"})
        gamma = Partner.create({"name": "Tour Customer Gamma"})
        # The tour scopes the key result to the user's orders: the demo data
        # confirms orders of the main company on the day it is installed.
        cls.orders = cls._sell(alpha, 3, 120.0) | cls._sell(beta, 1, 75.0)
        # Left out: a quotation, and an order of another salesperson.
        cls._sell(gamma, 2, 50.0, confirm=False)
        cls._sell(gamma, 1, 1000.0, salesperson=cls.env.ref("base.user_admin"))

    @classmethod
    def _sell(cls, partner, qty, price, salesperson=None, confirm=True):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": (salesperson or cls.user).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    def test_metric_key_result(self):
        self.assertEqual(sum(self.orders.mapped("amount_untaxed")), EXPECTED_REVENUE)
        self.start_tour("/odoo", "okr_metric_key_result_tour", login=self.user.login)
        key_result = self.objective.key_result_ids
        self.assertEqual(len(key_result), 1)
        self.assertEqual(key_result.name, "Revenue from my orders this cycle")
        self.assertEqual(key_result.user_id, self.user)
        self.assertEqual(key_result.source, "metric")
        self.assertEqual(
            key_result.metric_id,
            self.env.ref("okr_order_management.okr_metric_revenue"),
        )
        self.assertEqual(key_result.window, "cycle")
        self.assertEqual(key_result.salesperson_id, self.user)
        self.assertFalse(key_result.compute_error)
        self.assertTrue(key_result.last_computed_at)
        self.assertAlmostEqual(key_result.current_value, EXPECTED_REVENUE)
        # Today's automatic check-in, after one per past day of the cycle.
        checkins = key_result.checkin_ids.sorted("date")
        self.assertEqual(set(checkins.mapped("source")), {"auto"})
        self.assertEqual(checkins[0].date, self.objective.cycle_id.date_start)
        self.assertEqual(len(checkins), len(set(checkins.mapped("date"))))
        self.assertAlmostEqual(checkins[-1].value, EXPECTED_REVENUE)
