from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .. import metric_engine
from .metric_common import AFTER_Q4, MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricRecompute(MetricCase):
    """Recomputing metric key results: errors, cost, history, no data, the
    cron, freshness and the drill-down."""

    def _sell_a_quarter(self):
        """Orders of both teams and salespeople, delivered, some late."""
        north, south = self.team_north, self.team_south
        sp_1, sp_2 = self.salesperson_1, self.salesperson_2
        wh_1, wh_2 = self.warehouse, self.warehouse_2
        for day, partner, team, user, warehouse, qty in (
            (2, self.customer_a, north, sp_1, wh_1, 2),
            (5, self.customer_b, north, sp_2, wh_2, 3),
            (9, self.customer_c, south, sp_1, wh_1, 4),
            (12, self.customer_a, south, sp_2, wh_1, 5),
        ):
            order = self.sell(
                partner,
                local(2026, 11, day, 10, 0),
                created=local(2026, 11, day, 10, 0) - timedelta(hours=day),
                qty=qty,
                team_id=team.id,
                user_id=user.id,
                warehouse_id=warehouse.id,
                commitment_date=local(2026, 11, day + 2, 18, 0),
            )
            self.deliver(order, local(2026, 11, day + qty - 1, 12, 0), qty=qty - 1)

    # Failures

    def test_failing_key_result_beside_healthy_ones(self):
        self._sell_a_quarter()
        revenue = self.key_result("revenue")
        north = self.key_result("revenue", team_id=self.team_north.id)
        on_time = self.key_result("on_time_delivery_rate")
        broken = self.key_result("revenue", name="Broken")
        broken_too = self.key_result("revenue", name="Broken too")
        hours = self.key_result("order_confirmation_hours")
        self.compute(broken)
        self.assertEqual(broken.current_value, 1400.0)
        # A field it filters on is gone (written in SQL: the form refuses it).
        self.env.cr.execute(
            "UPDATE okr_key_result SET scope_domain = %s WHERE id IN %s",
            ["[('x_okr_gone', '=', 1)]", (broken | broken_too)._ids],
        )
        broken.invalidate_recordset()
        broken_too.invalidate_recordset()
        self.sell(self.customer_d, local(2026, 11, 20, 10, 0), price=1000.0)

        everything = broken | broken_too | revenue | north | on_time | hours
        with self.at(AFTER_Q4), mute_logger(metric_engine.__name__):
            everything._okr_recompute()

        for key_result in broken | broken_too:
            self.assertIn("x_okr_gone", key_result.compute_error)
            self.assertEqual(key_result.last_computed_at, AFTER_Q4)
        self.assertEqual(broken.current_value, 1400.0, "the last value stays")
        self.assertEqual(broken_too.current_value, 0.0)
        # 200 + 300 + 400 + 500 + 1000; north: 200 + 300
        self.assertEqual(revenue.current_value, 2400.0)
        self.assertEqual(north.current_value, 500.0)
        # Validated on the 3rd, 7th, 12th and 16th for deadlines on the 4th,
        # 7th (at 18:00, after the 12:00 validation), 11th and 14th.
        self.assertEqual(on_time.current_value, 2 / 4 * 100)
        # Quotations made 2, 5, 9, 12 and 2 h before their confirmation.
        self.assertAlmostEqual(hours.current_value, (2 + 5 + 9 + 12 + 2) / 5)
        for key_result in revenue | north | on_time | hours:
            self.assertFalse(key_result.compute_error)

        # Fixed, it computes again and forgets the error.
        broken.scope_domain = "[]"
        self.compute(broken)
        self.assertEqual(broken.current_value, 2400.0)
        self.assertFalse(broken.compute_error)

    def test_failing_query_does_not_stop_its_group(self):
        """A filter that the ORM accepts but the database refuses (a date that
        is no date) fails its key result alone."""
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=10.0)
        revenue = self.key_result("revenue")
        broken = self.key_result("revenue", name="Broken")
        self.env.cr.execute(
            "UPDATE okr_key_result SET scope_domain = %s WHERE id = %s",
            ["[('date_order', '>', 'yesterday-ish')]", broken.id],
        )
        broken.invalidate_recordset()
        with self.at(AFTER_Q4), mute_logger(metric_engine.__name__):
            (revenue | broken)._okr_recompute()
        self.assertTrue(broken.compute_error)
        self.assertFalse(revenue.compute_error)
        self.assertEqual(revenue.current_value, 10.0)

    # Cost

    def _key_result_batch(self):
        """Key results over every kind of group: orders, deliveries, growth
        (two windows), the coded turnover, several scopes and filters."""
        return (
            self.key_result("revenue")
            | self.key_result("revenue", team_id=self.team_north.id)
            | self.key_result(
                "average_order_value", salesperson_id=self.salesperson_2.id
            )
            | self.key_result(
                "order_confirmation_hours",
                team_id=self.team_south.id,
                warehouse_id=self.warehouse.id,
            )
            | self.key_result(
                "order_error_rate", scope_domain="[('amount_total', '>', 250)]"
            )
            | self.key_result("new_customers")
            | self.key_result("new_customer_growth")
            | self.key_result("on_time_delivery_rate", warehouse_id=self.warehouse.id)
            | self.key_result("backorder_rate", salesperson_id=self.salesperson_1.id)
            | self.key_result("late_open_orders")
            | self.key_result("inventory_turnover")
        )

    def _recompute_queries(self, key_results):
        self.env.invalidate_all()
        # The history of the past days has its own test (and its inserts grow
        # with the key results, as any insert does): here, the evaluation.
        self.enterContext(
            patch.object(
                type(self.env["okr.key.result"]), "_okr_past_values", return_value={}
            )
        )
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        with self.at(AFTER_Q4):
            key_results._okr_recompute()
            self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def test_query_count_stays_flat_as_key_results_are_added(self):
        # New key results turn off track at their first computation: the
        # rules' actions then cost per key result, by nature. Their overhead
        # on the engine is measured in test_okr_automation.
        self.env["base.automation"].search([]).active = False
        self._sell_a_quarter()
        self._recompute_queries(self._key_result_batch())  # warm the caches
        batch = self._key_result_batch()
        count = self._recompute_queries(batch)
        three_times = self._key_result_batch()
        three_times |= self._key_result_batch() | self._key_result_batch()
        self.assertEqual(len(three_times), 3 * len(batch))
        self.env.invalidate_all()
        with self.assertQueryCount(count), self.at(AFTER_Q4):
            three_times._okr_recompute()
        self.assertEqual(
            set(three_times.mapped("current_value")), set(batch.mapped("current_value"))
        )
        self.assertFalse(any(three_times.mapped("compute_error")))

    # History

    def test_daily_automatic_checkin_written_once_and_updated(self):
        key_result = self.key_result("revenue", "cycle_to_date", target_value=1000.0)
        self.sell(self.customer_a, local(2026, 11, 20, 9, 0), price=100.0)
        self.compute(key_result, local(2026, 11, 20, 10, 0))
        history = key_result.checkin_ids  # from the cycle's start: see below
        self.assertEqual(len(history), 51)
        checkin = history.filtered(lambda checkin: checkin.date == date(2026, 11, 20))
        self.assertRecordValues(
            checkin,
            [
                {
                    "date": date(2026, 11, 20),
                    "value": 100.0,
                    "source": "auto",
                    "progress": 10.0,
                }
            ],
        )
        self.sell(self.customer_b, local(2026, 11, 20, 12, 0), price=50.0)
        # 23:30 in Shanghai (15:30 UTC): the same day, the same check-in.
        self.compute(key_result, local(2026, 11, 20, 23, 30))
        self.compute(key_result, local(2026, 11, 20, 23, 31))
        self.assertEqual(key_result.checkin_ids, history)
        self.assertRecordValues(checkin, [{"value": 150.0, "progress": 15.0}])
        self.assertEqual(key_result.progress, 15.0)
        # 00:30 the next day in Shanghai, though still the 20th in UTC.
        self.sell(self.customer_c, local(2026, 11, 21, 0, 10), price=50.0)
        self.compute(key_result, local(2026, 11, 21, 0, 30))
        self.assertEqual(len(key_result.checkin_ids), 52)
        self.assertRecordValues(
            key_result.checkin_ids.sorted("date")[-2:],
            [
                {"date": date(2026, 11, 20), "value": 150.0, "source": "auto"},
                {"date": date(2026, 11, 21), "value": 200.0, "source": "auto"},
            ],
        )
        self.assertEqual(
            key_result.history["points"][-2:],
            [
                {"date": "2026-11-20", "value": 150.0},
                {"date": "2026-11-21", "value": 200.0},
            ],
        )

    def test_automatic_checkins_are_locked(self):
        owner = self.company_user("okr_refreshing_owner", "base.group_user")
        manager = self.company_user(
            "okr_locked_manager", "okr_order_management.group_okr_manager"
        )
        key_result = self.key_result("revenue", user_id=owner.id)
        self.sell(self.customer_a, local(2026, 11, 20, 9, 0), price=100.0)
        with self.at(local(2026, 11, 20, 10, 0)):
            key_result.with_user(owner).action_refresh()
        checkin = key_result.checkin_ids.filtered(
            lambda checkin: checkin.date == date(2026, 11, 20)
        )
        self.assertRecordValues(checkin, [{"source": "auto", "value": 100.0}])
        self.assertEqual(checkin.user_id, self.env.ref("base.user_root"))
        for user in (owner, manager):
            with self.subTest(user=user.login):
                mine = checkin.with_user(user)
                message = "records the value computed from its metric"
                with self.assertRaisesMessage(UserError, message):
                    mine.value = 150.0
                with self.assertRaisesMessage(UserError, message):
                    mine.unlink()
        self.assertRecordValues(checkin, [{"value": 100.0}])
        # Nor can one be forged: users check in by hand, as themselves.
        manual = self.key_result("revenue", source="manual", user_id=owner.id)
        forged = (
            self.env["okr.checkin"]
            .with_user(owner)
            .create(
                {
                    "key_result_id": manual.id,
                    "value": 5.0,
                    "source": "auto",
                    "user_id": manager.id,
                }
            )
        )
        self.assertRecordValues(forged, [{"source": "manual", "user_id": owner.id}])

    def test_manual_checkins_are_never_touched(self):
        key_result = self.env["okr.key.result"].create(
            {
                "name": "Revenue, counted by hand first",
                "objective_id": self.objective.id,
                "start_value": 0.0,
                "target_value": 1000.0,
            }
        )
        manual = self.env["okr.checkin"].create(
            {
                "key_result_id": key_result.id,
                "date": date(2026, 11, 20),
                "value": 42.0,
                "note": "Counted in the spreadsheet",
            }
        )
        key_result.write({"source": "metric", "metric_id": self.metric("revenue").id})
        self.sell(self.customer_a, local(2026, 11, 20, 9, 0), price=300.0)
        self.compute(key_result, local(2026, 11, 20, 10, 0))
        self.compute(key_result, local(2026, 11, 20, 11, 0))
        self.assertEqual(key_result.current_value, 300.0)
        self.assertRecordValues(
            key_result.checkin_ids.filtered(
                lambda checkin: checkin.date == date(2026, 11, 20)
            ).sorted("id"),
            [
                {
                    "source": "manual",
                    "value": 42.0,
                    "note": "Counted in the spreadsheet",
                },
                {"source": "auto", "value": 300.0, "note": False},
            ],
        )
        self.assertEqual(manual.date, date(2026, 11, 20))

    def test_metric_key_results_refuse_manual_values(self):
        owner = self.company_user("okr_metric_owner", "base.group_user")
        key_result = self.key_result("revenue", user_id=owner.id)
        # Neither its owner nor an administrator: only the engine.
        admin = self.company_user("okr_metric_admin", "base.group_system")
        for env in (key_result.with_user(admin).env, key_result.with_user(owner).env):
            with self.subTest(user=env.user.login):
                with self.assertRaisesMessage(
                    UserError,
                    "“Revenue \\(cycle\\)” is computed from its metric: its "
                    "check-ins are written automatically",
                ):
                    env["okr.checkin"].create(
                        {"key_result_id": key_result.id, "value": 5.0}
                    )
                with self.assertRaisesMessage(
                    UserError, "computed from its metric: press Refresh"
                ):
                    key_result.with_env(env).current_value = 5.0
        self.assertFalse(key_result.checkin_ids)

    def test_history_starts_with_the_cycle(self):
        """A key result created mid-cycle: one automatic check-in per past day
        of its cycle, each the value as of that day, one evaluation per day
        for all key results created together."""
        self.sell(self.customer_a, local(2026, 10, 5, 10, 0), price=100.0)
        self.sell(self.customer_b, local(2026, 11, 1, 10, 0), price=50.0)
        revenue = self.key_result("revenue", "cycle_to_date")
        orders = self.key_result("order_error_rate", "cycle_to_date")
        evaluate = metric_engine.evaluate
        with (
            self.at(local(2026, 11, 20, 10, 0)),
            patch.object(metric_engine, "evaluate", side_effect=evaluate) as runs,
        ):
            (revenue | orders)._okr_recompute()
        # Today, then the 50 days from October 1st to November 19th.
        self.assertEqual(runs.call_count, 1 + 50)
        values = {checkin.date: checkin.value for checkin in revenue.checkin_ids}
        self.assertEqual(len(values), 51)
        self.assertEqual(values[date(2026, 10, 1)], 0.0)
        self.assertEqual(values[date(2026, 10, 5)], 100.0)
        self.assertEqual(values[date(2026, 10, 31)], 100.0)
        self.assertEqual(values[date(2026, 11, 1)], 150.0)
        self.assertEqual(values[date(2026, 11, 20)], 150.0)
        self.assertEqual(set(revenue.checkin_ids.mapped("source")), {"auto"})
        # Filled in once: the next computation adds today's check-in only.
        with self.at(local(2026, 11, 21, 10, 0)):
            revenue._okr_recompute()
        self.assertEqual(len(revenue.checkin_ids), 52)

    # No data

    def test_average_of_nothing_keeps_the_last_value(self):
        key_result = self.key_result(
            "order_confirmation_hours",
            "rolling",
            window_days=7,
            start_value=10.0,
            target_value=2.0,
        )
        self.sell(
            self.customer_a,
            created=local(2026, 11, 10, 8, 0),
            confirmed=local(2026, 11, 10, 14, 0),
        )
        self.assertEqual(self.compute(key_result, local(2026, 11, 12, 9, 0)), 6.0)
        self.assertEqual(key_result.progress, (6 - 10) / (2 - 10) * 100)
        progress, status = key_result.progress, key_result.status
        # A week later, nothing was confirmed in the last 7 days.
        later = local(2026, 11, 25, 9, 0)
        self.assertIsNone(self.compute(key_result, later))
        self.assertRecordValues(
            key_result,
            [
                {
                    "current_value": 6.0,
                    "no_data_since": later,
                    "last_computed_at": later,
                    "progress": progress,
                    "status": status,
                    "compute_error": False,
                }
            ],
        )
        # The 10th, 11th (history filled in at the first computation) and 12th.
        self.assertEqual(len(key_result.checkin_ids), 3, "no check-in without data")
        # Still nothing: no data since the first time.
        self.compute(key_result, local(2026, 11, 26, 9, 0))
        self.assertEqual(key_result.no_data_since, later)
        # Data again.
        self.sell(
            self.customer_b,
            created=local(2026, 11, 26, 8, 0),
            confirmed=local(2026, 11, 26, 10, 0),
        )
        self.assertEqual(self.compute(key_result, local(2026, 11, 26, 12, 0)), 2.0)
        self.assertFalse(key_result.no_data_since)
        self.assertEqual(len(key_result.checkin_ids), 4)

    def test_ratio_of_nothing_is_no_data_count_and_sum_are_zero(self):
        self.assertIsNone(self.value("on_time_delivery_rate", start_value=20.0))
        self.assertIsNone(self.value("order_error_rate"))
        self.assertIsNone(self.value("average_order_value"))
        self.assertEqual(self.value("new_customers"), 0.0)
        self.assertEqual(self.value("revenue"), 0.0)
        self.assertEqual(self.value("revenue", team_id=self.team_north.id), 0.0)
        self.assertIsNone(self.value("inventory_turnover"))
        key_result = self.key_result("on_time_delivery_rate", start_value=20.0)
        self.compute(key_result)
        self.assertEqual(key_result.current_value, 20.0)
        self.assertEqual(key_result.no_data_since, AFTER_Q4)
        self.assertFalse(key_result.checkin_ids)

    def test_growth_from_an_empty_previous_window_is_no_data(self):
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0))
        self.sell(self.customer_b, local(2026, 11, 11, 10, 0))
        key_result = self.key_result("new_customer_growth", start_value=-10.0)
        self.assertIsNone(self.compute(key_result))
        self.assertEqual(key_result.current_value, -10.0)
        self.assertEqual(key_result.no_data_since, AFTER_Q4)
        self.assertFalse(key_result.compute_error)
        # Down to none in the current window is -100 %, a value.
        key_result = self.key_result(
            "new_customer_growth", "rolling", window_days=30, start_value=-10.0
        )
        self.assertEqual(self.compute(key_result, local(2027, 1, 9, 12, 0)), -100.0)

    # The cron and freshness

    def test_cron_recomputes_the_open_cycles_only(self):
        self.sell(self.customer_a, local(2026, 8, 10, 10, 0), price=70.0)
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=30.0)
        closed_cycle = self.env["okr.cycle"].create(
            {
                "name": "2026 Q3 Shanghai",
                "date_start": date(2026, 7, 1),
                "date_end": date(2026, 9, 30),
                "company_id": self.company.id,
            }
        )
        closed_objective = self.objective.copy({"cycle_id": closed_cycle.id})
        closed = self.key_result("revenue", objective_id=closed_objective.id)
        closed_cycle.state = "closed"
        draft_cycle = self.env["okr.cycle"].create(
            {
                "name": "2027 Q1 Shanghai",
                "date_start": date(2027, 1, 1),
                "date_end": date(2027, 3, 31),
                "company_id": self.company.id,
            }
        )
        draft = self.key_result(
            "revenue",
            "rolling",
            window_days=365,
            objective_id=self.objective.copy({"cycle_id": draft_cycle.id}).id,
        )
        active = self.key_result("revenue")
        manual = self.env["okr.key.result"].create(
            {
                "name": "Typed in",
                "objective_id": self.objective.id,
                "start_value": 0.0,
                "target_value": 10.0,
            }
        )
        with self.at(AFTER_Q4):
            self.env["okr.key.result"]._cron_recompute()
        self.assertEqual(active.current_value, 30.0)
        self.assertEqual(active.last_computed_at, AFTER_Q4)
        self.assertEqual(draft.current_value, 100.0)
        self.assertFalse(closed.last_computed_at)
        self.assertEqual(closed.current_value, 0.0)
        self.assertFalse(manual.last_computed_at)

    def test_cron_reports_its_progress(self):
        cron = self.env.ref("okr_order_management.okr_key_result_cron_recompute")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        self.key_result("revenue")
        self.key_result("on_time_delivery_rate")
        with self.at(AFTER_Q4):
            self.env["okr.key.result"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_recompute()
        # Every group done (at least ours: orders, deliveries), none left.
        self.assertGreaterEqual(progress.done, 2)
        self.assertEqual(progress.remaining, 0)

    def test_changes_request_a_recompute_after_commit(self):
        """Orders changing, and key results measuring something new: a request
        stored at commit, and one trigger of the recompute a minute later."""
        cron = self.env.ref(
            "okr_order_management.okr_key_result_cron_recompute_requested"
        )
        Trigger = self.env["ir.cron.trigger"]
        Request = self.env["okr.recompute.request"]
        key_result = self.key_result("revenue")
        order = self.sell(
            self.customer_a, None, created=local(2026, 11, 9, 10, 0), qty=3
        )
        delivered = self.sell(self.customer_b, local(2026, 11, 9, 10, 0), qty=3)
        self.env.cr.precommit.run()  # the changes above are not under test
        changes = {
            "confirmation": lambda: order.action_confirm(),
            "tags": lambda: order.write({"tag_ids": [(6, 0, self.complaint_tag.ids)]}),
            "delivery": lambda: self.deliver(delivered, local(2026, 11, 10, 10, 0)),
            "return": lambda: self.return_goods(
                delivered.picking_ids, local(2026, 11, 11, 10, 0), 1
            ),
            "cancellation": lambda: self.cancel(order, local(2026, 11, 12, 10, 0)),
            "new key result": lambda: self.key_result("order_error_rate"),
            "new scope": lambda: key_result.write({"window": "rolling"}),
            "cycle dates": lambda: self.cycle.write({"date_end": date(2026, 12, 30)}),
            "metric definition": lambda: self.metric("revenue").write(
                {"domain": "[('state', '=', 'sale'), ('amount_untaxed', '>', 0)]"}
            ),
        }
        for change, apply in changes.items():
            with self.subTest(change=change):
                Request._take()
                Trigger.search([("cron_id", "=", cron.id)]).unlink()
                apply()
                self.env.flush_all()
                # Nothing in the user's transaction until it commits.
                self.assertFalse(Request.search([]))
                self.assertFalse(Trigger.search([("cron_id", "=", cron.id)]))
                self.assertFalse(key_result.last_computed_at)
                before = fields.Datetime.now()
                self.env.cr.precommit.run()
                self.assertTrue(Request.search([]))
                new = Trigger.search([("cron_id", "=", cron.id)])
                self.assertEqual(len(new), 1)
                self.assertGreaterEqual(new.call_at, before + timedelta(minutes=1))
                self.assertLessEqual(
                    new.call_at, fields.Datetime.now() + timedelta(minutes=1)
                )

    def test_recompute_requests_are_debounced(self):
        """Requests within a minute, from any worker: one trigger, one run."""
        cron = self.env.ref(
            "okr_order_management.okr_key_result_cron_recompute_requested"
        )
        Trigger = self.env["ir.cron.trigger"]
        self.env.cr.precommit.run()
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        for day in (10, 11, 12):
            self.sell(self.customer_a, local(2026, 11, day, 10, 0))
            self.env.cr.precommit.run()
        # Three transactions within a minute: one recompute.
        self.assertEqual(len(Trigger.search([("cron_id", "=", cron.id)])), 1)
        self.assertTrue(self.env["okr.recompute.request"].search([]))

    def test_a_change_of_old_records_recomputes_the_windows_they_are_in(self):
        """An order confirmed last quarter, cancelled now: the key results of
        last quarter's cycle count it, and are recomputed."""
        KeyResult = self.env["okr.key.result"]
        past_cycle = self.cycle.copy(
            {"date_start": date(2026, 7, 1), "date_end": date(2026, 9, 30)}
        )
        past = self.key_result(
            "revenue", objective_id=self.objective.copy({"cycle_id": past_cycle.id}).id
        )
        order = self.sell(self.customer_a, local(2026, 9, 20, 10, 0), price=70.0)
        with self.at(local(2026, 11, 20, 10, 0)):
            self.env.cr.precommit.run()
            self.env["okr.recompute.request"]._take()
            self.cancel(order, local(2026, 11, 20, 10, 0))
            self.env.cr.precommit.run()
            KeyResult._cron_recompute_requested()
        self.assertEqual(past.last_computed_at, local(2026, 11, 20, 10, 0))
        self.assertEqual(past.current_value, 0.0)

    def test_requests_of_a_transaction_keep_the_earliest_date(self):
        """Changes of old and new records in one transaction: one request per
        source and company, from the oldest record's date."""
        KeyResult = self.env["okr.key.result"]
        Request = self.env["okr.recompute.request"]
        old = local(2026, 7, 10, 10, 0)
        now = local(2026, 11, 20, 10, 0)
        for dates in ((None, old), (old, None)):
            with self.subTest(order=dates), self.at(now):
                self.env.cr.precommit.run()
                Request._take()
                for since in dates:
                    KeyResult._okr_request_recompute(
                        ["sale.order"], self.company.ids, since=since
                    )
                self.env.cr.precommit.run()
                self.assertEqual(
                    Request.search([]).mapped(lambda r: (r.changed_from, r.changed_to)),
                    [(old, now)],
                )

    def test_a_change_recomputes_only_what_it_can_affect(self):
        """An order changing now: the key results over orders of its company
        whose window holds now, and what is overdue; not the deliveries, not
        another company, not a window that is over."""
        KeyResult = self.env["okr.key.result"]
        Request = self.env["okr.recompute.request"]
        now = local(2026, 11, 20, 10, 0)
        revenue = self.key_result("revenue", "cycle_to_date")
        rolling = self.key_result("revenue", "rolling", window_days=7)
        overdue = self.key_result("late_open_orders")
        deliveries = self.key_result("on_time_delivery_rate", "cycle_to_date")
        past_cycle = self.cycle.copy(
            {"date_start": date(2026, 7, 1), "date_end": date(2026, 9, 30)}
        )
        past = self.key_result(
            "revenue", objective_id=self.objective.copy({"cycle_id": past_cycle.id}).id
        )
        with self.at(now):
            self.env.cr.precommit.run()
            Request._take()
            KeyResult._okr_request_recompute(["sale.order"], self.company.ids)
            KeyResult._okr_request_recompute(["sale.order"], self.other_company.ids)
            self.env.cr.precommit.run()
            evaluate = metric_engine.evaluate
            with patch.object(
                metric_engine, "evaluate", side_effect=evaluate
            ) as evaluated:
                KeyResult._cron_recompute_requested()
        measured = {key for call in evaluated.call_args_list for key in call.args[1]}
        self.assertEqual(measured, {revenue.id, rolling.id, overdue.id})
        self.assertEqual(revenue.last_computed_at, now)
        self.assertFalse(deliveries.last_computed_at)
        self.assertFalse(past.last_computed_at)
        self.assertFalse(Request.search([]), "the requests served are deleted")

    # Drill-down

    def test_drill_down_opens_the_records_counted(self):
        self._sell_a_quarter()
        cancelled = self.sell(self.customer_d, local(2026, 11, 15, 10, 0))
        self.cancel(cancelled, local(2026, 11, 16, 10, 0))
        self.sell(
            self.customer_d, local(2026, 11, 10, 10, 0), company=self.other_company
        )
        now = local(2026, 11, 18, 12, 0)
        new_customers = self.key_result(
            "new_customers", "cycle_to_date", team_id=self.team_north.id
        )
        error_rate = self.key_result("order_error_rate", "cycle_to_date")
        on_time = self.key_result(
            "on_time_delivery_rate",
            "rolling",
            window_days=16,
            warehouse_id=self.warehouse.id,
        )
        hours = self.key_result(
            "order_confirmation_hours", salesperson_id=self.salesperson_1.id
        )
        revenue = self.key_result(
            "revenue", scope_domain=f"[('partner_id', '=', {self.customer_a.id})]"
        )
        late = self.key_result("late_open_orders")
        growth = self.key_result("new_customer_growth", "cycle_to_date")
        all_key_results = (
            new_customers | error_rate | on_time | hours | revenue | late | growth
        )
        self.compute(all_key_results, now)
        self.assertFalse(any(all_key_results.mapped("compute_error")))

        # Orders made after the computation do not change what opens.
        self.sell(
            self.customer_d, local(2026, 11, 18, 13, 0), team_id=self.team_north.id
        )

        def count(key_result, numerator=False):
            return len(self.records(key_result, numerator))

        self.assertEqual(new_customers.current_value, 2.0)
        self.assertEqual(count(new_customers), 2)
        # 5 orders confirmed to date, 1 of them cancelled.
        self.assertEqual(count(error_rate), 5)
        self.assertEqual(count(error_rate, numerator=True), 1)
        self.assertEqual(error_rate.current_value, 1 / 5 * 100)
        # From the first warehouse in the 16 days before the 18th at noon: the
        # 3rd (on time), the 12th and the 16th (late).
        base, matching = count(on_time), count(on_time, numerator=True)
        self.assertEqual((base, matching), (3, 1))
        self.assertAlmostEqual(on_time.current_value, matching / base * 100)
        orders = self.records(hours)
        self.assertEqual(len(orders), 2)
        self.assertAlmostEqual(
            sum(orders.mapped("okr_confirmation_hours")) / 2, hours.current_value
        )
        self.assertEqual(sum(self.records(revenue).mapped("amount_untaxed")), 700.0)
        self.assertEqual(revenue.current_value, 700.0)
        self.assertEqual(count(late), late.current_value)
        self.assertEqual(count(growth), 3)

        action = on_time.action_view_matching_records()
        self.assertEqual(action["res_model"], "stock.picking")
        self.assertEqual(
            self.env["stock.picking"].search_count(action["domain"]), matching
        )
        action = error_rate.action_view_records()
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(self.env["sale.order"].search_count(action["domain"]), 5)

    def test_value_and_drill_down_agree_for_every_metric_and_window(self):
        """What the engine counts in SQL, the drill-down's domain selects:
        every built-in metric, every kind of window, inside the cycle and
        after it, "overdue now" included."""
        self._sell_a_quarter()
        late = self.sell(self.customer_d, local(2026, 11, 15, 10, 0))
        late.commitment_date = local(2026, 11, 16, 10, 0)
        windows = {
            "cycle": {},
            "cycle_to_date": {},
            "rolling": {"window_days": 9},
        }
        metrics = self.env["okr.metric"].search([])
        self.assertGreaterEqual(len(metrics), 12)
        for when in (local(2026, 11, 14, 12, 0), AFTER_Q4):
            for metric in metrics:
                for window, vals in windows.items():
                    with self.subTest(metric=metric.code, window=window, when=when):
                        key_result = self.key_result(metric.code, window, **vals)
                        engine = self.compute(key_result, when)
                        measure = key_result._okr_measure(when)
                        self.assertEqual(
                            measure.domain(),
                            self._okr_records_domain_of(key_result),
                        )
                        orm = metric_engine.orm_value(self.env, measure)
                        if engine is None or orm is None:
                            self.assertEqual(engine, orm)
                        else:
                            self.assertAlmostEqual(engine, orm, places=6)

    def _okr_records_domain_of(self, key_result):
        return key_result._okr_records_domain()[1]

    def test_drill_down_with_the_users_own_rights(self):
        """The value counts the whole company; the salesperson who opens it
        sees their own orders only, and a user without sales rights none."""
        self._sell_a_quarter()
        salesperson = self.salesperson_1  # Sales: own documents only
        key_result = self.key_result("revenue", user_id=salesperson.id)
        key_result.with_user(salesperson).action_refresh()
        self.assertEqual(key_result.current_value, 1400.0)
        action = key_result.with_user(salesperson).action_view_records()
        orders = self.env["sale.order"].with_user(salesperson).search(action["domain"])
        self.assertEqual(orders.user_id, salesperson)
        self.assertEqual(len(orders), 2)
        plain = self.company_user("okr_metric_plain", "base.group_user")
        with self.assertRaisesMessage(
            UserError,
            "“Revenue \\(cycle\\)” is computed from Sales Order, which you are "
            "not allowed to open",
        ):
            key_result.with_user(plain).action_view_records()
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(plain).search(action["domain"])

    def test_okr_user_sets_up_refreshes_and_opens_a_metric_key_result(self):
        """A salesperson (an OKR user too, with Sales "own documents") on their
        own objective, through the form: scoped to their own orders, refreshed,
        opened. Their team's orders, which they cannot read, are refused."""
        self._sell_a_quarter()
        salesperson = self.salesperson_1
        objective = self.own_objective(salesperson)
        form = Form(self.env["okr.key.result"].with_user(salesperson))
        form.name = "North revenue"
        form.objective_id = objective
        form.source = "metric"
        form.metric_id = self.metric("revenue")
        form.team_id = self.team_north
        form.window = "cycle"
        form.start_value = 0.0
        form.target_value = 1000.0
        with self.assertRaisesMessage(
            ValidationError, "would count Sales Order that you are not allowed to read"
        ):
            form.save()
        form.team_id = self.env["crm.team"]
        form.salesperson_id = salesperson
        key_result = form.save()
        self.assertEqual(key_result.value_type, "currency")
        with self.at(AFTER_Q4):
            key_result.action_refresh()
        self.assertFalse(key_result.compute_error)
        # 200 (North) + 400 (South), their own.
        self.assertEqual(key_result.current_value, 600.0)
        self.assertEqual(key_result.progress, 60.0)
        action = key_result.action_view_records()
        orders = self.env["sale.order"].with_user(salesperson).search(action["domain"])
        self.assertEqual(sorted(orders.mapped("amount_untaxed")), [200.0, 400.0])

    def test_metric_key_result_from_the_objectives_lines(self):
        """Picking a metric on a line of the objective makes it computed."""
        salesperson = self.salesperson_1
        objective = self.own_objective(salesperson)
        form = Form(objective.with_user(salesperson))
        with form.key_result_ids.new() as line:
            line.name = "Revenue"
            line.target_value = 1000.0
            line.metric_id = self.metric("revenue")
            self.assertEqual(line.source, "metric")
        form.save()
        key_result = objective.key_result_ids
        self.assertRecordValues(
            key_result,
            [{"source": "metric", "window": "cycle_to_date", "value_type": "currency"}],
        )
        self.assertEqual(key_result.metric_id, self.metric("revenue"))
