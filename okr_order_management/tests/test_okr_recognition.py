from odoo import SUPERUSER_ID, Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import Q4_MIDDLE, OkrCase, call_kw, create_okr_users
from .metric_common import MetricCase, local

BADGE = "okr_order_management.gamification_badge_objective_achieved"


class RecognitionMixin:
    """Checks of what the addon posts and grants when OKRs are achieved."""

    def announcements(self, record):
        """The messages announcing ``record``'s achievement."""
        odoobot = self.env["res.users"].browse(SUPERUSER_ID).partner_id
        return record.message_ids.filtered(
            lambda message: (
                message.author_id == odoobot
                and message.message_type == "comment"
                and "achieved" in message.body
            )
        )

    def badges(self, user):
        return self.env["gamification.badge.user"].search(
            [("badge_id", "=", self.env.ref(BADGE).id), ("user_id", "=", user.id)]
        )

    @classmethod
    def department_with_manager(cls, company, member):
        """A department of ``company`` managed by a new user's employee, with
        ``member``'s employee in it; return the manager user."""
        manager = new_test_user(
            cls.env,
            login=f"okr_head_{company.id}",
            groups="base.group_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        Employee = cls.env["hr.employee"].with_company(company)
        head = Employee.create(
            {
                "name": "Head of Sales Ops",
                "user_id": manager.id,
                "company_id": company.id,
            }
        )
        department = cls.env["hr.department"].create(
            {
                "name": "Sales Operations",
                "company_id": company.id,
                "manager_id": head.id,
            }
        )
        head.department_id = department
        Employee.create(
            {
                "name": member.name,
                "user_id": member.id,
                "company_id": company.id,
                "department_id": department.id,
            }
        )
        return manager


@tagged("post_install", "-at_install")
class TestOkrRecognition(RecognitionMixin, OkrCase):
    """Achieving a key result or an objective is announced once, to the
    followers and the owner's department manager; an objective earns its
    owner the “Objective achieved” badge, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.head = cls.department_with_manager(cls.company, cls.alice)
        cls.objective = cls._create_objective(user_id=cls.alice.id)
        cls.key_result = cls._create_key_result(
            cls.objective, 0.0, 40.0, name="Orders entered the same day", unit="%"
        )
        for record in (cls.objective, cls.key_result):
            record.message_subscribe(cls.bob.partner_id.ids)

    def _checkin(self, value):
        with freeze_time(Q4_MIDDLE):
            self.env["okr.checkin"].with_user(self.alice).create(
                {"key_result_id": self.key_result.id, "value": value}
            )
            self.env.flush_all()

    def test_achievement_announced_and_badge_granted_once(self):
        self._checkin(40.0)
        self.assertEqual(self.key_result.status, "achieved")
        self.assertEqual(self.objective.status, "achieved")
        for record in (self.key_result, self.objective):
            message = self.announcements(record)
            self.assertEqual(len(message), 1, record._name)
            self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
            # The manager hears of it, without following; so do followers.
            self.assertIn(self.head.partner_id, message.partner_ids)
            self.assertLessEqual(
                self.head.partner_id | self.bob.partner_id,
                message.notification_ids.res_partner_id,
            )
            self.assertTrue(record.achieved_notified_at)
        self.assertIn(
            "reached its target (40 %)", self.announcements(self.key_result).body
        )
        self.assertIn(
            f"Congratulations, {self.alice.name}",
            self.announcements(self.objective).body,
        )
        badge = self.badges(self.alice)
        self.assertEqual(len(badge), 1)
        self.assertEqual(badge.sender_id.id, SUPERUSER_ID)
        self.assertEqual(badge.employee_id, self.alice.employee_ids)
        # The employee profile shows it (hr_gamification).
        self.assertIn(badge, self.alice.employee_ids.badge_ids)
        # Falling back and achieving again congratulates nobody twice.
        self._checkin(20.0)
        self.assertEqual(self.objective.status, "on_track")
        self._checkin(45.0)
        self.assertEqual(self.objective.status, "achieved")
        self.assertEqual(len(self.announcements(self.key_result)), 1)
        self.assertEqual(len(self.announcements(self.objective)), 1)
        self.assertEqual(self.badges(self.alice), badge)

    def test_a_manager_owner_is_not_told_twice(self):
        objective = self._create_objective("Heads' own", user_id=self.head.id)
        key_result = self._create_key_result(objective, 0.0, 10.0, name="Head's KR")
        with freeze_time(Q4_MIDDLE):
            self.env["okr.checkin"].with_user(self.head).create(
                {"key_result_id": key_result.id, "value": 10.0}
            )
            self.env.flush_all()
        message = self.announcements(objective)
        self.assertEqual(len(message), 1)
        self.assertFalse(message.partner_ids, "the owner manages the department")
        self.assertEqual(len(self.badges(self.head)), 1)

    def test_owner_without_employee_is_recognised(self):
        objective = self._create_objective("Bob's", user_id=self.bob.id)
        key_result = self._create_key_result(objective, 0.0, 10.0, name="Bob's KR")
        with freeze_time(Q4_MIDDLE):
            self.env["okr.checkin"].with_user(self.bob).create(
                {"key_result_id": key_result.id, "value": 10.0}
            )
            self.env.flush_all()
        self.assertEqual(len(self.announcements(objective)), 1)
        badge = self.badges(self.bob)
        self.assertEqual(len(badge), 1)
        self.assertFalse(badge.employee_id)

    def test_a_withdrawn_badge_is_not_granted(self):
        self.env.ref(BADGE).active = False
        self._checkin(40.0)
        self.assertEqual(len(self.announcements(self.objective)), 1)
        self.assertFalse(self.badges(self.alice))

    def test_badge_cannot_be_sent_by_users(self):
        with self.assertRaisesRegex(UserError, "can not be sent by users"):
            self.env["gamification.badge.user"].with_user(self.manager).create(
                {"badge_id": self.env.ref(BADGE).id, "user_id": self.manager.id}
            )

    def test_users_cannot_write_the_announcement_date(self):
        objective = self.objective.with_user(self.alice)
        for record in (objective, self.key_result.with_user(self.alice)):
            with self.assertRaisesRegex(UserError, "set by the addon only"):
                record.write({"achieved_notified_at": "2026-11-01 10:00:00"})
        with self.assertRaisesRegex(UserError, "set by the addon only"):
            objective.create(
                {
                    "name": "Already announced",
                    "cycle_id": self.cycle.id,
                    "achieved_notified_at": "2026-11-01 10:00:00",
                }
            )
        self.assertFalse(self.objective.achieved_notified_at)


@tagged("post_install", "-at_install")
class TestOkrRecognitionRecompute(RecognitionMixin, MetricCase):
    """A metric key result going back and forth across its target at every
    recompute is announced once, and its objective's badge granted once."""

    def test_recompute_cycles_announce_once(self):
        owner = self.company_user("okr_revenue_owner", "base.group_user")
        head = self.department_with_manager(self.company, owner)
        objective = self.own_objective(owner)
        key_result = self.key_result(
            "revenue", "cycle_to_date", objective_id=objective.id, target_value=100.0
        )
        order = self.sell(self.customer_a, local(2026, 10, 5, 10, 0), price=120.0)
        KeyResult = self.env["okr.key.result"]
        with self.at(local(2026, 11, 16, 9, 0)):
            KeyResult._cron_recompute()
        self.assertEqual(objective.status, "achieved")
        announced = self.announcements(objective)
        self.assertEqual(len(announced), 1)
        self.assertIn(head.partner_id, announced.partner_ids)
        self.assertEqual(len(self.announcements(key_result)), 1)
        self.assertEqual(len(self.badges(owner)), 1)
        # Stays achieved, drops below the target, reaches it again.
        with self.at(local(2026, 11, 16, 10, 0)):
            KeyResult._cron_recompute()
        self.cancel(order, local(2026, 11, 16, 11, 0))
        with self.at(local(2026, 11, 16, 12, 0)):
            KeyResult._cron_recompute()
        self.assertEqual(key_result.current_value, 0.0)
        self.assertNotEqual(objective.status, "achieved")
        self.sell(self.customer_b, local(2026, 11, 17, 10, 0), price=150.0)
        with self.at(local(2026, 11, 17, 12, 0)):
            KeyResult._cron_recompute()
        self.assertEqual(objective.status, "achieved")
        self.assertEqual(self.announcements(objective), announced)
        self.assertEqual(len(self.announcements(key_result)), 1)
        self.assertEqual(len(self.badges(owner)), 1)


@tagged("post_install", "-at_install")
class TestOkrRecognitionRpc(HttpCase, OkrCase):
    """A plain OKR user cannot write the announcement date over JSON-RPC, not
    even on their own objective: nobody fakes or silences a recognition."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.objective = cls._create_objective("Alice's", user_id=cls.alice.id)
        cls.key_result = cls._create_key_result(cls.objective, 0.0, 10.0)

    def test_announcement_date_refused_over_rpc(self):
        self.authenticate(self.alice.login, self.alice.login)
        moment = "2026-11-01 10:00:00"
        for record in (self.objective, self.key_result):
            reply = call_kw(
                self,
                record._name,
                "write",
                record.ids,
                {"achieved_notified_at": moment},
            )
            self.assertIn("set by the addon only", reply["error"]["data"]["message"])
        reply = call_kw(
            self,
            "okr.objective",
            "create",
            {
                "name": "Announced already",
                "cycle_id": self.cycle.id,
                "achieved_notified_at": moment,
            },
        )
        self.assertIn("set by the addon only", reply["error"]["data"]["message"])
        self.assertFalse(self.objective.achieved_notified_at)
        self.assertFalse(self.key_result.achieved_notified_at)
        self.assertFalse(
            self.env["okr.objective"].search([("name", "=", "Announced already")])
        )
