import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomerSatisfactionTour(HttpCase):
    """Issue 9d: a customer opens the rating link of a delivery, on Odoo's
    public route, and the satisfaction key result moves after Refresh."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.salesperson = new_test_user(
            env,
            login="okr_satisfaction_tour_user",
            groups="base.group_user,sales_team.group_sale_salesman",
            name="Zhao Lei",
            tz="UTC",
        )
        env.company.write({"okr_rating_request": True, "okr_rating_delay_hours": 0})
        cls.customer = env["res.partner"].create(
            {"name": "Satisfaction Customer", "email": "customer@example.com"}
        )
        cls.product = env["product.product"].create(
            {"name": "OKR Satisfaction Widget", "type": "consu"}
        )
        today = fields.Date.today()
        cycle = env["okr.cycle"].create(
            {
                "name": "Satisfaction tour cycle",
                "date_start": today - timedelta(days=30),
                "date_end": today + timedelta(days=60),
                "state": "active",
            }
        )
        objective = (
            env["okr.objective"]
            .with_user(cls.salesperson)
            .create({"name": "My customers are happy", "cycle_id": cycle.id})
        )
        cls.key_result = (
            env["okr.key.result"]
            .with_user(cls.salesperson)
            .create(
                {
                    "name": "Satisfied customers of my orders",
                    "objective_id": objective.id,
                    "source": "metric",
                    "metric_id": env.ref(
                        "okr_order_management.okr_metric_customer_satisfaction"
                    ).id,
                    "salesperson_id": cls.salesperson.id,
                    "window": "rolling",
                    "window_days": 28,
                    "target_type": "at_least",
                    "start_value": 0.0,
                    "target_value": 90.0,
                }
            )
        )

    def _delivered_and_asked(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesperson.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        order.action_confirm()
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        self.env["stock.picking"]._cron_send_okr_rating_requests()
        mail = self.env["mail.mail"].search(
            [("subject", "ilike", order.name), ("body_html", "ilike", "/rate/")]
        )
        return order, mail.ensure_one()

    def test_customer_rates_from_the_link(self):
        _first, mail = self._delivered_and_asked()
        [token] = re.findall(r"/rate/([\w-]+)/1", str(mail.body_html))
        self.assertEqual(self.url_open(f"/rate/{token}/1").status_code, 200)
        self.key_result.sudo()._okr_recompute()
        self.assertEqual(self.key_result.current_value, 0.0)

        order, mail = self._delivered_and_asked()
        [token] = re.findall(r"/rate/([\w-]+)/5", str(mail.body_html))
        # The customer is not logged in: Odoo's public route.
        self.authenticate(None, None)
        response = self.url_open(f"/rate/{token}/5")
        self.assertEqual(response.status_code, 200)
        [rating] = order.rating_ids
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating_text, "top")
        self.assertEqual(self.key_result.current_value, 0.0, "not before Refresh")
        self.start_tour(
            f"/odoo/action-okr_order_management.okr_key_result_action/"
            f"{self.key_result.id}",
            "okr_satisfaction_tour",
            login=self.salesperson.login,
        )
        self.key_result.invalidate_recordset()
        self.assertEqual(self.key_result.current_value, 50.0)
