from datetime import date, datetime
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .metric_common import AFTER_Q4, Q4_END, Q4_START, MetricCase, local

#: The last second of Q4 in Shanghai: what a close after the cycle evaluates.
Q4_LAST_SECOND = local(2026, 12, 31, 23, 59, 59)
#: The end of Q4's last day in Shanghai (2026-12-31 16:00 UTC).
Q4_END_UTC = local(2027, 1, 1, 0, 0)


class CloseMetricCase(MetricCase):
    """The Shanghai company's Q4 cycle, an OKR manager (with no Sales rights)
    to close it and the next quarter to carry over into."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.company_user(
            "okr_close_manager",
            "base.group_user,okr_order_management.group_okr_manager",
        )
        cls.next_cycle = cls.env["okr.cycle"].create(
            {
                "name": "2027 Q1 Shanghai",
                "date_start": date(2027, 1, 1),
                "date_end": date(2027, 3, 31),
                "company_id": cls.company.id,
            }
        )

    def open_wizard(self, cycle=None, when=AFTER_Q4):
        with self.at(when):
            action = (cycle or self.cycle).with_user(self.manager).action_close()
        return (
            self.env["okr.cycle.close"].with_user(self.manager).browse(action["res_id"])
        )

    def confirm(self, wizard, when=AFTER_Q4):
        with self.at(when):
            wizard.action_confirm()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestOkrCycleCloseMetric(CloseMetricCase):
    """The close evaluates metric key results one last time, as of the end of
    the cycle, and freezes what they measured."""

    def test_frozen_values_do_not_move_when_orders_change(self):
        key_result = self.key_result("revenue", "cycle_to_date", target_value=1000.0)
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=300.0)
        late_order = self.sell(self.customer_b, local(2026, 12, 31, 20, 0), price=200.0)
        self.assertEqual(self.compute(key_result, local(2026, 12, 1, 9, 0)), 300.0)
        wizard = self.open_wizard()
        self.assertRecordValues(
            wizard.line_ids,
            [{"final_value": 500.0, "final_score": 0.5, "missed": True}],
        )
        self.assertEqual(key_result.current_value, 300.0, "a preview stores nothing")
        self.confirm(wizard)
        frozen = {
            "current_value": 500.0,
            "final_value": 500.0,
            "final_progress": 50.0,
            "final_score": 0.5,
            "progress": 50.0,
            "status": "missed",
            "miss_reason": "other",
            "last_computed_at": Q4_LAST_SECOND,
        }
        self.assertRecordValues(key_result, [frozen])
        self.assertEqual(self.objective.status, "missed")
        # Its measure as evaluated: the window of the cycle, the definition.
        measure = key_result.final_measure
        self.assertEqual(
            measure["window"],
            {
                "start": "2026-09-30 16:00:00",
                "end": "2026-12-31 16:00:00",
                "tz": "Asia/Shanghai",
            },
        )
        self.assertEqual(
            (measure["model_name"], measure["aggregate"], measure["date_field"]),
            ("sale.order", "sum", "okr_confirmed_at"),
        )
        # The automatic check-in of the last day holds the final value.
        last_day = key_result.checkin_ids.filtered(
            lambda checkin: checkin.date == Q4_END
        )
        self.assertEqual(last_day.value, 500.0)
        checkins = key_result.checkin_ids
        # An order cancelled after the close: requests, crons, Refresh, even
        # the superuser's recompute leave the closed numbers as they are.
        self.cancel(late_order, AFTER_Q4)
        later = datetime(2027, 1, 6, 9, 0)
        with self.at(later):
            KeyResult = self.env["okr.key.result"]
            KeyResult._cron_recompute_requested()
            KeyResult._cron_recompute()
            key_result._okr_recompute()
            self.env["okr.objective"]._cron_update_status()
            with self.assertRaises(UserError):
                key_result.with_user(self.manager).action_refresh()
        self.env.invalidate_all()
        self.assertRecordValues(key_result, [frozen])
        self.assertEqual(key_result.checkin_ids, checkins)
        self.assertEqual(self.objective.status, "missed")
        # Its records are those of the frozen window (the cancelled order is
        # no longer a sale).
        model, domain = key_result._okr_records_domain()
        self.assertEqual(model, "sale.order")
        self.assertIn(("okr_confirmed_at", "<", Q4_END_UTC), domain)
        self.assertEqual(self.records(key_result).mapped("amount_untaxed"), [300.0])

    def test_grace_period_counts_what_is_dated_just_after_the_last_day(self):
        key_result = self.key_result("revenue", target_value=300.0)
        self.sell(self.customer_a, local(2026, 12, 31, 15, 0), price=100.0)
        # Confirmed at 01:00 on the first day of the next quarter.
        self.sell(self.customer_b, local(2027, 1, 1, 1, 0), price=100.0)
        self.sell(self.customer_c, local(2027, 1, 1, 3, 0), price=100.0)
        self.company.okr_close_grace_hours = 2
        wizard = self.open_wizard()
        self.assertEqual(wizard.grace_hours, 2, "the company's setting")
        self.assertEqual(wizard.line_ids.final_value, 200.0)
        with self.at(AFTER_Q4):
            form = Form(wizard)
            form.grace_hours = 0
            self.assertEqual(form.line_ids.edit(0).final_value, 100.0)
            form.grace_hours = 4
            self.assertEqual(form.line_ids.edit(0).final_value, 300.0)
            form.grace_hours = 2
            form.save()
        self.confirm(wizard)
        self.assertEqual(key_result.final_value, 200.0)
        self.assertEqual(
            key_result.final_measure["window"]["end"], "2026-12-31 18:00:00"
        )

    def test_closing_during_the_grace_period_warns(self):
        self.company.okr_close_grace_hours = 24
        wizard = self.open_wizard(when=local(2027, 1, 1, 9, 0))
        with self.at(local(2027, 1, 1, 9, 0)):
            self.assertTrue(wizard.grace_pending)
            self.assertEqual(wizard.counted_until, local(2027, 1, 2, 0, 0))
        wizard.invalidate_recordset(["grace_pending"])
        with self.at(local(2027, 1, 2, 0, 30)):
            self.assertFalse(wizard.grace_pending)

    def test_a_rolling_window_is_evaluated_at_the_end_of_the_cycle(self):
        """Closed three weeks late, the last 7 days are still the cycle's."""
        key_result = self.key_result(
            "revenue", "rolling", window_days=7, target_value=100.0
        )
        self.sell(self.customer_a, local(2026, 12, 20, 10, 0), price=40.0)
        self.sell(self.customer_a, local(2026, 12, 28, 10, 0), price=100.0)
        self.sell(self.customer_b, local(2027, 1, 15, 10, 0), price=50.0)
        close_day = local(2027, 1, 20, 9, 0)
        self.confirm(self.open_wizard(when=close_day), when=close_day)
        self.assertRecordValues(
            key_result,
            [{"final_value": 100.0, "final_score": 1.0, "status": "achieved"}],
        )
        self.assertEqual(
            key_result.final_measure["window"]["start"], "2026-12-24 16:00:00"
        )

    def test_a_metric_that_cannot_be_evaluated_is_frozen_at_its_last_value(self):
        key_result = self.key_result("revenue", target_value=1000.0)
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=300.0)
        self.compute(key_result, local(2026, 12, 1, 9, 0))
        self.metric("revenue").active = False
        wizard = self.open_wizard()
        self.assertIn("archived", wizard.line_ids.compute_error)
        self.assertEqual(wizard.line_ids.final_value, 300.0)
        self.confirm(wizard)
        self.assertRecordValues(
            key_result,
            [{"final_value": 300.0, "final_score": 0.3, "status": "missed"}],
        )
        self.assertIn("archived", key_result.compute_error)
        self.assertFalse(key_result.final_measure)

    def test_carry_over_keeps_the_metric_its_scope_and_who_scoped_it(self):
        scoper = self.company_user(
            "okr_close_scoper",
            "base.group_user,sales_team.group_sale_manager,"
            "okr_order_management.group_okr_manager",
        )
        objective = self.own_objective(scoper)
        key_result = (
            self.env["okr.key.result"]
            .with_user(scoper)
            .create(
                {
                    "name": "North sells big orders",
                    "objective_id": objective.id,
                    "source": "metric",
                    "metric_id": self.metric("revenue").id,
                    "window": "cycle_to_date",
                    "team_id": self.team_north.id,
                    "scope_domain": "[('amount_untaxed', '>', 50)]",
                    "start_value": 0.0,
                    "target_value": 1000.0,
                }
            )
        )
        self.sell(
            self.customer_a,
            local(2026, 11, 10, 10, 0),
            price=400.0,
            team_id=self.team_north.id,
        )
        self.sell(
            self.customer_a,
            local(2026, 11, 11, 10, 0),
            price=30.0,
            team_id=self.team_north.id,
        )
        self.sell(
            self.customer_b,
            local(2026, 11, 12, 10, 0),
            price=500.0,
            team_id=self.team_south.id,
        )
        wizard = self.open_wizard()
        wizard.carry_objective_ids = objective
        self.assertEqual(wizard.next_cycle_id, self.next_cycle)
        self.confirm(wizard)
        self.assertEqual(key_result.final_value, 400.0)
        copy = self.env["okr.key.result"].search(
            [("carried_from_id", "=", key_result.id)]
        )
        self.assertRecordValues(
            copy,
            [
                {
                    "cycle_id": self.next_cycle.id,
                    "source": "metric",
                    "metric_id": self.metric("revenue").id,
                    "window": "cycle_to_date",
                    "team_id": self.team_north.id,
                    "scope_domain": "[('amount_untaxed', '>', 50)]",
                    "scope_user_id": scoper.id,
                    "start_value": 400.0,
                    "target_value": 1000.0,
                    "user_id": key_result.user_id.id,
                }
            ],
        )
        self.assertFalse(copy.checkin_ids)
        # Computed in its own cycle, as its scope says.
        self.sell(
            self.customer_a,
            local(2027, 2, 1, 10, 0),
            price=700.0,
            team_id=self.team_north.id,
        )
        self.assertEqual(self.compute(copy, local(2027, 2, 2, 9, 0)), 700.0)
        self.assertEqual(copy.progress, 50.0)
        self.assertEqual(key_result.final_value, 400.0)


@tagged("post_install", "-at_install")
class TestOkrCycleCloseQueries(CloseMetricCase):
    """Closing is one set-based pass: as many queries for 100 key results as
    for 10. (An objective's progress, a recursive field of the alignment
    tree, is aggregated one objective at a time whatever changes it: the
    objectives are as many here.)"""

    def _cycle_with(self, count, name):
        """A Q4 cycle with ``count`` key results in a committed and an
        aspirational objective, half of them computed from metrics (computed
        once already; their past days' history aside, as its inserts grow with
        the key results, as any insert does)."""
        cycle = self.env["okr.cycle"].create(
            {
                "name": name,
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": self.company.id,
                "state": "active",
            }
        )
        objectives = self.env["okr.objective"].create(
            [
                {
                    "name": f"{name} {commitment}",
                    "cycle_id": cycle.id,
                    "company_id": self.company.id,
                    "commitment": commitment,
                }
                for commitment in ("committed", "aspirational")
            ]
        )
        metrics = ["revenue", "order_error_rate", "new_customers"]
        vals_list = []
        for index in range(count):
            vals = {
                "name": f"{name} key result {index}",
                "objective_id": objectives[index % 2].id,
                "start_value": 0.0,
                "target_value": 100.0 + index,
                "current_value": 100.0 + index if index % 5 == 0 else index % 7,
            }
            if index % 3:
                vals.update(
                    source="metric",
                    metric_id=self.metric(metrics[index % 3]).id,
                    window=("cycle", "cycle_to_date")[index % 2],
                )
            vals_list.append(vals)
        key_results = self.env["okr.key.result"].create(vals_list)
        with patch.object(
            type(self.env["okr.key.result"]), "_okr_past_values", return_value={}
        ):
            self.compute(
                key_results.filtered(lambda kr: kr.source == "metric"),
                local(2026, 12, 30, 9, 0),
            )
        return cycle

    def _wizard(self, cycle):
        """The close wizard of ``cycle``, in the manager's own context
        (tracking on, as in the web client), caches emptied."""
        wizard = self.open_wizard(cycle).with_env(
            self.env(
                user=self.manager, context={"allowed_company_ids": self.company.ids}
            )
        )
        self.env.invalidate_all()
        return wizard

    def _close_queries(self, cycle):
        wizard = self._wizard(cycle)
        self.env.flush_all()
        self.env.cr.flush()
        start = self.env.cr.sql_log_count
        with self.at(AFTER_Q4):
            wizard.action_confirm()
            self.env.flush_all()
            self.env.cr.flush()
        return self.env.cr.sql_log_count - start

    def test_query_count_does_not_grow_with_the_key_results(self):
        # Key results achieved at the close are announced, one chatter message
        # each, by the recognition rules: that costs per key result, by nature
        # (test_okr_recognition). The close itself is measured here.
        self.env["base.automation"].search([]).active = False
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=300.0)
        self.sell(self.customer_b, local(2026, 12, 5, 10, 0), price=200.0)
        self._close_queries(self._cycle_with(5, "Warm"))  # the caches
        ten = self._close_queries(self._cycle_with(10, "Ten"))
        hundred = self._cycle_with(100, "Hundred")
        wizard = self._wizard(hundred)
        with self.assertQueryCount(ten), self.at(AFTER_Q4):
            wizard.action_confirm()
        key_results = self.env["okr.key.result"].search([("cycle_id", "=", hundred.id)])
        self.assertEqual(len(key_results), 100)
        self.assertEqual(set(key_results.mapped("status")), {"achieved", "missed"})
        self.assertFalse(
            key_results.filtered(lambda kr: kr.final_value != kr.current_value)
        )
