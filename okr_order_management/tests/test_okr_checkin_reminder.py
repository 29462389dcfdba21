from contextlib import contextmanager
from datetime import date, datetime, time

from odoo.exceptions import AccessError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from ..models.okr_key_result_reminder import CHECKIN_DUE
from .common import OkrCase, create_okr_users

CRON = "okr_order_management.okr_key_result_cron_checkin_reminders"
#: A Monday of Q4 2026: the key results are created on it.
CREATED = date(2026, 10, 5)


@contextmanager
def on_day(env, day):
    """Run the block at 09:00 UTC on ``day``, ``create_date`` included: the
    ORM stamps it with the cursor's cached ``now`` (see metric_common.at)."""
    moment = datetime.combine(day, time(9))
    cr = env.cr
    previous = cr._now
    with freeze_time(moment):
        cr._now = moment
        try:
            yield
        finally:
            cr._now = previous


@tagged("post_install", "-at_install")
class TestOkrCheckinReminder(OkrCase):
    """A "Check-in due" activity for the owner of a manual key result not
    checked in at its cycle's cadence: once, until a check-in answers it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.activity_type = cls.env.ref(CHECKIN_DUE)
        cls.cycle.state = "active"
        cls.objective = cls._create_objective(user_id=cls.alice.id)

    def _key_result(self, day=CREATED, objective=None, start=48.0, target=12.0, **vals):
        with on_day(self.env, day):
            return self._create_key_result(
                objective or self.objective, start, target, **vals
            )

    def _run(self, day, **kwargs):
        with on_day(self.env, day):
            self.env["okr.key.result"]._cron_checkin_reminders(**kwargs)

    def _reminders(self, key_results):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "okr.key.result"),
                ("res_id", "in", key_results.ids),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def _checkin(self, user, key_result, day, value=30.0):
        with on_day(self.env, day):
            return (
                self.env["okr.checkin"]
                .with_user(user)
                .create({"key_result_id": key_result.id, "value": value})
            )

    def test_activity_type_shipped(self):
        self.assertRecordValues(
            self.activity_type,
            [{"name": "Check-in due", "res_model": "okr.key.result", "active": True}],
        )
        self.assertTrue(self.activity_type.summary)
        self.assertTrue(self.activity_type.icon)

    def test_due_once_the_cadence_has_passed_and_never_twice(self):
        key_result = self._key_result()
        self._run(date(2026, 10, 11))  # six days after its creation
        self.assertFalse(self._reminders(key_result))
        self._run(date(2026, 10, 12))
        self._run(date(2026, 10, 12))
        self._run(date(2026, 10, 13))
        reminder = self._reminders(key_result)
        self.assertRecordValues(
            reminder,
            [
                {
                    "user_id": self.alice.id,
                    "date_deadline": date(2026, 10, 12),
                    "summary": self.activity_type.summary,
                    "automated": True,
                }
            ],
        )
        self.assertIn(self.alice.partner_id, key_result.message_partner_ids)

    def test_archiving_the_activity_type_stops_them(self):
        key_result = self._key_result()
        self.activity_type.active = False
        self._run(date(2026, 10, 12))
        self.assertFalse(self._reminders(key_result))
        self.activity_type.active = True
        self._run(date(2026, 10, 12))
        self.assertEqual(len(self._reminders(key_result)), 1)

    def test_the_scheduled_action_runs_it(self):
        key_result = self._key_result()
        with on_day(self.env, date(2026, 10, 12)):
            self.env.ref(CRON).method_direct_trigger()
        self.assertEqual(len(self._reminders(key_result)), 1)

    def test_a_checkin_marks_it_done_until_the_cadence_passes_again(self):
        key_result = self._key_result()
        self._run(date(2026, 10, 12))
        self.assertTrue(self._reminders(key_result))
        self._checkin(self.alice, key_result, date(2026, 10, 14))
        self.assertFalse(self._reminders(key_result))
        done = key_result.message_ids.filtered(
            lambda message: message.mail_activity_type_id == self.activity_type
        )
        self.assertEqual(done.author_id, self.alice.partner_id)
        self._run(date(2026, 10, 20))
        self.assertFalse(self._reminders(key_result))
        self._run(date(2026, 10, 21))
        self.assertRecordValues(
            self._reminders(key_result),
            [{"user_id": self.alice.id, "date_deadline": date(2026, 10, 21)}],
        )

    def test_every_way_of_checking_in_marks_it_done(self):
        """The check-in form, a value typed on the key result, the objective's
        owner checking in on a colleague's key result."""
        by_form, by_typing, by_objective_owner = (
            self._key_result(name=name, user_id=self.bob.id)
            for name in ("By the form", "By typing", "By the objective's owner")
        )
        everything = by_form | by_typing | by_objective_owner
        self._run(date(2026, 10, 12))
        self.assertEqual(len(self._reminders(everything)), 3)
        with on_day(self.env, date(2026, 10, 13)):
            checkin = Form(
                self.env["okr.checkin"]
                .with_user(self.bob)
                .with_context(default_key_result_id=by_form.id),
                view="okr_order_management.okr_checkin_view_form_quick",
            )
            checkin.value = 40.0
            checkin.save()
            by_typing.with_user(self.bob).current_value = 40.0
            self.env["okr.checkin"].with_user(self.alice).create(
                {"key_result_id": by_objective_owner.id, "value": 40.0}
            )
        self.assertFalse(self._reminders(everything))
        self.assertEqual(by_typing.last_checkin_date, date(2026, 10, 13))

    def test_a_checkin_leaves_other_key_results_and_activities(self):
        checked, waiting = self._key_result(), self._key_result()
        self._run(date(2026, 10, 12))
        with on_day(self.env, date(2026, 10, 12)):
            todo = checked.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.alice.id
            )
        self._checkin(self.alice, checked, date(2026, 10, 13))
        self.assertFalse(self._reminders(checked))
        self.assertTrue(todo.exists())
        self.assertEqual(len(self._reminders(waiting)), 1)

    def test_cadences(self):
        for cadence, last_quiet_day, due_day in (
            ("weekly", date(2026, 10, 11), date(2026, 10, 12)),
            ("biweekly", date(2026, 10, 18), date(2026, 10, 19)),
            ("monthly", date(2026, 11, 4), date(2026, 11, 5)),
        ):
            with self.subTest(cadence=cadence):
                cycle = self.env["okr.cycle"].create(
                    {
                        "name": f"2026 Q4 ({cadence})",
                        "date_start": self.cycle.date_start,
                        "date_end": self.cycle.date_end,
                        "checkin_cadence": cadence,
                        "state": "active",
                    }
                )
                objective = self._create_objective(
                    cycle_id=cycle.id, user_id=self.alice.id
                )
                key_result = self._key_result(objective=objective)
                self._run(last_quiet_day)
                self.assertFalse(self._reminders(key_result))
                self._run(due_day)
                self.assertEqual(self._reminders(key_result).date_deadline, due_day)

    def test_counted_from_the_cycle_start_and_dated_when_it_fell_due(self):
        """Planned before its cycle starts, a key result is due one cadence
        into the cycle; a late run dates the activity on the day it fell due."""
        self.cycle.state = "draft"
        key_result = self._key_result(day=date(2026, 9, 10))
        self._run(date(2026, 10, 7))
        self.assertFalse(self._reminders(key_result))  # a draft cycle
        self.cycle.state = "active"
        self._run(date(2026, 10, 7))
        self.assertFalse(self._reminders(key_result))
        self._run(date(2026, 10, 20))
        self.assertEqual(self._reminders(key_result).date_deadline, date(2026, 10, 8))

    def test_last_checkin_counts_not_creation(self):
        key_result = self._key_result()
        self._checkin(self.alice, key_result, date(2026, 10, 9))
        self._run(date(2026, 10, 12))
        self.assertFalse(self._reminders(key_result))
        self._run(date(2026, 10, 16))
        self.assertEqual(self._reminders(key_result).date_deadline, date(2026, 10, 16))

    def test_none_where_no_check_in_is_expected(self):
        metric = self._key_result(
            name="Computed",
            source="metric",
            metric_id=self.env.ref(
                "okr_order_management.okr_metric_order_confirmation_hours"
            ).id,
        )
        archived = self._key_result(name="Archived")
        archived.active = False
        archived_objective = self._create_objective(user_id=self.alice.id)
        in_archived = self._key_result(objective=archived_objective)
        archived_objective.active = False
        no_owner = self._key_result(name="No owner")
        no_owner.user_id = False
        former = new_test_user(self.env, login="okr_former", groups="base.group_user")
        former_owner = self._key_result(name="Former", user_id=former.id)
        former.active = False
        milestone = self._key_result(
            name="Done milestone", target_type="milestone", start=0.0, target=1.0
        )
        self._checkin(self.alice, milestone, date(2026, 10, 5), value=1.0)
        # A level to keep, achieved, is checked on.
        level = self._key_result(
            name="Level", target_type="at_least", start=0.0, target=90.0
        )
        self._checkin(self.alice, level, date(2026, 10, 5), value=95.0)
        self.assertEqual(milestone.status, "achieved")
        self.assertEqual(level.status, "achieved")
        closed_cycle = self.env["okr.cycle"].create(
            {
                "name": "2026 Q3",
                "date_start": date(2026, 7, 1),
                "date_end": date(2026, 9, 30),
                "state": "active",
            }
        )
        in_closed = self._key_result(
            objective=self._create_objective(
                cycle_id=closed_cycle.id, user_id=self.alice.id
            )
        )
        closed_cycle.state = "closed"
        self._run(date(2026, 11, 30))
        quiet = (
            metric | archived | in_archived | no_owner | former_owner | milestone
        ) | in_closed
        self.assertFalse(self._reminders(quiet))
        self.assertEqual(len(self._reminders(level)), 1)

    def test_every_company_in_one_run(self):
        other = self.env["res.company"].create({"name": "OKR Reminder Branch"})
        carol = new_test_user(
            self.env,
            login="okr_carol",
            groups="base.group_user",
            company_id=other.id,
            company_ids=[other.id],
        )
        cycle = self.env["okr.cycle"].create(
            {
                "name": "Branch 2026 Q4",
                "date_start": self.cycle.date_start,
                "date_end": self.cycle.date_end,
                "company_id": other.id,
                "state": "active",
            }
        )
        objective = self._create_objective(
            cycle_id=cycle.id, user_id=carol.id, company_id=other.id
        )
        theirs = self._key_result(objective=objective)
        ours = self._key_result()
        # The cron's user sees the first company only: the run serves both.
        with on_day(self.env, date(2026, 10, 12)):
            self.env["okr.key.result"].with_user(self.manager).with_context(
                allowed_company_ids=self.company.ids
            )._cron_checkin_reminders()
        self.assertEqual(self._reminders(theirs).user_id, carol)
        self.assertEqual(self._reminders(ours).user_id, self.alice)
        # Carol answers hers, in her company.
        self._checkin(carol, theirs, date(2026, 10, 13))
        self.assertFalse(self._reminders(theirs))

    def test_batches_report_their_progress(self):
        key_results = self.env["okr.key.result"]
        for number in range(5):
            key_results |= self._key_result(name=f"KR {number}")
        cron = self.env.ref(CRON)
        reported = []
        for _run in range(3):
            # What the runner does before each call: a progress to report to.
            _cron, progress = cron._add_progress()
            with on_day(self.env, date(2026, 10, 12)):
                self.env["okr.key.result"].with_context(
                    ir_cron_progress_id=progress.id
                )._cron_checkin_reminders(batch_size=2)
            reported.append((progress.done, progress.remaining))
        self.assertEqual(reported, [(2, 3), (2, 1), (1, 0)])
        self.assertEqual(len(self._reminders(key_results)), 5)

    def test_query_count_does_not_grow_with_key_results(self):
        """One search, one create per company, one subscription per owner:
        as many queries for 100 key results as for 10."""
        owners = self.alice | self.bob

        def create_and_count(count):
            key_results = self.env["okr.key.result"]
            for number in range(count):
                key_results |= self._key_result(
                    name=f"KR {count}-{number}", user_id=owners[number % 2].id
                )
            self.env.flush_all()
            self.env.invalidate_all()
            with on_day(self.env, date(2026, 10, 12)):
                before = self.env.cr.sql_log_count
                self.env["okr.key.result"]._cron_checkin_reminders()
                self.env.flush_all()
                queries = self.env.cr.sql_log_count - before
            self.assertEqual(len(self._reminders(key_results)), count)
            return queries

        create_and_count(5)  # warms the caches
        ten, hundred = create_and_count(10), create_and_count(100)
        self.assertEqual(
            ten, hundred, f"{ten} queries for 10 key results, {hundred} for 100"
        )

    def test_cadence_is_tracked_and_for_managers(self):
        with self.assertRaises(AccessError):
            self.cycle.with_user(self.alice).write({"checkin_cadence": "monthly"})
        self.assertEqual(self.cycle.checkin_cadence, "weekly")
        self.cycle.with_user(self.manager).write({"checkin_cadence": "biweekly"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written as the transaction ends
        tracked = self.cycle.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "checkin_cadence"
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(
            (tracked.old_value_char, tracked.new_value_char),
            ("Weekly", "Every Two Weeks"),
        )
