from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOkrTour(HttpCase):
    """The main screen flow in a real browser, as a plain OKR user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="okr_tour_user", groups="base.group_user", tz="UTC"
        )
        cls.env["okr.cycle"].create(
            {
                "name": "Tour cycle",
                "date_start": "2000-01-01",
                "date_end": "2999-12-31",
                "state": "active",
            }
        )

    def test_objective_key_result_checkin(self):
        self.start_tour("/odoo", "okr_objective_tour", login=self.user.login)
        objective = self.env["okr.objective"].search(
            [("name", "=", "Cut order confirmation time")]
        )
        self.assertEqual(objective.user_id, self.user)
        self.assertAlmostEqual(objective.progress, 50.0)
        checkin = objective.key_result_ids.checkin_ids
        self.assertEqual(checkin.user_id, self.user)
        self.assertEqual(checkin.value, 30.0)
        self.assertEqual(checkin.note, "Automatic assignment is live")

    def test_closed_cycle_is_read_only(self):
        cycle = self.env["okr.cycle"].create(
            {
                "name": "Closed quarter",
                "date_start": "2026-07-01",
                "date_end": "2026-09-30",
            }
        )
        objective = self.env["okr.objective"].create(
            {
                "name": "Closed quarter objective",
                "cycle_id": cycle.id,
                "user_id": self.user.id,
            }
        )
        self.env["okr.key.result"].create(
            {
                "name": "Closed quarter key result",
                "objective_id": objective.id,
                "target_value": 10.0,
                "user_id": self.user.id,
            }
        )
        cycle.state = "closed"
        url = f"/odoo/action-okr_order_management.okr_objective_action/{objective.id}"
        self.start_tour(url, "okr_closed_cycle_tour", login=self.user.login)
