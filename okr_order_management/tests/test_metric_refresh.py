from unittest.mock import patch

import psycopg2.errors

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .. import metric_engine
from .metric_common import AFTER_Q4, MetricCase, local


@tagged("post_install", "-at_install")
class TestMetricRefresh(MetricCase):
    """Refresh: who may, what it costs, where it reads."""

    def _evaluations(self, key_results, user=None):
        """The engine's evaluations that refreshing ``key_results`` runs, and
        the read-only flag of the cursor each one read on."""
        read_only = []
        evaluate = metric_engine.evaluate

        def spy(env, measures, *args, **kwargs):
            read_only.append(env.cr.readonly)
            return evaluate(env, measures, *args, **kwargs)

        with (
            patch.object(metric_engine, "evaluate", side_effect=spy),
            self.at(AFTER_Q4),
        ):
            key_results.with_user(user or self.env.user).action_refresh()
        return read_only

    def test_refreshing_many_key_results_is_one_evaluation(self):
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        one = self.key_result("revenue", "rolling", window_days=30)
        many = (
            self.key_result("revenue", "rolling", window_days=30)
            | self.key_result("order_error_rate", "rolling", window_days=30)
            | self.key_result("on_time_delivery_rate", "rolling", window_days=30)
        )
        # History first (one evaluation per past day, for all of them)...
        first_one = len(self._evaluations(one))
        self.assertEqual(len(self._evaluations(many)), first_one)
        # ...then today's values: one evaluation, however many.
        self.assertEqual(len(self._evaluations(one)), 1)
        self.assertEqual(len(self._evaluations(many)), 1)
        self.assertEqual(set(many.mapped("last_computed_at")), {AFTER_Q4})

    def test_refresh_is_for_those_who_may_edit_the_key_result(self):
        owner = self.company_user("okr_refresh_owner", "base.group_user")
        reader = self.company_user("okr_refresh_reader", "base.group_user")
        key_result = self.key_result("revenue", user_id=owner.id)
        with self.assertRaises(AccessError):
            self._evaluations(key_result, user=reader)
        self.assertFalse(key_result.last_computed_at)
        self._evaluations(key_result, user=owner)
        self.assertEqual(key_result.last_computed_at, AFTER_Q4)

    def test_a_closed_cycle_is_not_refreshed(self):
        manager = self.company_user(
            "okr_refresh_manager", "okr_order_management.group_okr_manager"
        )
        key_result = self.key_result("revenue")
        self.cycle.state = "closed"
        with self.assertRaisesRegex(UserError, "is closed"):
            self._evaluations(key_result, user=manager)
        self.assertFalse(key_result.last_computed_at)

    def test_reads_on_the_replica_when_odoo_has_one(self):
        """With ``db_replica_host`` set, Odoo opens read-only cursors on the
        replica: in tests, read-only cursors of the test transaction."""
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        key_result = self.key_result("revenue")
        with patch.object(self.registry, "_db_readonly", object()):
            read_only = self._evaluations(key_result)
        self.assertTrue(read_only)
        self.assertEqual(set(read_only), {True})
        # Written on the main cursor.
        self.assertEqual(key_result.current_value, 100.0)
        self.assertEqual(key_result.last_computed_at, AFTER_Q4)
        # Without a replica, on the transaction's own cursor.
        self.assertEqual(set(self._evaluations(key_result)), {False})

    def test_a_group_slower_than_the_timeout_fails_alone(self):
        """Under the statement timeout of the setting, a query that takes
        longer is cancelled by PostgreSQL: its key results say so, the other
        groups are computed."""
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        self.env["ir.config_parameter"].set_param(metric_engine.TIMEOUT_PARAM, "1")
        slow = self.key_result("on_time_delivery_rate")
        revenue = self.key_result("revenue")
        fetch = metric_engine.GroupQuery.fetch

        def slow_groups(query):
            if query.model_name == "stock.picking":
                query.env.cr.execute("SELECT pg_sleep(3)")
            return fetch(query)

        with patch.object(
            metric_engine.GroupQuery,
            "fetch",
            autospec=True,
            side_effect=slow_groups,
        ):
            self._evaluations(slow | revenue)
        self.assertRegex(slow.compute_error, "took longer than 1 seconds")
        self.assertEqual(revenue.current_value, 100.0)
        self.assertFalse(revenue.compute_error)
        # The transaction's own timeout is back as it was.
        self.env.cr.execute("SHOW statement_timeout")
        self.assertNotEqual(self.env.cr.fetchone()[0], "1s")

    def test_one_automatic_checkin_per_key_result_and_day(self):
        """A unique index: two recomputes at once cannot both write today's."""
        self.sell(self.customer_a, local(2026, 11, 10, 10, 0), price=100.0)
        key_result = self.key_result("revenue")
        self._evaluations(key_result)
        today = key_result.checkin_ids.sorted("date")[-1]
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env["okr.checkin"].create(
                {
                    "key_result_id": key_result.id,
                    "date": today.date,
                    "value": 1.0,
                    "source": "auto",
                }
            )
        # The second recompute of the day updates it in place.
        self._evaluations(key_result)
        self.assertEqual(
            len(key_result.checkin_ids.filtered(lambda c: c.date == today.date)), 1
        )
