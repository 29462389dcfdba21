from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import Q4_END, Q4_MIDDLE, Q4_START, OkrCase


@tagged("post_install", "-at_install")
class TestOkrProgress(OkrCase):
    """Attainment, progress, status and score, stored and recomputed."""

    def _assert_stored(self, record, **expected):
        """Assert ``record`` holds ``expected``, read back from the database."""
        self.env.flush_all()
        record.invalidate_recordset()
        for fname, value in expected.items():
            with self.subTest(record=record.display_name, field=fname):
                if isinstance(value, float):
                    self.assertAlmostEqual(record[fname], value, places=2)
                else:
                    self.assertEqual(record[fname], value)

    # Key results

    def test_key_result_article_numbers(self):
        objective = self._create_objective()
        error_rate = self._create_key_result(objective, 5.0, 1.0, 2.0)
        confirmation_time = self._create_key_result(objective, 48.0, 12.0, 20.0)
        satisfaction = self._create_key_result(
            objective, 80.0, 90.0, 90.0, target_type="at_least"
        )
        self._assert_stored(error_rate, attainment=75.0, progress=75.0)
        # Stored with one decimal.
        self._assert_stored(confirmation_time, attainment=77.8, progress=77.8)
        self._assert_stored(
            satisfaction, attainment=100.0, progress=100.0, status="achieved"
        )

    def test_key_result_recomputed_when_values_change(self):
        objective = self._create_objective()
        key_result = self._create_key_result(objective, 0.0, 200.0, 50.0, weight=2.0)
        self._assert_stored(
            key_result, attainment=25.0, progress=25.0, weighted_progress=50.0
        )
        key_result.current_value = 300.0
        self._assert_stored(
            key_result, attainment=150.0, progress=100.0, weighted_progress=200.0
        )
        key_result.target_value = 400.0
        self._assert_stored(key_result, attainment=75.0, progress=75.0)
        key_result.start_value = 350.0
        self._assert_stored(key_result, attainment=-100.0, progress=0.0)
        key_result.write({"target_type": "milestone", "weight": 3.0})
        self._assert_stored(
            key_result, attainment=0.0, progress=0.0, weighted_progress=0.0
        )
        key_result.current_value = 400.0
        self._assert_stored(
            key_result,
            attainment=100.0,
            progress=100.0,
            weighted_progress=300.0,
            status="achieved",
        )

    def test_key_result_defaults_from_objective(self):
        owner = new_test_user(self.env, login="okr_progress_owner")
        department = self.env["hr.department"].create({"name": "Customer Service"})
        objective = self._create_objective(
            user_id=owner.id, department_id=department.id
        )
        key_result = self._create_key_result(objective, 0.0, 10.0)
        self.assertEqual(key_result.user_id, owner)
        self.assertEqual(key_result.department_id, department)
        self.assertEqual(key_result.cycle_id, self.cycle)
        self.assertEqual(key_result.company_id, self.company)
        self.assertEqual(key_result.currency_id, self.company.currency_id)

    # Status by pace

    def test_key_result_status_by_pace(self):
        objective = self._create_objective()
        cases = [
            (50.0, "on_track"),
            (30.0, "at_risk"),
            (10.0, "off_track"),
            (100.0, "achieved"),
        ]
        with freeze_time(Q4_MIDDLE):
            for current, expected in cases:
                with self.subTest(current=current):
                    key_result = self._create_key_result(objective, 0.0, 100.0, current)
                    self._assert_stored(key_result, status=expected)

    def test_status_before_the_cycle(self):
        with freeze_time("2026-09-30"):
            objective = self._create_objective()
            key_result = self._create_key_result(objective, 0.0, 100.0, 10.0)
            self._assert_stored(key_result, status="not_started")
            self._assert_stored(objective, status="not_started")

    def test_status_follows_value_changes(self):
        with freeze_time(Q4_MIDDLE):
            objective = self._create_objective()
            key_result = self._create_key_result(objective, 0.0, 100.0, 10.0)
            self._assert_stored(key_result, status="off_track")
            self._assert_stored(objective, status="off_track", progress=10.0)
            key_result.current_value = 45.0
            self._assert_stored(key_result, status="on_track")
            self._assert_stored(objective, status="on_track", progress=45.0)

    def test_status_follows_cycle_dates(self):
        with freeze_time(Q4_MIDDLE):
            objective = self._create_objective()
            key_result = self._create_key_result(objective, 0.0, 100.0, 10.0)
            self._assert_stored(key_result, status="off_track")
            # Move the cycle to start tomorrow: not started yet.
            self.cycle.date_start = date(2026, 11, 17)
            self._assert_stored(key_result, status="not_started")
            self._assert_stored(objective, status="not_started")

    # Objective progress

    def test_objective_weighted_progress(self):
        objective = self._create_objective()
        self._create_key_result(objective, 0.0, 100.0, 50.0, weight=1.0)
        heavy = self._create_key_result(objective, 0.0, 100.0, 80.0, weight=2.0)
        self._create_key_result(objective, 0.0, 100.0, 20.0, weight=1.0)
        # (50 + 2 * 80 + 20) / 4
        self._assert_stored(objective, progress=57.5, score=0.58)
        heavy.weight = 0.0
        # A weight of 0 leaves the key result out: (50 + 20) / 2
        self._assert_stored(objective, progress=35.0, score=0.35)
        heavy.write({"weight": 3.0, "current_value": 100.0})
        # (50 + 3 * 100 + 20) / 5
        self._assert_stored(objective, progress=74.0, score=0.74)

    def test_objective_progress_ignores_attainment_beyond_target(self):
        objective = self._create_objective()
        self._create_key_result(objective, 0.0, 100.0, 300.0)
        self._create_key_result(objective, 0.0, 100.0, 0.0)
        self._assert_stored(objective, progress=50.0, score=0.5)

    def test_objective_progress_with_all_weights_zero(self):
        objective = self._create_objective()
        first = self._create_key_result(objective, 0.0, 100.0, 50.0, weight=0.0)
        self._create_key_result(objective, 0.0, 100.0, 100.0, weight=0.0)
        self._assert_stored(objective, progress=75.0)
        first.current_value = 0.0
        self._assert_stored(objective, progress=50.0)

    def test_objective_progress_when_key_results_come_and_go(self):
        objective = self._create_objective()
        self._assert_stored(objective, progress=0.0)
        first = self._create_key_result(objective, 0.0, 100.0, 40.0)
        self._assert_stored(objective, progress=40.0)
        self._create_key_result(objective, 0.0, 100.0, 80.0)
        self._assert_stored(objective, progress=60.0)
        first.unlink()
        self._assert_stored(objective, progress=80.0)

    def test_objective_without_key_results_averages_children(self):
        parent = self._create_objective("Customers wait less")
        it = self._create_objective("IT streamlines order entry", parent_id=parent.id)
        hr = self._create_objective("HR trains customer service", parent_id=parent.id)
        self._create_key_result(it, 0.0, 100.0, 30.0)
        self._create_key_result(hr, 0.0, 10.0, 9.0)
        self._assert_stored(parent, progress=60.0, score=0.6)
        # A parent with key results of its own follows them, not its children.
        own = self._create_key_result(parent, 0.0, 100.0, 10.0)
        self._assert_stored(parent, progress=10.0)
        own.unlink()
        self._assert_stored(parent, progress=60.0)

    def test_archived_child_leaves_the_average(self):
        parent = self._create_objective("Customers wait less")
        it = self._create_objective("IT streamlines order entry", parent_id=parent.id)
        hr = self._create_objective("HR trains customer service", parent_id=parent.id)
        self._create_key_result(it, 0.0, 100.0, 30.0)
        self._create_key_result(hr, 0.0, 100.0, 90.0)
        self._assert_stored(parent, progress=60.0)
        hr.active = False
        self._assert_stored(parent, progress=30.0)

    def test_child_key_result_updates_the_parent_chain(self):
        with freeze_time(Q4_MIDDLE):
            company = self._create_objective("Customers wait less")
            department = self._create_objective(
                "Operations automates order assignment",
                parent_id=company.id,
                level="department",
            )
            person = self._create_objective(
                "Assignment rules for every sales team",
                parent_id=department.id,
                level="individual",
            )
            key_result = self._create_key_result(person, 48.0, 12.0, 48.0)
            for objective in (person, department, company):
                # Not measured yet: no pace to keep.
                self._assert_stored(objective, progress=0.0, status="not_started")
            key_result.current_value = 20.0
            for objective in (person, department, company):
                self._assert_stored(
                    objective, progress=77.8, status="on_track", score=0.78
                )
            key_result.current_value = 12.0
            for objective in (person, department, company):
                self._assert_stored(
                    objective, progress=100.0, status="achieved", score=1.0
                )

    def test_realigning_an_objective_updates_both_parents(self):
        first = self._create_objective("First parent")
        second = self._create_objective("Second parent")
        child = self._create_objective("Child", parent_id=first.id)
        self._create_key_result(child, 0.0, 100.0, 70.0)
        self._assert_stored(first, progress=70.0)
        self._assert_stored(second, progress=0.0)
        child.parent_id = second
        self._assert_stored(first, progress=0.0)
        self._assert_stored(second, progress=70.0)

    # Daily status update

    def test_cron_moves_statuses_as_time_passes(self):
        closed_cycle = self.cycle.copy({"name": "2026 Q4 (closed)", "state": "closed"})
        with freeze_time(Q4_MIDDLE):
            objective = self._create_objective()
            key_result = self._create_key_result(objective, 0.0, 100.0, 45.0)
            closed = self._create_objective("Closed", cycle_id=closed_cycle.id)
            closed_key_result = self._create_key_result(closed, 0.0, 100.0, 45.0)
            for record in (objective, key_result, closed, closed_key_result):
                self._assert_stored(record, status="on_track")
        # Two weeks later, 45 % is 20.2 points behind the pace of 65.2 %.
        with freeze_time("2026-11-30"):
            # Nothing changed: the stored statuses are stale until the cron runs.
            self._assert_stored(key_result, status="on_track")
            self.env["okr.objective"]._cron_update_status()
            self._assert_stored(key_result, status="at_risk")
            self._assert_stored(objective, status="at_risk")
            # Closed cycles keep the status they closed with.
            self._assert_stored(closed_key_result, status="on_track")
            self._assert_stored(closed, status="on_track")
        with freeze_time("2027-01-05"):
            self.env["okr.objective"]._cron_update_status()
            self._assert_stored(key_result, status="off_track")
            self._assert_stored(objective, status="off_track")

    def test_cron_starts_cycles(self):
        with freeze_time("2026-09-20"):
            objective = self._create_objective()
            key_result = self._create_key_result(objective, 0.0, 100.0, 5.0)
            self._assert_stored(key_result, status="not_started")
        with freeze_time(Q4_START):
            self.env["okr.objective"]._cron_update_status()
            self._assert_stored(key_result, status="on_track")
            self._assert_stored(objective, status="on_track")

    # Cycles

    def test_is_current(self):
        Cycle = self.env["okr.cycle"]
        past = Cycle.create(
            {"name": "Q3", "date_start": "2026-07-01", "date_end": "2026-09-30"}
        )
        future = Cycle.create(
            {"name": "Q1", "date_start": "2027-01-01", "date_end": "2027-03-31"}
        )
        cycles = past | self.cycle | future
        cases = [
            ("2026-09-30", past),
            (Q4_START, self.cycle),
            (Q4_MIDDLE, self.cycle),
            (Q4_END, self.cycle),
            ("2027-01-01", future),
            ("2027-04-01", Cycle),
        ]
        for today, current in cases:
            with self.subTest(today=today), freeze_time(today):
                cycles.invalidate_recordset(["is_current"])
                self.assertEqual(cycles.filtered("is_current"), current)
                domain = [("id", "in", cycles.ids)]
                self.assertEqual(
                    Cycle.search([*domain, ("is_current", "=", True)]), current
                )
                self.assertEqual(
                    Cycle.search([*domain, ("is_current", "!=", False)]), current
                )
                self.assertEqual(
                    Cycle.search([*domain, ("is_current", "=", False)]),
                    cycles - current,
                )
                self.assertEqual(
                    Cycle.search([*domain, ("is_current", "!=", True)]),
                    cycles - current,
                )

    def test_is_current_of_a_new_cycle(self):
        self.assertFalse(self.env["okr.cycle"].new({}).is_current)

    def test_objective_count(self):
        self._create_objective("One")
        self._create_objective("Two")
        self.assertEqual(self.cycle.objective_count, 2)

    def test_generate_quarters(self):
        manager = new_test_user(
            self.env,
            login="okr_progress_manager",
            groups="base.group_user,okr_order_management.group_okr_manager",
        )
        Wizard = self.env["okr.cycle.generate"].with_user(manager)
        with freeze_time("2031-05-10"):
            wizard = Wizard.create({})
            self.assertEqual(wizard.year, 2031)
            self.assertEqual(wizard.company_id, self.company)
            action = wizard.action_generate()
        cycles = self.env["okr.cycle"].search(
            [("company_id", "=", self.company.id), ("date_start", ">=", "2031-01-01")],
            order="date_start",
        )
        self.assertEqual(action["params"]["next"]["domain"], [("id", "in", cycles.ids)])
        self.assertEqual(
            [(c.name, c.date_start, c.date_end, c.state) for c in cycles],
            [
                ("2031 Q1", date(2031, 1, 1), date(2031, 3, 31), "draft"),
                ("2031 Q2", date(2031, 4, 1), date(2031, 6, 30), "active"),
                ("2031 Q3", date(2031, 7, 1), date(2031, 9, 30), "draft"),
                ("2031 Q4", date(2031, 10, 1), date(2031, 12, 31), "draft"),
            ],
        )
        # A second run for the same year is refused, and creates nothing.
        with self.assertRaises(UserError) as error:
            Wizard.create({"year": 2031}).action_generate()
        self.assertIn(
            "already has cycles over every quarter of 2031", str(error.exception)
        )
        self.assertEqual(
            self.env["okr.cycle"].search_count(
                [("company_id", "=", self.company.id), ("date_end", ">=", "2031-01-01")]
            ),
            4,
        )

    def test_generate_quarters_of_another_year(self):
        other_company = self.env["res.company"].create({"name": "OKR Other Co"})
        self.env["okr.cycle"].create(
            {
                "name": "Other company 2029",
                "date_start": "2029-01-01",
                "date_end": "2029-12-31",
                "company_id": other_company.id,
            }
        )
        # Neither another company's cycles nor activate_current get in the way.
        with freeze_time("2031-05-10"):
            self.env["okr.cycle.generate"].create(
                {"year": 2029, "activate_current": True}
            ).action_generate()
        cycles = self.env["okr.cycle"].search(
            [
                ("company_id", "=", self.company.id),
                ("date_start", ">=", "2029-01-01"),
                ("date_end", "<=", "2029-12-31"),
            ]
        )
        self.assertEqual(len(cycles), 4)
        self.assertEqual(set(cycles.mapped("state")), {"draft"})
        # A cycle straddling the new year skips a quarter of both years.
        self.env["okr.cycle"].create(
            {"name": "Winter", "date_start": "2032-12-01", "date_end": "2033-02-28"}
        )
        for year, skipped in ((2032, "2032 Q4"), (2033, "2033 Q1")):
            with self.subTest(year=year):
                action = (
                    self.env["okr.cycle.generate"]
                    .create({"year": year})
                    .action_generate()
                )
                message = action["params"]["message"]
                self.assertIn(f"Skipped {skipped}", message)
                self.assertIn("Winter", message)
