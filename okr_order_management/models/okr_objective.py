from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import okr_rules

STATUSES = [
    ("not_started", "Not Started"),
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("off_track", "Off Track"),
    ("achieved", "Achieved"),
]


class OkrObjective(models.Model):
    """A qualitative aim for a cycle, measured by its key results.

    Objectives align in a tree (company -> department -> person); an
    objective with no key result of its own takes the progress of the
    objectives aligned under it.
    """

    _name = "okr.objective"
    _description = "OKR Objective"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "cycle_id desc, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    description = fields.Html()
    sequence = fields.Integer(default=10)
    cycle_id = fields.Many2one(
        "okr.cycle",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        default=lambda self: self._default_cycle_id(),
    )
    date_start = fields.Date(related="cycle_id.date_start")
    date_end = fields.Date(related="cycle_id.date_end")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    department_id = fields.Many2one(
        "hr.department", index=True, tracking=True, check_company=True
    )
    parent_id = fields.Many2one(
        "okr.objective",
        string="Aligned To",
        index=True,
        tracking=True,
        check_company=True,
        ondelete="set null",
        help="The objective this one contributes to.",
    )
    child_ids = fields.One2many(
        "okr.objective", "parent_id", string="Aligned Objectives"
    )
    level = fields.Selection(
        [
            ("company", "Company"),
            ("department", "Department"),
            ("individual", "Individual"),
        ],
        required=True,
        default="company",
        index=True,
        tracking=True,
    )
    okr_type = fields.Selection(
        [("strategic", "Strategic"), ("tactical", "Tactical")],
        string="Type",
        required=True,
        default="tactical",
        help="Strategic objectives set the long-term direction; tactical ones "
        "address the pain points of the current cycle.",
    )
    commitment = fields.Selection(
        [("committed", "Committed"), ("aspirational", "Aspirational")],
        required=True,
        default="committed",
        help="A committed objective is expected to score 1.0, an aspirational "
        "one about 0.7.",
    )
    key_result_ids = fields.One2many(
        "okr.key.result", "objective_id", string="Key Results"
    )
    key_result_count = fields.Integer(compute="_compute_key_result_count")
    progress = fields.Float(
        compute="_compute_progress",
        store=True,
        recursive=True,
        aggregator="avg",
        digits=(16, 1),
        help="Weight-averaged progress of the key results, in %. Without key "
        "results, the average progress of the objectives aligned under it.",
    )
    status = fields.Selection(
        STATUSES,
        compute="_compute_status",
        store=True,
        index=True,
        tracking=True,
        help="Progress compared with the share of the cycle already elapsed.",
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Progress / 100, from 0.0 to 1.0.",
    )
    color = fields.Integer()
    tag_ids = fields.Many2many("okr.tag", string="Tags")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    def _default_cycle_id(self):
        """The company's cycle that contains today, else its latest open one."""
        today = fields.Date.context_today(self)
        company_domain = [("company_id", "=", self.env.company.id)]
        cycles = self.env["okr.cycle"]
        return cycles.search(
            [*company_domain, ("date_start", "<=", today), ("date_end", ">=", today)],
            limit=1,
        ) or cycles.search([*company_domain, ("state", "!=", "closed")], limit=1)

    def _compute_key_result_count(self):
        counts = dict(
            self.env["okr.key.result"]._read_group(
                [("objective_id", "in", self.ids)], ["objective_id"], ["__count"]
            )
        )
        for objective in self:
            objective.key_result_count = counts.get(objective, 0)

    @api.depends(
        "key_result_ids.weight",
        "key_result_ids.weighted_progress",
        "child_ids.progress",
        "child_ids.active",
    )
    def _compute_progress(self):
        objectives = self.filtered("id")
        by_key_results = {
            objective: weighted / weight if weight else plain
            for objective, weighted, weight, plain in self.env[
                "okr.key.result"
            ]._read_group(
                [("objective_id", "in", objectives.ids)],
                ["objective_id"],
                ["weighted_progress:sum", "weight:sum", "progress:avg"],
            )
        }
        for objective in self:
            if objective in by_key_results:
                objective.progress = by_key_results[objective]
            elif objective.key_result_ids:  # not saved yet: the form's onchange
                objective.progress = okr_rules.weighted_progress(
                    (kr.weight, kr.progress) for kr in objective.key_result_ids
                )
            else:
                # Children may be recomputing in this same flush: read the cache.
                children = objective.child_ids
                objective.progress = (
                    sum(children.mapped("progress")) / len(children)
                    if children
                    else 0.0
                )

    @api.depends("progress", "cycle_id.date_start", "cycle_id.date_end")
    def _compute_status(self):
        today = fields.Date.context_today(self)
        for objective in self:
            objective.status = okr_rules.status(
                objective.progress,
                objective.cycle_id.date_start,
                objective.cycle_id.date_end,
                today,
            )

    @api.depends("progress")
    def _compute_score(self):
        for objective in self:
            objective.score = okr_rules.score(objective.progress)

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._(
                    "An objective cannot be aligned to itself or to one of the "
                    "objectives aligned under it: pick another parent objective."
                )
            )

    @api.constrains("cycle_id", "company_id")
    def _check_cycle_company(self):
        for objective in self:
            if objective.cycle_id.company_id != objective.company_id:
                raise ValidationError(
                    self.env._(
                        "The objective “%(objective)s” and its key results belong "
                        "to %(company)s, but the cycle “%(cycle)s” belongs to "
                        "%(cycle_company)s: pick a cycle of %(company)s.",
                        objective=objective.name,
                        company=objective.company_id.name,
                        cycle=objective.cycle_id.name,
                        cycle_company=objective.cycle_id.company_id.name,
                    )
                )

    def action_view_key_results(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_key_result_action"
        )
        action["domain"] = [("objective_id", "=", self.id)]
        action["context"] = {"default_objective_id": self.id}
        return action

    def _cron_update_status(self):
        """Statuses follow the calendar: re-evaluate them once a day."""
        cycles = self.env["okr.cycle"].search([("state", "!=", "closed")])
        objectives = self.search([("cycle_id", "in", cycles.ids)])
        key_results = self.env["okr.key.result"].search(
            [("cycle_id", "in", cycles.ids)]
        )
        self.env.add_to_compute(self._fields["status"], objectives)
        self.env.add_to_compute(key_results._fields["status"], key_results)
        self.env.flush_all()
