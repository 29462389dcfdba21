from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

#: A change asks for a recompute this long after it, so that the changes of
#: a minute (a batch of confirmations, say) make one run.
RECOMPUTE_DELAY = timedelta(minutes=1)


class OkrRecomputeRequest(models.Model):
    """A change that metric key results may have to count.

    Requests are rows, so that every worker sees them: the first change of a
    minute schedules the recompute, the others only add their rows, and the
    run evaluates only the key results that a pending request can affect
    (same source model and company, a window containing the change), then
    deletes the requests it served.
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
    event_at = fields.Datetime(required=True, readonly=True)

    @api.model
    def _request(self, model_names=None, company_ids=None, key_result_ids=None):
        """Record what changed, once this transaction commits."""
        pending = self.env.cr.precommit.data.setdefault("okr_recompute_requests", set())
        if not pending:
            self.env.cr.precommit.add(self._flush_requests)
        for model_name in model_names or [None]:
            for company_id in company_ids or [None]:
                pending.add((model_name, company_id, None))
        for key_result_id in key_result_ids or ():
            pending.add((None, None, key_result_id))

    def _flush_requests(self):
        """One insert for the transaction's requests, and the cron's trigger
        unless one is pending already (from any worker)."""
        pending = self.env.cr.precommit.data.pop("okr_recompute_requests", set())
        if not pending:
            return
        now = fields.Datetime.now()
        cron = self.env.ref(
            "okr_order_management.okr_key_result_cron_recompute_requested",
            raise_if_not_found=False,
        )
        # One statement: the rows, and whether a run is scheduled already.
        self.env.cr.execute(
            SQL(
                "WITH request AS (INSERT INTO okr_recompute_request "
                "(model_name, company_id, key_result_id, event_at) VALUES %s) "
                "SELECT EXISTS (SELECT FROM ir_cron_trigger WHERE cron_id = %s)",
                SQL(", ").join(SQL("(%s, %s, %s, %s)", *row, now) for row in pending),
                cron.id if cron else None,
            )
        )
        [(scheduled,)] = self.env.cr.fetchall()
        if cron and not scheduled:
            cron.sudo()._trigger(at=now + RECOMPUTE_DELAY)

    def _take(self):
        """Delete and return the pending requests, as the run serves them."""
        self.env.cr.execute(
            "DELETE FROM okr_recompute_request "
            "RETURNING model_name, company_id, key_result_id, event_at"
        )
        return self.env.cr.fetchall()

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
                and any(
                    window.is_overdue or window.contains(event_at) for window in windows
                )
            )
            for model_name, company_id, kr_id, event_at in requests
        )
