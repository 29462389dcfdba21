from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, format_list

from .okr_input import check_input


class OkrCycle(models.Model):
    """The period an OKR runs in, usually a quarter."""

    _name = "okr.cycle"
    _description = "OKR Cycle"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, translate=True)
    date_start = fields.Date(string="Start Date", required=True)
    date_end = fields.Date(string="End Date", required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("closed", "Closed")],
        default="draft",
        required=True,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    objective_ids = fields.One2many("okr.objective", "cycle_id")
    objective_count = fields.Integer(compute="_compute_objective_count")
    is_current = fields.Boolean(
        string="Current",
        compute="_compute_is_current",
        search="_search_is_current",
        help="Today falls between the start and end dates of the cycle.",
    )
    overlap_cycle_ids = fields.Many2many(
        "okr.cycle",
        string="Overlapping Active Cycles",
        compute="_compute_overlap_cycle_ids",
        help="Other active cycles of the company sharing days with this one: "
        "allowed, but new objectives may land in either.",
    )

    def _compute_objective_count(self):
        counts = dict(
            self.env["okr.objective"]._read_group(
                [("cycle_id", "in", self.ids)], ["cycle_id"], ["__count"]
            )
        )
        for cycle in self:
            cycle.objective_count = counts.get(cycle, 0)

    @api.depends("date_start", "date_end")
    def _compute_is_current(self):
        today = fields.Date.context_today(self)
        for cycle in self:
            cycle.is_current = bool(cycle.date_start and cycle.date_end) and (
                cycle.date_start <= today <= cycle.date_end
            )

    @api.depends("date_start", "date_end", "company_id")
    def _compute_overlap_cycle_ids(self):
        """A warning, not a constraint: a yearly cycle may span the quarters."""
        dated = self.filtered(lambda cycle: cycle.date_start and cycle.date_end)
        candidates = self.browse()
        if dated:
            candidates = self.search(
                [
                    ("state", "=", "active"),
                    ("company_id", "in", dated.company_id.ids),
                    ("date_start", "<=", max(dated.mapped("date_end"))),
                    ("date_end", ">=", min(dated.mapped("date_start"))),
                ]
            )
        for cycle in self:
            cycle.overlap_cycle_ids = candidates.filtered(
                lambda other, cycle=cycle: (
                    other != cycle._origin
                    and other.company_id == cycle.company_id
                    and cycle.date_start
                    and cycle.date_end
                    and other.date_start <= cycle.date_end
                    and other.date_end >= cycle.date_start
                )
            )

    def _search_is_current(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Operation not supported on field Current.")
            )
        today = fields.Date.context_today(self)
        domain = ["&", ("date_start", "<=", today), ("date_end", ">=", today)]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for cycle in self:
            if cycle.date_end < cycle.date_start:
                raise ValidationError(
                    self.env._(
                        "The cycle “%(cycle)s” ends on %(end)s, before it starts "
                        "on %(start)s: set an end date on or after the start date.",
                        cycle=cycle.name,
                        end=format_date(self.env, cycle.date_end),
                        start=format_date(self.env, cycle.date_start),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        if {"date_start", "date_end", "company_id"} & vals.keys():
            # Its key results' statuses and windows would move after the close.
            self._check_open()
        res = super().write(vals)
        if {"date_start", "date_end", "state"} & vals.keys():
            # The windows of its metric key results move, or open again.
            self.env["okr.key.result"]._okr_request_recompute()
        return res

    def action_activate(self):
        self.write({"state": "active"})
        overlapping = self.filtered("overlap_cycle_ids")
        if not overlapping:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Overlapping cycles"),
                "message": overlapping[0]._okr_overlap_message(),
                "type": "warning",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_close(self):
        """Open the close wizard, which freezes the key results' final values
        and scores: OKR managers only (the access rights of cycles)."""
        self.ensure_one()
        self.check_access("write")
        return self.env["okr.cycle.close"]._okr_open(self)

    def action_reopen(self):
        """Managers only (the access rights of cycles): its OKRs can change
        again until it is closed anew. The status change is tracked."""
        self.filtered(lambda cycle: cycle.state == "closed").write({"state": "active"})

    def action_reset_to_draft(self):
        self.write({"state": "draft"})

    def action_view_objectives(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_objective_action"
        )
        action["domain"] = [("cycle_id", "=", self.id)]
        action["context"] = {"default_cycle_id": self.id}
        return action

    def _okr_overlap_message(self):
        self.ensure_one()
        return self.env._(
            "“%(cycle)s” shares days with the active cycles %(cycles)s of "
            "%(company)s: new objectives may land in either. Close or change "
            "one of them unless you mean it (a yearly cycle over its quarters).",
            cycle=self.name,
            cycles=format_list(self.env, self.overlap_cycle_ids.mapped("name")),
            company=self.company_id.name,
        )

    def _check_open(self):
        """A closed cycle and its OKRs are read-only until a manager reopens it;
        only the addon (as the superuser) still writes them."""
        closed = self.filtered(lambda cycle: cycle.state == "closed")
        if closed and not self.env.su:
            raise UserError(
                self.env._(
                    "The cycle “%s” is closed: its objectives, key results and "
                    "check-ins are read-only. An OKR manager can reopen it.",
                    closed[0].name,
                )
            )
