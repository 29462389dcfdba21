from datetime import date
from functools import partial

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import OkrCase, create_okr_users


@tagged("post_install", "-at_install")
class TestOkrCheckin(OkrCase):
    """Check-ins move their key result and stay true as history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.objective = cls._create_objective(user_id=cls.alice.id)
        # The article's order confirmation time, from 48 h to 12 h.
        cls.key_result = cls._create_key_result(
            cls.objective, 48.0, 12.0, name="Order confirmation time"
        )

    def _checkin(self, user, day, value, confidence=5, key_result=None, **vals):
        return (
            self.env["okr.checkin"]
            .with_user(user)
            .create(
                {
                    "key_result_id": (key_result or self.key_result).id,
                    "date": day,
                    "value": value,
                    "confidence": confidence,
                    **vals,
                }
            )
        )

    def assertKeyResult(self, current_value, confidence, last_checkin_date):
        key_result = self.key_result
        self.env.flush_all()
        key_result.invalidate_recordset()
        self.assertEqual(key_result.current_value, current_value)
        self.assertEqual(key_result.confidence, confidence)
        self.assertEqual(key_result.last_checkin_date, last_checkin_date)

    def test_manual_checkin_sets_the_key_result(self):
        self.assertKeyResult(48.0, 0, False)
        checkin = self._checkin(
            self.alice, date(2026, 10, 20), 30.0, 7, note="Order entry streamlined"
        )
        self.assertEqual(checkin.user_id, self.alice)
        self.assertEqual(checkin.source, "manual")
        self.assertEqual(checkin.objective_id, self.objective)
        self.assertEqual(checkin.cycle_id, self.cycle)
        self.assertEqual(checkin.company_id, self.company)
        # (30 - 48) / (12 - 48)
        self.assertAlmostEqual(checkin.progress, 50.0)
        self.assertKeyResult(30.0, 7, date(2026, 10, 20))
        self.assertAlmostEqual(self.key_result.progress, 50.0)
        self.assertAlmostEqual(self.objective.progress, 50.0)
        self.assertEqual(self.key_result.checkin_count, 1)

    def test_latest_checkin_by_date_not_by_creation(self):
        self._checkin(self.alice, date(2026, 10, 27), 20.0, 8)
        self.assertKeyResult(20.0, 8, date(2026, 10, 27))
        # Entered later, dated earlier: history, not the current value.
        older = self._checkin(self.alice, date(2026, 10, 13), 40.0, 3)
        self.assertAlmostEqual(older.progress, 22.2)
        self.assertKeyResult(20.0, 8, date(2026, 10, 27))
        self.assertAlmostEqual(self.key_result.progress, 77.8)
        # Same day: the one entered last wins.
        self._checkin(self.alice, date(2026, 10, 27), 18.0, 9)
        self.assertKeyResult(18.0, 9, date(2026, 10, 27))

    def test_a_checkin_keeps_its_date(self):
        """The history is dated when it is written: a check-in cannot be moved
        to another day, over any client; a new one is checked in instead."""
        self._checkin(self.alice, date(2026, 10, 13), 40.0, 3)
        latest = self._checkin(self.alice, date(2026, 10, 27), 20.0, 8)
        with self.assertRaisesRegex(UserError, "Date"):
            latest.date = date(2026, 10, 6)
        with self.assertRaisesRegex(UserError, "Date"):
            latest.write({"value": 19.0, "date": date(2026, 11, 3)})
        latest.invalidate_recordset()
        self.assertEqual(latest.date, date(2026, 10, 27))
        self.assertKeyResult(20.0, 8, date(2026, 10, 27))

    def test_a_checkin_keeps_the_progress_of_its_day(self):
        checkin = self._checkin(self.alice, date(2026, 10, 13), 30.0)
        self.key_result.with_user(self.alice).target_value = 30.0
        checkin.invalidate_recordset()
        # (30 - 48) / (12 - 48): the target of its day
        self.assertAlmostEqual(checkin.progress, 50.0)
        # A corrected value is measured against today's target.
        checkin.value = 39.0
        checkin.invalidate_recordset()
        # (39 - 48) / (30 - 48)
        self.assertAlmostEqual(checkin.progress, 50.0)
        self.assertKeyResult(39.0, 5, date(2026, 10, 13))

    def test_no_checkin_in_the_future(self):
        with self.assertRaisesRegex(UserError, "future"):
            self._checkin(self.alice, date(2099, 1, 1), 30.0)

    def test_editing_the_latest_checkin_moves_the_key_result(self):
        self._checkin(self.alice, date(2026, 10, 13), 40.0, 3)
        latest = self._checkin(self.alice, date(2026, 10, 27), 20.0, 8)
        latest.write({"value": 21.0, "confidence": 6})
        self.assertAlmostEqual(latest.progress, 75.0)
        self.assertKeyResult(21.0, 6, date(2026, 10, 27))

    def test_checkin_progress_is_history(self):
        first = self._checkin(self.alice, date(2026, 10, 13), 30.0)
        self.assertAlmostEqual(first.progress, 50.0)
        # The target moves: the key result follows, the past does not.
        self.key_result.with_user(self.alice).target_value = 30.0
        self.env.flush_all()
        self.key_result.invalidate_recordset()
        first.invalidate_recordset()
        self.assertAlmostEqual(self.key_result.progress, 100.0)
        self.assertAlmostEqual(first.progress, 50.0)
        second = self._checkin(self.alice, date(2026, 10, 20), 39.0)
        # (39 - 48) / (30 - 48)
        self.assertAlmostEqual(second.progress, 50.0)
        self.key_result.with_user(self.alice).start_value = 66.0
        first.invalidate_recordset()
        second.invalidate_recordset()
        self.assertAlmostEqual(first.progress, 50.0)
        self.assertAlmostEqual(second.progress, 50.0)
        self.assertAlmostEqual(self.key_result.progress, 75.0)

    def test_own_checkin_is_editable(self):
        checkin = self._checkin(self.alice, date(2026, 10, 13), 30.0, note="Draft")
        checkin.write({"note": "Order entry streamlined", "confidence": 9})
        checkin.invalidate_recordset()
        self.assertEqual(checkin.note, "Order entry streamlined")
        self.assertEqual(checkin.confidence, 9)
        self.assertKeyResult(30.0, 9, date(2026, 10, 13))

    def test_someone_elses_checkin_is_theirs(self):
        alice_checkin = self._checkin(self.alice, date(2026, 10, 13), 30.0, 6)
        manager_checkin = self._checkin(self.manager, date(2026, 10, 20), 24.0, 4)
        self.assertEqual(manager_checkin.user_id, self.manager)
        self.assertKeyResult(24.0, 4, date(2026, 10, 20))
        cases = [
            # An OKR manager may change the key result, not Alice's history.
            (self.manager, alice_checkin),
            # The key result's owner may not rewrite the manager's check-in.
            (self.alice, manager_checkin),
            # Nor may somebody else.
            (self.bob, alice_checkin),
        ]
        for user, checkin in cases:
            with self.subTest(user=user.login, author=checkin.user_id.login):
                checkin = checkin.with_user(user)
                for operation in (
                    partial(checkin.write, {"value": 12.0}),
                    partial(checkin.write, {"note": "Reviewed"}),
                    checkin.unlink,
                ):
                    with self.assertRaises(UserError) as error:
                        operation()
                    self.assertIn(
                        "you can only change or delete your own", str(error.exception)
                    )
                self.assertIn(checkin.user_id.name, str(error.exception))
        for checkin, value, confidence in (
            (alice_checkin, 30.0, 6),
            (manager_checkin, 24.0, 4),
        ):
            checkin.invalidate_recordset()
            self.assertTrue(checkin.exists())
            self.assertEqual(checkin.value, value)
            self.assertEqual(checkin.confidence, confidence)
            self.assertFalse(checkin.note)
        self.assertKeyResult(24.0, 4, date(2026, 10, 20))
        # The manager still manages their own.
        manager_checkin.with_user(self.manager).note = "Reviewed with Alice"
        self.assertEqual(manager_checkin.note, "Reviewed with Alice")

    def test_deleting_the_latest_checkin_restores_the_previous(self):
        first = self._checkin(self.alice, date(2026, 10, 13), 40.0, 3)
        second = self._checkin(self.alice, date(2026, 10, 20), 30.0, 6)
        third = self._checkin(self.alice, date(2026, 10, 27), 20.0, 8)
        self.assertKeyResult(20.0, 8, date(2026, 10, 27))
        # An older one leaves the current value alone.
        second.unlink()
        self.assertKeyResult(20.0, 8, date(2026, 10, 27))
        third.unlink()
        self.assertKeyResult(40.0, 3, date(2026, 10, 13))
        self.assertAlmostEqual(self.key_result.progress, 22.2)
        self.assertAlmostEqual(self.objective.progress, 22.2)
        self.assertEqual(self.key_result.checkin_ids, first)

    def test_objective_owner_and_key_result_owner_check_in(self):
        bob_key_result = self._create_key_result(
            self.objective, 0.0, 10.0, name="Bob's part", user_id=self.bob.id
        )
        self._checkin(self.bob, date(2026, 10, 13), 4.0, key_result=bob_key_result)
        self.assertEqual(bob_key_result.current_value, 4.0)
        self._checkin(self.alice, date(2026, 10, 20), 6.0, key_result=bob_key_result)
        self.assertEqual(bob_key_result.current_value, 6.0)
        self.assertEqual(
            bob_key_result.checkin_ids.mapped("user_id"), self.alice | self.bob
        )
        # Bob's key result only: Alice's own is not his to check in on.
        with self.assertRaises(UserError):
            self._checkin(self.bob, date(2026, 10, 20), 12.0)
        self.assertKeyResult(48.0, 0, False)
