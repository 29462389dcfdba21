from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOkrNewcomerTour(HttpCase):
    """What a newcomer meets first, in a real browser, as an OKR manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sales rights to read the orders the extra filter narrows.
        cls.user = new_test_user(
            cls.env,
            login="okr_newcomer_tour_user",
            groups="base.group_user,sales_team.group_sale_salesman,"
            "okr_order_management.group_okr_manager",
            tz="UTC",
        )
        cls.env["okr.cycle"].create(
            {
                "name": "Newcomer 2033 Q2",
                "date_start": "2033-04-01",
                "date_end": "2033-06-30",
            }
        )
        today = fields.Date.today()
        cycle = cls.env["okr.cycle"].create(
            {
                "name": "Newcomer cycle",
                "date_start": today - timedelta(days=30),
                "date_end": today + timedelta(days=60),
                "state": "active",
            }
        )
        cls.objective = cls.env["okr.objective"].create(
            {"name": "Newcomer objective", "cycle_id": cycle.id, "user_id": cls.user.id}
        )
        cls.key_result = cls.env["okr.key.result"].create(
            {
                "name": "Newcomer revenue",
                "objective_id": cls.objective.id,
                "user_id": cls.user.id,
                "source": "metric",
                "metric_id": cls.env["okr.metric"]
                .search([("code", "=", "revenue")])
                .id,
                "target_value": 1000.0,
            }
        )

    def test_generate_quarters(self):
        self.start_tour(
            "/odoo/action-okr_order_management.okr_cycle_action",
            "okr_newcomer_tour",
            login=self.user.login,
        )
        cycles = self.env["okr.cycle"].search(
            [("date_start", ">=", "2033-01-01"), ("date_end", "<=", "2033-12-31")]
        )
        self.assertEqual(
            sorted(cycles.mapped("name")),
            ["2033 Q1", "2033 Q3", "2033 Q4", "Newcomer 2033 Q2"],
        )

    def test_key_result_line_opens_its_form(self):
        self.assertEqual(self.key_result.status, "not_started")
        url = (
            "/odoo/action-okr_order_management.okr_objective_action/"
            f"{self.objective.id}"
        )
        self.start_tour(url, "okr_newcomer_key_result_tour", login=self.user.login)
        self.assertTrue(self.key_result.last_computed_at)
