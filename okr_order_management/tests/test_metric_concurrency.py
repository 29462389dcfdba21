import threading
from datetime import date
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMetricConcurrency(TransactionCase):
    """The scheduled recompute against a concurrent change of a key result.

    The test's own transaction is never committed, so the data lives in real,
    committed transactions of their own (and is removed afterwards): the run
    goes in a thread of its own, as a cron worker, while another transaction
    holds the row of one of its key results.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            cycle = env["okr.cycle"].create(
                {
                    "name": "Concurrency test",
                    "date_start": date(2026, 10, 1),
                    "date_end": date(2026, 12, 31),
                    "company_id": company.id,
                }
            )
            objective = env["okr.objective"].create(
                {"name": "Concurrency test", "cycle_id": cycle.id}
            )
            self.key_result_ids = [
                env["okr.key.result"]
                .create(
                    {
                        "name": code,
                        "objective_id": objective.id,
                        "metric_id": env["okr.metric"].search([("code", "=", code)]).id,
                        "source": "metric",
                        "target_value": 10.0,
                    }
                )
                .id
                for code in ("revenue", "on_time_delivery_rate", "late_open_orders")
            ]
            self.cycle_id = cycle.id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["okr.cycle"].browse(self.cycle_id).objective_ids.unlink()
            env["okr.cycle"].browse(self.cycle_id).unlink()
            env["okr.recompute.request"]._take()

    def _recompute_in_a_worker(self, attempts):
        """The scheduled run on its own cursor, as a cron worker runs it."""
        KeyResult = type(self.env["okr.key.result"])
        recompute_batch = KeyResult._okr_recompute_batch

        def counted(key_results, measures, *args):
            attempts.extend(measures)
            return recompute_batch(key_results, measures, *args)

        def run():
            with (
                patch.object(KeyResult, "_okr_recompute_batch", counted),
                self.registry.cursor() as cr,
            ):
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["okr.key.result"].browse(self.key_result_ids)._okr_recompute(
                    commit=True
                )

        return threading.Thread(target=run)

    def test_a_conflict_is_retried_and_the_other_groups_are_stored(self):
        held = self.key_result_ids[0]
        attempts = []
        with self.registry.cursor() as user_cr:
            # A user's transaction changes the first key result, and commits
            # only once the run has computed it and waits for its row.
            user_cr.execute(
                "UPDATE okr_key_result SET target_value = 20 WHERE id = %s", [held]
            )
            worker = self._recompute_in_a_worker(attempts)
            worker.start()
            worker.join(timeout=3)
            self.assertTrue(worker.is_alive(), "the run waits for the row")
        # The user's commit made the run's write a serialization failure.
        worker.join(timeout=60)
        self.assertFalse(worker.is_alive())
        self.assertEqual(attempts.count(held), 2, "retried once, in a new transaction")
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT id, target_value, last_computed_at IS NOT NULL, compute_error "
                "FROM okr_key_result WHERE id IN %s ORDER BY id",
                [tuple(self.key_result_ids)],
            )
            rows = cr.fetchall()
        self.assertEqual(
            [(target, computed, error) for _id, target, computed, error in rows],
            [(20.0, True, None), (10.0, True, None), (10.0, True, None)],
        )

    def test_two_workers_requests_within_a_minute_make_one_run(self):
        cron = self.env.ref(
            "okr_order_management.okr_key_result_cron_recompute_requested"
        )
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [cron.id])
        self.addCleanup(self._remove_triggers, cron.id)
        company = self.env.ref("base.main_company")
        # Two transactions of two workers, one after the other: each commits.
        for _worker in range(2):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["okr.key.result"]._okr_request_recompute(
                    ["sale.order"], company.ids
                )
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", [cron.id]
            )
            self.assertEqual(cr.fetchone()[0], 1)
            cr.execute(
                "SELECT count(*) FROM okr_recompute_request WHERE model_name = %s",
                ["sale.order"],
            )
            self.assertEqual(cr.fetchone()[0], 2)

    def _remove_triggers(self, cron_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [cron_id])


@tagged("post_install", "-at_install")
class TestRecomputeRequestsTaken(TransactionCase):
    """The hourly run and the run a change scheduled may start together, on
    two cron threads: both take the pending requests."""

    def _request_committed(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "INSERT INTO okr_recompute_request (changed_from, changed_to) "
                "VALUES (now() at time zone 'UTC', now() at time zone 'UTC')"
            )
        self.addCleanup(self._take_in_a_transaction_of_its_own)

    def _take_in_a_transaction_of_its_own(self):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {})[
                "okr.recompute.request"
            ]._take()

    def test_the_second_run_takes_nothing_instead_of_failing(self):
        self._take_in_a_transaction_of_its_own()  # those of earlier changes
        self._request_committed()
        with self.registry.cursor() as second:
            # A cron job's transaction sees the database as of its first query.
            second.execute("SELECT 1")
            taken_first = self._take_in_a_transaction_of_its_own()
            self.assertEqual(len(taken_first), 1)
            taken_second = api.Environment(second, SUPERUSER_ID, {})[
                "okr.recompute.request"
            ]._take()
            self.assertEqual(taken_second, [], "the first run serves them")
            second.execute("SELECT 1")  # the transaction is still usable

    def test_the_second_run_does_not_wait_for_the_first(self):
        self._take_in_a_transaction_of_its_own()
        self._request_committed()
        with self.registry.cursor() as first, self.registry.cursor() as second:
            taken_first = api.Environment(first, SUPERUSER_ID, {})[
                "okr.recompute.request"
            ]._take()
            self.assertEqual(len(taken_first), 1, "taken, not committed yet")
            taken_second = api.Environment(second, SUPERUSER_ID, {})[
                "okr.recompute.request"
            ]._take()
            self.assertEqual(taken_second, [], "the first run serves them")
            first.rollback()  # the first run failed: the request stays pending
        self.assertEqual(len(self._take_in_a_transaction_of_its_own()), 1)
