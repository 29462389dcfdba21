from contextlib import contextmanager
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, freeze_time, tagged

from .common import OkrCase, call_kw, create_okr_users

#: After the Q4 2026 cycle: its close evaluates it as of its last second.
AFTER_Q4 = datetime(2027, 1, 5, 9, 0)
CLOSED = "is closed: its objectives, key results and check-ins are read-only"


class CloseCase(OkrCase):
    """An active Q4 cycle of manual key results owned by Alice: a committed
    objective (10 of 10 and 6 of 10: progress 80 %) and an aspirational one
    (9 of 10 and 5 of 10: progress 70 %); the next quarter, in draft."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.company.partner_id.tz = "UTC"  # the company's days, in the asserts
        cls.cycle.state = "active"
        cls.committed = cls._create_objective(
            "Orders are confirmed faster", user_id=cls.alice.id
        )
        cls.kr_done = cls._create_key_result(
            cls.committed, 0.0, 10.0, 10.0, name="Automate order assignment"
        )
        cls.kr_short = cls._create_key_result(
            cls.committed, 0.0, 10.0, 6.0, name="Train the order desk"
        )
        cls.aspirational = cls._create_objective(
            "Customers love our service",
            user_id=cls.alice.id,
            commitment="aspirational",
        )
        cls.kr_high = cls._create_key_result(
            cls.aspirational, 0.0, 10.0, 9.0, name="Answer within the hour"
        )
        cls.kr_low = cls._create_key_result(
            cls.aspirational, 0.0, 10.0, 5.0, name="Satisfaction surveys"
        )
        cls.next_cycle = cls.env["okr.cycle"].create(
            {
                "name": "2027 Q1",
                "date_start": date(2027, 1, 1),
                "date_end": date(2027, 3, 31),
                "company_id": cls.company.id,
            }
        )
        cls.env.cr.flush()  # the chatters of the setup, before the tests

    def open_wizard(self, user=None, cycle=None):
        """The close wizard of ``cycle``, opened as ``user`` (the manager)."""
        user = user or self.manager
        cycle = (cycle or self.cycle).with_user(user)
        action = cycle.action_close()
        self.assertEqual(action["res_model"], "okr.cycle.close")
        self.assertEqual(action["target"], "new")
        return self.env["okr.cycle.close"].with_user(user).browse(action["res_id"])

    @contextmanager
    def assertRefused(self, exception, message):
        """Refused with ``message``, and rolled back as a client's call is."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(message, str(caught.exception))

    def line(self, wizard, key_result):
        return wizard.line_ids.filtered(lambda line: line.key_result_id == key_result)

    def close(self, **vals):
        """Close the cycle through the wizard, as the manager, after the cycle."""
        with freeze_time(AFTER_Q4):
            wizard = self.open_wizard()
            if vals:
                wizard.write(vals)
            return wizard, wizard.action_confirm()


@tagged("post_install", "-at_install")
class TestOkrCycleClose(CloseCase):
    """Scores, reasons, statuses, the lock and reopening."""

    def test_wizard_previews_each_key_result(self):
        self.enterContext(freeze_time(AFTER_Q4))
        wizard = self.open_wizard()
        self.assertEqual(wizard.cycle_id, self.cycle)
        self.assertEqual(
            wizard.line_ids.key_result_id,
            self.kr_done | self.kr_short | self.kr_high | self.kr_low,
        )
        expected = {
            # committed: missed under 1.0; aspirational: under 0.7
            self.kr_done: (10.0, 1.0, False),
            self.kr_short: (6.0, 0.6, True),
            self.kr_high: (9.0, 0.9, False),
            self.kr_low: (5.0, 0.5, True),
        }
        for key_result, (value, score, missed) in expected.items():
            with self.subTest(key_result=key_result.name):
                self.assertRecordValues(
                    self.line(wizard, key_result),
                    [
                        {
                            "final_value": value,
                            "final_score": score,
                            "missed": missed,
                            "miss_reason": "other",
                            "miss_note": False,
                        }
                    ],
                )
        self.assertEqual(wizard.missed_count, 2)
        self.assertEqual(wizard.next_cycle_id, self.next_cycle)
        # After the cycle (and no grace period): nothing is pending.
        self.assertFalse(wizard.grace_pending)
        self.assertEqual(wizard.evaluated_at, datetime(2026, 12, 31, 23, 59, 59))
        self.assertEqual(wizard.counted_until, datetime(2027, 1, 1))

    def test_close_freezes_scores_reasons_and_statuses(self):
        with freeze_time(AFTER_Q4):
            wizard = self.open_wizard()
            short = self.line(wizard, self.kr_short)
            short.write(
                {
                    "miss_reason": "target_too_high",
                    "miss_note": "Half the desk was on leave.",
                }
            )
            action = wizard.action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("4 key results frozen, 2 missed", action["params"]["message"])
        self.assertEqual(self.cycle.state, "closed")
        self.assertEqual(self.cycle.frozen_at, AFTER_Q4)
        self.assertEqual(self.cycle.evaluated_at, datetime(2026, 12, 31, 23, 59, 59))
        key_results = self.kr_done | self.kr_short | self.kr_high | self.kr_low
        self.assertRecordValues(
            key_results,
            [
                {
                    "final_value": 10.0,
                    "final_progress": 100.0,
                    "final_score": 1.0,
                    "status": "achieved",
                    "miss_reason": False,
                    "miss_note": False,
                },
                {
                    "final_value": 6.0,
                    "final_progress": 60.0,
                    "final_score": 0.6,
                    "status": "missed",
                    "miss_reason": "target_too_high",
                    "miss_note": "Half the desk was on leave.",
                },
                {
                    "final_value": 9.0,
                    "final_progress": 90.0,
                    "final_score": 0.9,
                    "status": "achieved",
                    "miss_reason": False,
                    "miss_note": False,
                },
                {
                    "final_value": 5.0,
                    "final_progress": 50.0,
                    "final_score": 0.5,
                    "status": "missed",
                    # left as it was: the defaults
                    "miss_reason": "other",
                    "miss_note": "Scored 0.50 where 0.7 was expected (Aspirational).",
                },
            ],
        )
        self.assertFalse(any(key_results.mapped("final_measure")), "manual ones")
        # A committed objective at 0.8 missed; an aspirational one at 0.7 did not.
        self.assertRecordValues(
            self.committed | self.aspirational,
            [
                {"score": 0.8, "status": "missed"},
                {"score": 0.7, "status": "achieved"},
            ],
        )
        # The cycle's chatter says so, once; the key results' do not repeat it.
        self.env.cr.flush()
        message = self.cycle.message_ids[:1]
        self.assertIn("Closed: 4 key results frozen", message.body)
        self.assertIn("2 missed", message.body)
        self.assertEqual(
            message.tracking_value_ids.mapped("old_value_char"), ["Active"]
        )
        self.assertEqual(
            message.tracking_value_ids.mapped("new_value_char"), ["Closed"]
        )
        self.assertFalse(
            self.kr_short.message_ids.tracking_value_ids.filtered(
                lambda tracking: (
                    tracking.field_id.name == "status"
                    and tracking.new_value_char == "Missed"
                )
            )
        )

    def test_closed_cycle_is_locked(self):
        self.close()
        checkin = {"key_result_id": self.kr_short.id, "value": 10.0}
        with self.assertRefused(UserError, CLOSED):
            self.env["okr.checkin"].with_user(self.alice).create(checkin)
        with self.assertRefused(UserError, CLOSED):
            self.kr_short.with_user(self.manager).target_value = 6.0
        with self.assertRefused(UserError, CLOSED):
            self.committed.with_user(self.manager).commitment = "aspirational"
        # Final values are the close's, even for a manager.
        for user in (self.alice, self.manager):
            for vals in (
                {"final_score": 1.0},
                {"final_value": 10.0},
                {"miss_reason": "external"},
                {"miss_note": "Not our fault"},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRefused(UserError, "set by the addon only"):
                        self.kr_short.with_user(user).write(vals)
        # A closed cycle is closed once; a manager cannot bypass the wizard.
        with self.assertRefused(UserError, "already closed"):
            self.open_wizard().action_confirm()
        self.assertEqual(self.kr_short.final_score, 0.6)
        self.assertEqual(self.kr_short.status, "missed")

    def test_closing_needs_the_wizard_and_a_manager(self):
        with self.assertRaises(AccessError):
            self.cycle.with_user(self.alice).action_close()
        with self.assertRaises(AccessError):
            self.env["okr.cycle.close"].with_user(self.alice).create(
                {"cycle_id": self.cycle.id}
            )
        wizard = self.open_wizard()
        with self.assertRaises(AccessError):
            wizard.with_user(self.alice).action_confirm()
        with self.assertRefused(UserError, "Close a cycle with its Close button"):
            self.cycle.with_user(self.manager).write({"state": "closed"})
        self.assertEqual(self.cycle.state, "active")
        self.assertFalse(self.kr_short.final_score)

    def test_reopen_then_close_again_freezes_anew(self):
        self.close()
        self.assertEqual(self.kr_short.status, "missed")
        with self.assertRaises(AccessError):
            self.cycle.with_user(self.alice).action_reopen()
        with freeze_time(date(2026, 11, 16)):
            self.cycle.with_user(self.manager).action_reopen()
            self.assertEqual(self.cycle.state, "active")
            self.assertFalse(self.cycle.frozen_at)
            # Live statuses again; the last close's numbers are kept.
            self.assertEqual(self.kr_short.status, "on_track")
            self.assertEqual(self.committed.status, "on_track")
            self.assertEqual(self.kr_short.final_score, 0.6)
            self.assertEqual(self.kr_short.miss_reason, "other")
            # Alice checks in again.
            self.env["okr.checkin"].with_user(self.alice).create(
                {"key_result_id": self.kr_short.id, "value": 10.0}
            )
        # The reopening is tracked in the cycle's chatter.
        self.env.cr.flush()
        tracking = self.cycle.message_ids.tracking_value_ids.filtered(
            lambda value: (
                value.new_value_char == "Active" and value.old_value_char == "Closed"
            )
        )
        self.assertEqual(tracking.mail_message_id.author_id, self.manager.partner_id)
        # Closing again freezes anew: the key result now achieved.
        with freeze_time(AFTER_Q4):
            wizard = self.open_wizard()
            line = self.line(wizard, self.kr_short)
            self.assertFalse(line.missed)
            self.assertEqual(line.miss_reason, "other", "its last close's")
            wizard.action_confirm()
        self.assertRecordValues(
            self.kr_short,
            [
                {
                    "final_value": 10.0,
                    "final_score": 1.0,
                    "status": "achieved",
                    "miss_reason": False,
                    "miss_note": False,
                }
            ],
        )
        self.assertEqual(self.committed.status, "achieved")
        self.assertEqual(self.kr_short.checkin_ids.mapped("value"), [10.0])

    def test_reset_to_draft_reopens_too(self):
        self.close()
        self.cycle.with_user(self.manager).action_reset_to_draft()
        self.assertEqual(self.cycle.state, "draft")
        self.assertFalse(self.cycle.frozen_at)
        self.assertNotEqual(self.kr_short.status, "missed")

    def test_archived_key_results_are_frozen_too(self):
        self.kr_low.active = False
        with freeze_time(AFTER_Q4):
            wizard = self.open_wizard()
            self.assertNotIn(self.kr_low, wizard.line_ids.key_result_id)
            wizard.action_confirm()
        self.assertRecordValues(
            self.kr_low, [{"final_score": 0.5, "status": "missed", "active": False}]
        )
        # Without it, the aspirational objective scores 0.9.
        self.assertEqual(self.aspirational.status, "achieved")

    def test_closing_before_the_end_warns(self):
        with freeze_time(datetime(2026, 12, 20, 10, 0)):
            wizard = self.open_wizard()
            self.assertTrue(wizard.grace_pending)
            self.assertEqual(wizard.evaluated_at, datetime(2026, 12, 20, 10, 0))
            form = Form(wizard)
            form.grace_hours = 12
            self.assertEqual(form.counted_until, datetime(2027, 1, 1, 12, 0))
            with self.assertRefused(ValidationError, "“Grace Period (h)” is -1"):
                wizard.grace_hours = -1


@tagged("post_install", "-at_install")
class TestOkrCycleCarryOver(CloseCase):
    """Unfinished objectives go on in the next cycle, with their key results
    not achieved and those key results' open tasks; the closed ones stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.aligned = cls._create_objective(
            "The order desk is trained",
            user_id=cls.bob.id,
            parent_id=cls.committed.id,
            level="department",
        )
        cls.kr_aligned = cls._create_key_result(
            cls.aligned, 0.0, 4.0, 1.0, name="Sessions held", user_id=cls.bob.id
        )
        Task = cls.env["project.task"]
        cls.open_task = Task.create(
            {"name": "Write the desk manual", "okr_key_result_id": cls.kr_short.id}
        )
        cls.done_task = Task.create(
            {
                "name": "Book the trainer",
                "okr_key_result_id": cls.kr_short.id,
                "state": "1_done",
            }
        )
        cls.env["okr.checkin"].with_user(cls.alice).create(
            {"key_result_id": cls.kr_short.id, "value": 6.0, "date": date(2026, 12, 1)}
        )

    def carried(self, objective):
        return self.env["okr.objective"].search(
            [("carried_from_id", "=", objective.id)]
        )

    def test_carry_over_into_the_next_cycle(self):
        wizard, _action = self.close(
            carry_objective_ids=[(6, 0, (self.committed | self.aligned).ids)]
        )
        self.assertEqual(self.cycle.state, "closed")
        copy = self.carried(self.committed)
        aligned_copy = self.carried(self.aligned)
        self.assertRecordValues(
            copy | aligned_copy,
            [
                {
                    "name": "Orders are confirmed faster",
                    "cycle_id": self.next_cycle.id,
                    "user_id": self.alice.id,
                    "commitment": "committed",
                    "parent_id": False,
                    "carried_from_id": self.committed.id,
                },
                {
                    "name": "The order desk is trained",
                    "cycle_id": self.next_cycle.id,
                    "user_id": self.bob.id,
                    "commitment": "committed",
                    # aligned to its parent's copy, in the next cycle
                    "parent_id": copy.id,
                    "carried_from_id": self.aligned.id,
                },
            ],
        )
        # The achieved key result stays; the one that missed goes on from
        # where it ended, without its check-ins.
        self.assertRecordValues(
            copy.key_result_ids,
            [
                {
                    "name": "Train the order desk",
                    "start_value": 6.0,
                    "current_value": 6.0,
                    "target_value": 10.0,
                    "progress": 0.0,
                    "user_id": self.kr_short.user_id.id,
                    "carried_from_id": self.kr_short.id,
                    "final_score": 0.0,
                    "miss_reason": False,
                }
            ],
        )
        self.assertFalse(copy.key_result_ids.checkin_ids)
        self.assertEqual(aligned_copy.key_result_ids.start_value, 1.0)
        # Open tasks move along; done ones stay with the closed key result.
        self.assertEqual(self.open_task.okr_key_result_id, copy.key_result_ids)
        self.assertEqual(self.open_task.okr_cycle_id, self.next_cycle)
        self.assertEqual(self.done_task.okr_key_result_id, self.kr_short)
        # Nothing of the closed cycle changed or went.
        self.assertRecordValues(
            self.kr_short,
            [{"final_score": 0.6, "status": "missed", "current_value": 6.0}],
        )
        self.assertEqual(len(self.kr_short.checkin_ids), 1)
        self.assertEqual(self.committed.status, "missed")
        self.assertEqual(self.committed.key_result_ids, self.kr_done | self.kr_short)
        # Both chatters tell.
        self.env.cr.flush()
        message = self.cycle.message_ids[:1]
        self.assertIn("Closed: 5 key results frozen", message.body)
        self.assertIn("Carried over to “2027 Q1”: ", message.body)
        self.assertIn(
            "Carried over from “2026 Q4”", self.next_cycle.message_ids[:1].body
        )

    def test_aspirational_objective_carried_over(self):
        """0.7 is achieved for an aspirational objective, but unfinished: it
        may go on."""
        self.close(carry_objective_ids=[(6, 0, self.aspirational.ids)])
        copy = self.carried(self.aspirational)
        self.assertEqual(copy.commitment, "aspirational")
        self.assertEqual(
            copy.key_result_ids.mapped("start_value"), [9.0, 5.0], "both unfinished"
        )
        self.assertEqual(self.aspirational.status, "achieved")

    def test_carry_over_is_checked(self):
        finished = self._create_objective("Done already", user_id=self.alice.id)
        self._create_key_result(finished, 0.0, 1.0, 1.0)
        other_cycle_objective = self._create_objective(
            "Next quarter's", cycle_id=self.next_cycle.id
        )
        cases = [
            ({"carry_objective_ids": [(6, 0, finished.ids)]}, "nothing is left"),
            (
                {"carry_objective_ids": [(6, 0, other_cycle_objective.ids)]},
                "is not an objective of the cycle",
            ),
            (
                {
                    "carry_objective_ids": [(6, 0, self.committed.ids)],
                    "next_cycle_id": False,
                },
                "Pick the cycle to carry",
            ),
            (
                {
                    "carry_objective_ids": [(6, 0, self.committed.ids)],
                    "next_cycle_id": self.cycle.id,
                },
                "cannot be carried over into",
            ),
        ]
        for vals, message in cases:
            with self.subTest(message=message):
                with self.assertRefused(UserError, message):
                    self.close(**vals)
                self.assertEqual(self.cycle.state, "active")
                self.assertFalse(self.kr_short.final_score)


@tagged("post_install", "-at_install")
class TestOkrCycleCloseRpc(HttpCase, CloseCase):
    """What a client sends: a plain OKR user neither closes a cycle nor
    writes the final values; nobody bypasses the wizard."""

    def call(self, model, method, *args, **kwargs):
        """``model.method(*args)`` over JSON-RPC: the error's data, or None
        when the call succeeded."""
        reply = call_kw(self, model, method, *args, **kwargs)
        return reply.get("error", {}).get("data")

    def test_plain_user_cannot_close_nor_write_final_values(self):
        with freeze_time(AFTER_Q4):
            wizard = self.open_wizard()
        self.authenticate(self.alice.login, self.alice.login)
        refusals = [
            ("okr.cycle", "action_close", self.cycle.ids),
            ("okr.cycle", "write", self.cycle.ids, {"state": "closed"}),
            ("okr.cycle.close", "create", {"cycle_id": self.cycle.id}),
            ("okr.cycle.close", "action_confirm", wizard.ids),
            ("okr.cycle.close", "read", wizard.ids, ["grace_hours"]),
            (
                "okr.cycle.close.line",
                "write",
                wizard.line_ids.ids,
                {"miss_reason": "external"},
            ),
        ]
        for model, method, *args in refusals:
            with self.subTest(model=model, method=method):
                error = self.call(model, method, *args)
                self.assertEqual(error and error["name"], "odoo.exceptions.AccessError")
        # Her own key result's final values, nor her objective's origin.
        hostile = [
            ("okr.key.result", self.kr_short, {"final_score": 1.0}),
            ("okr.key.result", self.kr_short, {"final_value": 10.0}),
            ("okr.key.result", self.kr_short, {"final_measure": {"window": {}}}),
            ("okr.key.result", self.kr_short, {"miss_reason": "external"}),
            ("okr.key.result", self.kr_short, {"carried_from_id": self.kr_done.id}),
            (
                "okr.objective",
                self.committed,
                {"carried_from_id": self.aspirational.id},
            ),
            ("okr.cycle", self.cycle, {"frozen_at": "2026-12-31 00:00:00"}),
        ]
        for model, record, vals in hostile:
            with self.subTest(model=model, vals=vals):
                error = self.call(model, "write", record.ids, vals)
                self.assertTrue(error, "refused")
                self.assertIn("set by the addon only", error["message"])
        error = self.call(
            "okr.key.result",
            "create",
            {
                "name": "Pre-scored",
                "objective_id": self.committed.id,
                "final_score": 1.0,
            },
        )
        self.assertIn("set by the addon only", error["message"])
        self.assertEqual(self.cycle.state, "active")
        self.assertFalse(self.kr_short.final_score)
        self.assertFalse(self.committed.key_result_ids.filtered("final_score"))

    def test_manager_closes_through_the_wizard_only(self):
        self.authenticate(self.manager.login, self.manager.login)
        error = self.call("okr.cycle", "write", self.cycle.ids, {"state": "closed"})
        self.assertIn("Close a cycle with its Close button", error["message"])
        for vals in ({"final_score": 1.0}, {"miss_note": "Rewritten"}):
            error = self.call("okr.key.result", "write", self.kr_short.ids, vals)
            self.assertIn("set by the addon only", error["message"])
        # A line pointing at another cycle's key result is refused.
        other_objective = self._create_objective(
            "Next quarter's", cycle_id=self.next_cycle.id
        )
        stray = self._create_key_result(other_objective, 0.0, 10.0)
        reply = call_kw(self, "okr.cycle", "action_close", self.cycle.ids)
        wizard_id = reply["result"]["res_id"]
        self.assertIsNone(
            self.call(
                "okr.cycle.close",
                "write",
                [wizard_id],
                {"line_ids": [(0, 0, {"key_result_id": stray.id})]},
            )
        )
        error = self.call("okr.cycle.close", "action_confirm", [wizard_id])
        self.assertIn("is not a key result of the cycle", error["message"])
        self.assertEqual(self.cycle.state, "active")
        # Without it, the close goes through.
        self.env["okr.cycle.close"].browse(wizard_id).line_ids.filtered(
            lambda line: line.key_result_id == stray
        ).unlink()
        self.assertIsNone(self.call("okr.cycle.close", "action_confirm", [wizard_id]))
        self.assertEqual(self.cycle.state, "closed")
        self.assertFalse(stray.final_score)
