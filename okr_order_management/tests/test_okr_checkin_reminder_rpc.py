from datetime import date

from odoo.tests import HttpCase, tagged

from ..models.okr_key_result_reminder import CHECKIN_DUE
from .common import OkrCase, call_kw, create_okr_users


@tagged("post_install", "-at_install")
class TestOkrCheckinReminderRpc(HttpCase, OkrCase):
    """The reminders as a web client meets them, over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.cycle.state = "active"
        cls.objective = cls._create_objective(user_id=cls.alice.id)
        cls.key_result = cls._create_key_result(cls.objective, 48.0, 12.0)
        cls.activity_type = cls.env.ref(CHECKIN_DUE)

    def _reminders(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "okr.key.result"),
                ("res_id", "=", self.key_result.id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def test_a_checkin_over_json_rpc_marks_it_done(self):
        self.key_result.activity_schedule(CHECKIN_DUE, user_id=self.alice.id)
        self.assertEqual(len(self._reminders()), 1)
        self.authenticate(self.alice.login, self.alice.login)
        reply = call_kw(
            self,
            "okr.checkin",
            "create",
            [{"key_result_id": self.key_result.id, "value": 30.0}],
        )
        self.assertIn("result", reply, reply.get("error"))
        self.assertFalse(self._reminders())
        self.assertEqual(self.key_result.last_checkin_date, date.today())

    def test_a_plain_user_cannot_change_the_cadence(self):
        """Cycles are the managers' (the access table): a user's write of the
        cadence is refused and changes nothing; a manager's is stored."""
        self.authenticate(self.alice.login, self.alice.login)
        reply = call_kw(
            self, "okr.cycle", "write", [self.cycle.id], {"checkin_cadence": "monthly"}
        )
        self.assertEqual(
            reply["error"]["data"]["name"], "odoo.exceptions.AccessError", reply
        )
        self.assertEqual(self.cycle.checkin_cadence, "weekly")
        self.authenticate(self.manager.login, self.manager.login)
        reply = call_kw(
            self, "okr.cycle", "write", [self.cycle.id], {"checkin_cadence": "monthly"}
        )
        self.assertIs(reply.get("result"), True, reply)
        self.assertEqual(self.cycle.checkin_cadence, "monthly")
