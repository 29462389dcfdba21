from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import call_kw


@tagged("post_install", "-at_install")
class TestOrdersAtRiskTour(HttpCase):
    """Orders at Risk as a salesperson, in a real browser and over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env,
            login="okr_risk_tour_user",
            groups="base.group_user,sales_team.group_sale_salesman",
            name="Wang Fang",
            tz="UTC",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "OKR Risk Widget", "type": "consu"}
        )
        now = fields.Datetime.now()
        cls.late = cls._sell("Risk Customer Late", now - timedelta(hours=30))
        cls.soon = cls._sell("Risk Customer Soon", now + timedelta(hours=20))
        cls.far = cls._sell("Risk Customer Far", now + timedelta(days=5))

    @classmethod
    def _sell(cls, customer, promised):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.env["res.partner"].create({"name": customer}).id,
                "user_id": cls.salesperson.id,
                "commitment_date": promised,
                "order_line": [Command.create({"product_id": cls.product.id})],
            }
        )
        order.action_confirm()
        return order

    def test_orders_at_risk_tour(self):
        # Demo orders of the salesperson's company are not theirs: the tour
        # sees its own three orders only.
        self.start_tour(
            "/odoo", "okr_orders_at_risk_tour", login=self.salesperson.login
        )
        activity = self.late.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.date_deadline, fields.Date.today())
        self.assertFalse(self.soon.activity_ids)

    def test_over_json_rpc(self):
        self.authenticate(self.salesperson.login, self.salesperson.login)
        reply = call_kw(
            self,
            "sale.order",
            "web_search_read",
            domain=[("okr_at_risk", "=", True)],
            specification={"okr_delay_hours": {}, "okr_key_result_count": {}},
            order="okr_promised_date, id",
        )
        records = reply["result"]["records"]
        self.assertEqual([r["id"] for r in records], [self.late.id, self.soon.id])
        self.assertAlmostEqual(records[0]["okr_delay_hours"], 30.0, delta=0.1)
        # Searched the wrong way: a message, not a crash.
        reply = call_kw(
            self,
            "sale.order",
            "search",
            [("okr_at_risk", "in", ["yes"])],
        )
        self.assertIn("At Risk", reply["error"]["data"]["message"])
        # The one click, twice: one activity.
        for _attempt in range(2):
            reply = call_kw(
                self, "sale.order", "action_okr_schedule_risk_activity", self.late.ids
            )
            self.assertIs(reply["result"], True)
        self.assertEqual(len(self.late.activity_ids), 1)

    def test_refused_to_a_user_without_sales_rights(self):
        clerk = new_test_user(
            self.env, login="okr_risk_clerk", groups="base.group_user"
        )
        self.authenticate(clerk.login, clerk.login)
        reply = call_kw(
            self, "sale.order", "action_okr_schedule_risk_activity", self.late.ids
        )
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertFalse(self.late.activity_ids)
