from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .okr_input import check_input


class OkrCycle(models.Model):
    """The period an OKR runs in, usually a quarter."""

    _name = "okr.cycle"
    _description = "OKR Cycle"
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, translate=True)
    date_start = fields.Date(string="Start Date", required=True)
    date_end = fields.Date(string="End Date", required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("closed", "Closed")],
        default="draft",
        required=True,
        index=True,
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
                        end=cycle.date_end,
                        start=cycle.date_start,
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

    def action_close(self):
        self.write({"state": "closed"})

    def action_reopen(self):
        """Managers only (the access rights of cycles): its OKRs can change
        again until it is closed anew."""
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
