from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime, format_list

from ..measure import company_tz, local_midnight
from .okr_input import refuse_addon_fields

#: The fields of a cycle that only its close writes.
CLOSE_FIELDS = ("frozen_at", "evaluated_at")


class OkrCycle(models.Model):
    """Closing a cycle: its key results evaluated one last time and frozen,
    its objectives and key results achieved or missed."""

    # The close of a cycle, with its wizard (wizard/okr_cycle_close.py).
    _inherit = "okr.cycle"  # pylint: disable=consider-merging-classes-inherited

    frozen_at = fields.Datetime(
        string="Closed On",
        readonly=True,
        copy=False,
        help="When the close froze the final values and scores of its key "
        "results. Cleared when the cycle is reopened.",
    )
    evaluated_at = fields.Datetime(
        string="Evaluated As Of",
        readonly=True,
        copy=False,
        help="The moment the close evaluated its metric key results at: the end "
        "of its last day (or the close, when earlier).",
    )

    def write(self, vals):
        refuse_addon_fields(self, [vals], lambda field: field.name in CLOSE_FIELDS)
        if vals.get("state") == "closed" and not self.env.su:
            self.check_access("write")  # users may not, whatever the way
            if self.filtered(lambda cycle: cycle.state != "closed"):
                raise UserError(
                    self.env._(
                        "Close a cycle with its Close button: it freezes the final "
                        "values and scores of its key results and asks why those "
                        "that missed did."
                    )
                )
        reopened = self.browse()
        if "state" in vals and vals["state"] != "closed":
            reopened = self.filtered(lambda cycle: cycle.state == "closed")
        res = super().write(vals)
        if reopened:
            # sudo: the close's own fields; the key results count again.
            reopened.sudo().write(dict.fromkeys(CLOSE_FIELDS, False))
        if "state" in vals:
            self._okr_flush_statuses()
        return res

    def _okr_flush_statuses(self):
        """The statuses of the cycles' OKRs follow their state: computed now,
        in one pass. Their chatters do not repeat it (one message per key
        result); the cycle's own chatter tracks the close and the reopening."""
        self.with_context(tracking_disable=True).env.flush_all()

    def _okr_close_bounds(self, now, grace_hours):
        """``(moment, end, grace)``: the moment the close evaluates this cycle
        at (the last second of its last day, or ``now`` when earlier), the end
        of its last day and the grace period, in naive UTC (the company's
        days)."""
        self.ensure_one()
        end = local_midnight(
            self.date_end + timedelta(days=1), company_tz(self.company_id)
        )
        return min(now, end - timedelta(seconds=1)), end, timedelta(hours=grace_hours)

    def _okr_close(self, reasons=None, grace_hours=0, carry_over=None, now=None):
        """Close this cycle in one set-based pass: evaluate its metric key
        results one last time, freeze every key result's final value,
        progress, score and measure, record why those that missed did, and
        close it (its objectives and key results become achieved or missed).

        ``reasons``: ``{key_result_id: (reason, note)}``, defaults elsewhere.
        ``carry_over``: ``(objectives, next_cycle)``, unfinished objectives
        to copy into ``next_cycle`` (see ``okr.objective._okr_carry_over``).
        Returns the key results frozen.
        """
        self.ensure_one()
        if self.state == "closed":
            raise UserError(
                self.env._(
                    "The cycle “%s” is already closed: reopen it to close it again.",
                    self.name,
                )
            )
        now = now or fields.Datetime.now()
        moment, end, grace = self._okr_close_bounds(now, grace_hours)
        # sudo: the final values are the addon's, whoever closes the cycle.
        key_results = (
            self.env["okr.key.result"]
            .sudo()
            .with_context(active_test=False, tracking_disable=True)
            .search([("cycle_id", "=", self.id)])
        )
        measures = key_results._okr_recompute_final(moment, end, grace)
        key_results._okr_freeze(measures, reasons or {})
        missed = key_results.filtered("miss_reason")
        message = self.env._(
            "Closed: %(count)s key results frozen as evaluated on %(moment)s "
            "(grace period: %(hours)s h), %(missed)s missed.",
            count=len(key_results),
            moment=format_datetime(self.env, moment),
            hours=grace_hours,
            missed=len(missed),
        )
        objectives, next_cycle = carry_over or (self.env["okr.objective"], None)
        if objectives:
            copies = self._okr_carry_over(objectives, next_cycle)
            message = Markup("%s<br/>%s") % (
                message,
                self.env._(
                    "Carried over to “%(cycle)s”: %(objectives)s.",
                    cycle=next_cycle.name,
                    objectives=format_list(self.env, copies.mapped("name")),
                ),
            )
        # sudo: a closed cycle's state is written by its close only (see write)
        self.sudo().write({"frozen_at": now, "evaluated_at": moment})
        self._track_set_log_message(Markup("<p>%s</p>") % message)
        self.sudo().write({"state": "closed"})
        return key_results

    def _okr_carry_over(self, objectives, next_cycle):
        """Copy ``objectives``, unfinished objectives of this cycle whose key
        results are frozen, into ``next_cycle``; say so on its chatter."""
        finished = objectives.filtered(lambda objective: objective.progress >= 100.0)
        if finished:
            raise UserError(
                self.env._(
                    "“%s” reached 100 %% at the close: nothing is left to carry "
                    "over. Remove it from the objectives to carry over.",
                    finished[0].name,
                )
            )
        copies = objectives._okr_carry_over(next_cycle)
        next_cycle.message_post(
            body=self.env._(
                "Carried over from “%(cycle)s”: %(objectives)s.",
                cycle=self.name,
                objectives=format_list(self.env, copies.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return copies
