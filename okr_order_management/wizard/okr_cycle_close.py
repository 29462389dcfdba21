from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import okr_rules
from ..models.okr_input import check_input
from ..models.okr_key_result_close import DEFAULT_MISS_REASON, MISS_REASONS
from ..models.res_company_close import MAX_CLOSE_GRACE_HOURS


class OkrCycleClose(models.TransientModel):
    """Close a cycle: one line per key result with the value and score it
    would be frozen at, a reason for each that missed, and the unfinished
    objectives to carry over into another cycle."""

    _name = "okr.cycle.close"
    _description = "Close an OKR Cycle"
    _check_company_auto = True

    cycle_id = fields.Many2one(
        "okr.cycle",
        required=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="cycle_id.company_id", store=True, precompute=True
    )
    grace_hours = fields.Integer(
        string="Grace Period (h)",
        compute="_compute_grace_hours",
        store=True,
        readonly=False,
        precompute=True,
        help="What is dated up to this many hours after the end of the last day "
        "still counts (a delivery of the last evening validated the next "
        "morning). The company's setting by default.",
    )
    evaluated_at = fields.Datetime(
        string="Evaluated As Of",
        compute="_compute_bounds",
        help="The moment the metric key results are evaluated at: the end of the "
        "cycle's last day, or now when the cycle has not ended yet.",
    )
    counted_until = fields.Datetime(
        string="Counts What Is Dated Until",
        compute="_compute_bounds",
        help="The end of the cycle's last day, plus the grace period.",
    )
    grace_pending = fields.Boolean(compute="_compute_bounds")
    line_ids = fields.One2many(
        "okr.cycle.close.line", "wizard_id", string="Key Results"
    )
    missed_count = fields.Integer(string="Missed", compute="_compute_missed_count")
    carry_objective_ids = fields.Many2many(
        "okr.objective",
        string="Objectives to Carry Over",
        check_company=True,
        domain="[('cycle_id', '=', cycle_id), ('progress', '<', 100)]",
        help="Unfinished objectives to copy into the next cycle with their key "
        "results not achieved yet (start values from their final values, no "
        "check-ins) and those key results' open tasks.",
    )
    next_cycle_id = fields.Many2one(
        "okr.cycle",
        string="Carry Over Into",
        compute="_compute_next_cycle_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('company_id', '=', company_id), ('state', '!=', 'closed'), "
        "('id', '!=', cycle_id)]",
    )

    @api.depends("cycle_id")
    def _compute_grace_hours(self):
        for wizard in self:
            wizard.grace_hours = wizard.cycle_id.company_id.okr_close_grace_hours

    @api.depends("cycle_id", "grace_hours")
    def _compute_bounds(self):
        now = fields.Datetime.now()
        for wizard in self:
            moment, end, grace = wizard.cycle_id._okr_close_bounds(
                now, wizard.grace_hours
            )
            wizard.evaluated_at = moment
            wizard.counted_until = end + grace
            wizard.grace_pending = now < end + grace

    @api.depends("line_ids.missed")
    def _compute_missed_count(self):
        for wizard in self:
            wizard.missed_count = len(wizard.line_ids.filtered("missed"))

    @api.depends("cycle_id")
    def _compute_next_cycle_id(self):
        """The company's first cycle starting after this one, not closed."""
        for wizard in self:
            cycle = wizard.cycle_id
            wizard.next_cycle_id = cycle and self.env["okr.cycle"].search(
                [
                    ("company_id", "=", cycle.company_id.id),
                    ("state", "!=", "closed"),
                    ("date_start", ">", cycle.date_end),
                ],
                order="date_start, id",
                limit=1,
            )

    @api.constrains("grace_hours")
    def _check_grace_hours(self):
        for wizard in self:
            if not 0 <= wizard.grace_hours <= MAX_CLOSE_GRACE_HOURS:
                raise ValidationError(
                    self.env._(
                        "“%(field)s” is %(hours)s: set it from 0 (the last day ends "
                        "the cycle) to %(max)s hours.",
                        field=self._fields["grace_hours"]._description_string(self.env),
                        hours=wizard.grace_hours,
                        max=MAX_CLOSE_GRACE_HOURS,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.model
    def _okr_open(self, cycle):
        """The wizard for ``cycle``, a line per key result, as an action."""
        key_results = self.env["okr.key.result"].search([("cycle_id", "=", cycle.id)])
        wizard = self.create(
            {
                "cycle_id": cycle.id,
                "line_ids": [
                    Command.create({"key_result_id": key_result.id})
                    for key_result in key_results
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close %s", cycle.name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            # One line per key result, with a reason and a note to type.
            "context": {**self.env.context, "dialog_size": "extra-large"},
        }

    def action_confirm(self):
        """Close the cycle with the reasons given, then carry over."""
        self.ensure_one()
        cycle = self.cycle_id
        cycle.check_access("write")
        self._check_lines()
        self._check_carry_over()
        reasons = {
            line.key_result_id.id: (line.miss_reason, line.miss_note)
            for line in self.line_ids
        }
        key_results = cycle._okr_close(
            reasons,
            self.grace_hours,
            carry_over=(self.carry_objective_ids, self.next_cycle_id),
        )
        missed = key_results.filtered("miss_reason")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Cycle closed"),
                "message": self.env._(
                    "“%(cycle)s” is closed: %(count)s key results frozen, "
                    "%(missed)s missed.",
                    cycle=cycle.name,
                    count=len(key_results),
                    missed=len(missed),
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_lines(self):
        strays = self.line_ids.filtered(
            lambda line: line.key_result_id.cycle_id != self.cycle_id
        )
        if strays:
            raise UserError(
                self.env._(
                    "“%(key_result)s” is not a key result of the cycle “%(cycle)s”: "
                    "remove its line.",
                    key_result=strays[0].key_result_id.name,
                    cycle=self.cycle_id.name,
                )
            )

    def _check_carry_over(self):
        objectives = self.carry_objective_ids
        if not objectives:
            return
        strays = objectives.filtered(
            lambda objective: objective.cycle_id != self.cycle_id
        )
        if strays:
            raise UserError(
                self.env._(
                    "“%(objective)s” is not an objective of the cycle “%(cycle)s”: "
                    "only its own objectives are carried over.",
                    objective=strays[0].name,
                    cycle=self.cycle_id.name,
                )
            )
        next_cycle = self.next_cycle_id
        if not next_cycle:
            raise UserError(
                self.env._(
                    "Pick the cycle to carry the objectives over into, or carry "
                    "none over."
                )
            )
        if (
            next_cycle == self.cycle_id
            or next_cycle.state == "closed"
            or next_cycle.company_id != self.cycle_id.company_id
        ):
            raise UserError(
                self.env._(
                    "Objectives of “%(cycle)s” cannot be carried over into "
                    "“%(next)s”: pick another cycle of %(company)s that is not "
                    "closed.",
                    cycle=self.cycle_id.name,
                    next=next_cycle.name,
                    company=self.cycle_id.company_id.name,
                )
            )


class OkrCycleCloseLine(models.TransientModel):
    """A key result of the cycle being closed: what it would be frozen at,
    and why it missed."""

    _name = "okr.cycle.close.line"
    _description = "Key Result of an OKR Cycle Close"
    _order = "wizard_id, id"
    _check_company_auto = True

    wizard_id = fields.Many2one(
        "okr.cycle.close", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="wizard_id.company_id", store=True, precompute=True
    )
    key_result_id = fields.Many2one(
        "okr.key.result",
        required=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    objective_id = fields.Many2one(related="key_result_id.objective_id")
    commitment = fields.Selection(related="key_result_id.objective_id.commitment")
    source = fields.Selection(related="key_result_id.source")
    unit = fields.Char(related="key_result_id.unit")
    final_value = fields.Float(
        compute="_compute_preview",
        store=True,
        precompute=True,
        help="The value it is frozen at: its metric evaluated one last time, or "
        "its latest check-in.",
    )
    final_progress = fields.Float(
        compute="_compute_preview", store=True, precompute=True, digits=(16, 1)
    )
    final_score = fields.Float(
        compute="_compute_preview", store=True, precompute=True, digits=(16, 2)
    )
    missed = fields.Boolean(
        compute="_compute_preview",
        store=True,
        precompute=True,
        help="Scored under 1.0 when committed, under 0.7 when aspirational.",
    )
    compute_error = fields.Char(
        compute="_compute_preview",
        store=True,
        precompute=True,
        help="Its metric could not be evaluated: it is frozen at its last value.",
    )
    miss_reason = fields.Selection(
        MISS_REASONS,
        compute="_compute_miss_reason",
        store=True,
        precompute=True,
        readonly=False,
        help="Why it missed. Left as is: the reason of its previous close, else Other.",
    )
    miss_note = fields.Text(
        compute="_compute_miss_reason",
        store=True,
        precompute=True,
        readonly=False,
        help="Left empty, the note says its score and what was expected.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        return super().write(vals)

    @api.depends("key_result_id", "wizard_id.grace_hours")
    def _compute_preview(self):
        now = fields.Datetime.now()
        for wizard in self.wizard_id:
            lines = self.filtered(lambda line, wizard=wizard: line.wizard_id == wizard)
            bounds = wizard.cycle_id._okr_close_bounds(now, wizard.grace_hours)
            preview = lines.key_result_id._okr_preview(*bounds)
            for line in lines:
                value, progress, score, error = preview[line.key_result_id]
                line.final_value = value
                line.final_progress = progress
                line.final_score = score
                line.compute_error = error or False
                line.missed = okr_rules.is_missed(score, line.commitment)
        for line in self.filtered(lambda line: not line.wizard_id):
            line.update(
                final_value=0.0,
                final_progress=0.0,
                final_score=0.0,
                compute_error=False,
                missed=False,
            )

    @api.depends("key_result_id")
    def _compute_miss_reason(self):
        for line in self:
            key_result = line.key_result_id
            line.miss_reason = key_result.miss_reason or DEFAULT_MISS_REASON
            line.miss_note = key_result.miss_note
