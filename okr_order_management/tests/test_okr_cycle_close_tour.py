from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestOkrCycleCloseTour(HttpCase):
    """Closing a cycle through its wizard in a real browser, as an OKR
    manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="okr_close_tour_manager",
            groups="base.group_user,okr_order_management.group_okr_manager",
            tz="UTC",
        )
        today = fields.Date.today()
        # Ended ten days ago: nothing recorded from now on would count.
        cls.cycle = cls.env["okr.cycle"].create(
            {
                "name": "Tour close quarter",
                "date_start": today - timedelta(days=100),
                "date_end": today - timedelta(days=10),
                "state": "active",
            }
        )
        cls.next_cycle = cls.env["okr.cycle"].create(
            {
                "name": "Tour next quarter",
                "date_start": today - timedelta(days=9),
                "date_end": today + timedelta(days=80),
            }
        )
        cls.objective = cls.env["okr.objective"].create(
            {"name": "Tour: orders confirmed faster", "cycle_id": cls.cycle.id}
        )
        KeyResult = cls.env["okr.key.result"]
        cls.kr_done = KeyResult.create(
            {
                "name": "Tour assignment automated",
                "objective_id": cls.objective.id,
                "target_value": 10.0,
                "current_value": 10.0,
            }
        )
        cls.kr_missed = KeyResult.create(
            {
                "name": "Tour desk trained",
                "objective_id": cls.objective.id,
                "target_value": 10.0,
                "current_value": 4.0,
            }
        )

    def test_close_a_cycle_through_the_wizard(self):
        url = f"/odoo/action-okr_order_management.okr_cycle_action/{self.cycle.id}"
        self.start_tour(url, "okr_cycle_close_tour", login=self.manager.login)
        self.assertEqual(self.cycle.state, "closed")
        self.assertRecordValues(
            self.kr_done | self.kr_missed,
            [
                {
                    "final_score": 1.0,
                    "status": "achieved",
                    "miss_reason": False,
                    "miss_note": False,
                },
                {
                    "final_score": 0.4,
                    "status": "missed",
                    "miss_reason": "insufficient_resources",
                    "miss_note": "Two trainers left in November",
                },
            ],
        )
        self.assertEqual(self.objective.status, "missed")
        copy = self.env["okr.objective"].search(
            [("carried_from_id", "=", self.objective.id)]
        )
        self.assertEqual(copy.cycle_id, self.next_cycle)
        self.assertEqual(copy.key_result_ids.carried_from_id, self.kr_missed)
        self.assertEqual(copy.key_result_ids.start_value, 4.0)
