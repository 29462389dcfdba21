from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL, mute_logger

#: A change asks for a recompute this long after it, so that the changes of
#: a minute (a batch of confirmations, say) make one run.
RECOMPUTE_DELAY = timedelta(minutes=1)


class OkrRecomputeRequest(models.Model):
    """A change that metric key results may have to count.

    Requests are rows, so that every worker sees them: the first change of a
    minute schedules the recompute, the others only add their rows, and the
    run evaluates only the key results that a pending request can affect
    (same source model and company, a window meeting the dates of the records
    that changed), then deletes the requests it served.
    """

    _name = "okr.recompute.request"
    _description = "OKR Recompute Request"
    _order = "id"
    _log_access = False

    model_name = fields.Char(
        readonly=True, help="The source model that changed; empty for any."
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, ondelete="cascade", help="Empty for any."
    )
    key_result_id = fields.Many2one(
        "okr.key.result",
        readonly=True,
        ondelete="cascade",
        help="A key result that measures something else from now on.",
    )
    changed_from = fields.Datetime(
        required=True,
        readonly=True,
        help="The earliest date of the records that changed, which places them "
        "in windows (an order confirmed long ago, say).",
    )
    changed_to = fields.Datetime(
        required=True, readonly=True, help="When the change was committed."
    )

    @api.model
    def _request(
        self, model_names=None, company_ids=None, key_result_ids=None, since=None
    ):
        """Record what changed, once this transaction commits; ``since``: the
        earliest date of the changed records (None: now)."""
        pending = self.env.cr.precommit.data.setdefault("okr_recompute_requests", {})
        if not pending:
            self.env.cr.precommit.add(self._flush_requests)
        keys = [
            (model_name, company_id, None)
            for model_name in model_names or [None]
            for company_id in company_ids or [None]
        ]
        keys += [(None, None, key_result_id) for key_result_id in key_result_ids or ()]
        for key in keys:
            # None is "now": the earliest date of the changed records wins.
            dates = [date for date in (pending.get(key), since) if date]
            pending[key] = min(dates) if dates else None

    def _flush_requests(self):
        """One insert for the transaction's requests, and the cron's trigger
        unless one is pending already (from any worker)."""
        pending = self.env.cr.precommit.data.pop("okr_recompute_requests", {})
        if not pending:
            return
        now = fields.Datetime.now()
        # Cached: the commit of a confirmation costs the one statement below.
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "okr_order_management.okr_key_result_cron_recompute_requested",
            raise_if_not_found=False,
        )
        # One statement: the rows, and whether a run is scheduled already.
        self.env.cr.execute(
            SQL(
                "WITH request AS (INSERT INTO okr_recompute_request "
                "(model_name, company_id, key_result_id, changed_from, changed_to) "
                "VALUES %s) "
                "SELECT EXISTS (SELECT FROM ir_cron_trigger WHERE cron_id = %s)",
                SQL(", ").join(
                    SQL("(%s, %s, %s, %s, %s)", *key, min(since or now, now), now)
                    for key, since in pending.items()
                ),
                cron_id,
            )
        )
        [(scheduled,)] = self.env.cr.fetchall()
        if cron_id and not scheduled:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger(
                at=now + RECOMPUTE_DELAY
            )

    def _take(self):
        """Delete and return the pending requests, as the run serves them.

        The hourly run and the run a change scheduled may take them together,
        on two cron threads. The second takes nothing, as the first serves
        them: it does not wait for the first's locks (NOWAIT), and finds the
        rows the first deleted since its own transaction began a
        serialization failure."""
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "DELETE FROM okr_recompute_request WHERE id IN "
                    "(SELECT id FROM okr_recompute_request FOR UPDATE NOWAIT) "
                    "RETURNING "
                    "model_name, company_id, key_result_id, changed_from, changed_to"
                )
                return self.env.cr.fetchall()
        except (
            psycopg2.errors.SerializationFailure,
            psycopg2.errors.LockNotAvailable,
        ):
            return []

    @api.model
    def _affects(self, requests, key_result_id, measure):
        """Whether one of ``requests`` can change the value of ``measure``."""
        windows = [measure.window]
        if measure.growth:
            windows.append(measure.previous().window)
        return any(
            key_result_id == kr_id
            or (
                not kr_id
                and model_name in (None, measure.model_name)
                and company_id in (None, measure.company_id)
                and any(window.overlaps(first, last) for window in windows)
            )
            for model_name, company_id, kr_id, first, last in requests
        )
