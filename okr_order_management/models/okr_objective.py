from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import okr_rules
from .okr_input import check_addon_fields, check_input, format_number

STATUSES = [
    ("not_started", "Not Started"),
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("off_track", "Off Track"),
    ("achieved", "Achieved"),
    ("missed", "Missed"),
]
#: The colour of a score (``okr_rules.score_band``), stored to group reviews by.
SCORE_BANDS = [("red", "Red"), ("yellow", "Yellow"), ("green", "Green")]
SCORE_BAND_HELP = (
    f"The colour of the score: red under {okr_rules.SCORE_YELLOW_FROM}, yellow "
    f"from {okr_rules.SCORE_YELLOW_FROM}, green from {okr_rules.SCORE_GREEN_FROM}."
)
#: The level an objective aligned under one of each level is prefilled with.
ALIGNED_LEVEL = {
    "company": "department",
    "department": "individual",
    "individual": "individual",
}


def log_kept_history(records, parents):
    """Tell, on each parent's chatter, that a record with other people's or
    automatic history was archived instead of deleted."""
    for record, parent in zip(records, parents, strict=True):
        # _message_log writes as the superuser: the parent may be a colleague's.
        parent._message_log(
            body=records.env._(
                "“%(name)s” was archived instead of deleted: it holds check-ins "
                "of other people or history computed from its metric. An OKR "
                "manager can delete it.",
                name=record.display_name,
            )
        )


class OkrObjective(models.Model):
    """A qualitative aim for a cycle, measured by its key results.

    Objectives align in a tree (company -> department -> person), within one
    cycle; an objective takes its progress from its key results, from the
    objectives aligned under it, or from both (``progress_source``).
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
    cycle_state = fields.Selection(
        related="cycle_id.state",
        string="Cycle Status",
        help="A closed cycle and its OKRs are read-only until an OKR manager "
        "reopens it.",
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
        help="In %, from the source chosen in “Progress From”.",
    )
    progress_source = fields.Selection(
        [
            ("key_results", "Its Key Results"),
            ("aligned", "Aligned Objectives"),
            ("both", "Both (weighted)"),
        ],
        string="Progress From",
        required=True,
        default="key_results",
        help="Its key results: their weight-averaged progress (without key "
        "results, the average of the objectives aligned under it). Aligned "
        "objectives: their average progress. Both: the two, weighted by "
        "“Aligned Objectives Weight”.",
    )
    aligned_weight = fields.Float(
        string="Aligned Objectives Weight",
        default=50.0,
        digits=(16, 1),
        help="With progress from both, the share (in %) of the aligned "
        "objectives' average progress; its key results weigh the rest.",
    )
    status = fields.Selection(
        STATUSES,
        compute="_compute_status",
        store=True,
        recursive=True,
        index=True,
        tracking=True,
        help="Progress compared with the share of the cycle already elapsed; "
        "Not Started until a key result it counts is measured.",
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Progress / 100, from 0.0 to 1.0.",
    )
    score_band = fields.Selection(
        SCORE_BANDS, compute="_compute_score", store=True, help=SCORE_BAND_HELP
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
        "progress_source",
        "aligned_weight",
        "key_result_ids.weight",
        "key_result_ids.weighted_progress",
        "key_result_ids.active",
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
            own = by_key_results.get(objective)
            if own is None and objective.key_result_ids:  # the form's onchange
                own = okr_rules.weighted_progress(
                    (kr.weight, kr.progress) for kr in objective.key_result_ids
                )
            # Children may be recomputing in this same flush: read the cache.
            children = objective.child_ids
            aligned = (
                sum(children.mapped("progress")) / len(children) if children else None
            )
            objective.progress = okr_rules.objective_progress(
                objective.progress_source, own, aligned, objective.aligned_weight
            )

    @api.depends(
        "progress",
        "progress_source",
        "cycle_id.date_start",
        "cycle_id.date_end",
        "key_result_ids.last_checkin_date",
        "key_result_ids.start_value",
        "key_result_ids.current_value",
        "key_result_ids.active",
        "child_ids.status",
        "child_ids.active",
    )
    def _compute_status(self):
        today = fields.Date.context_today(self)
        for objective in self:
            objective.status = okr_rules.status(
                objective.progress,
                objective.cycle_id.date_start,
                objective.cycle_id.date_end,
                today,
                measured=objective._okr_is_measured(),
            )

    @api.depends("progress")
    def _compute_score(self):
        for objective in self:
            objective.score = okr_rules.score(objective.progress)
            objective.score_band = okr_rules.score_band(objective.score)

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._(
                    "An objective cannot be aligned to itself or to one of the "
                    "objectives aligned under it: pick another parent objective."
                )
            )

    @api.constrains("parent_id", "cycle_id")
    def _check_parent_cycle(self):
        """An objective aligns within its cycle, hence its company: checked
        before the company check, to say which cycle to pick."""
        pairs = [(objective, objective.parent_id) for objective in self]
        pairs += [
            (child, objective) for objective in self for child in objective.child_ids
        ]
        for child, parent in pairs:
            if parent and child.cycle_id != parent.cycle_id:
                raise ValidationError(
                    self.env._(
                        "“%(objective)s” (cycle “%(cycle)s”, %(company)s) cannot "
                        "be aligned to “%(parent)s” (cycle “%(parent_cycle)s”, "
                        "%(parent_company)s): an objective aligns only to an "
                        "objective of its own cycle and company. Pick another "
                        "“Aligned To” objective, or the same cycle for both.",
                        objective=child.name,
                        cycle=child.cycle_id.name,
                        company=child.company_id.name,
                        parent=parent.name,
                        parent_cycle=parent.cycle_id.name,
                        parent_company=parent.company_id.name,
                    )
                )

    @api.constrains("aligned_weight")
    def _check_aligned_weight(self):
        for objective in self:
            if not 0.0 <= objective.aligned_weight <= 100.0:
                raise ValidationError(
                    self.env._(
                        "“Aligned Objectives Weight” is a share in %%: "
                        "%(weight)s is out of range, set it from 0 to 100.",
                        weight=format_number(self.env, objective.aligned_weight),
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

    @api.model_create_multi
    def create(self, vals_list):
        check_addon_fields(self, vals_list)
        check_input(self, vals_list)
        objectives = super().create(vals_list)
        objectives.cycle_id._check_open()
        objectives._check_alignment()
        return objectives

    def write(self, vals):
        check_addon_fields(self, [vals])
        check_input(self, [vals])
        if "child_ids" in vals:
            # Removing an aligned objective from its parent (the trash icon of
            # the Aligned Objectives tab) un-aligns it, never deletes it.
            vals = dict(
                vals,
                child_ids=[
                    (Command.UNLINK, command[1], 0)
                    if command[0] == Command.DELETE
                    else command
                    for command in vals["child_ids"]
                ],
            )
            self._check_unalign_allowed(vals["child_ids"])
        self.cycle_id._check_open()
        if "parent_id" in vals:
            # Leaving a parent or joining one changes its progress too.
            new_parent = self.browse(vals["parent_id"] or [])
            (self.parent_id | new_parent).cycle_id._check_open()
        key_results = self.env["okr.key.result"]
        if "active" in vals:
            # Archived and restored with their key results, as project tasks.
            key_results = self.with_context(active_test=False).key_result_ids
            key_results = key_results.filtered(
                lambda kr: kr.active != bool(vals["active"])
            )
        res = super().write(vals)
        if "cycle_id" in vals:
            self.cycle_id._check_open()
        if vals.get("parent_id"):
            self._check_alignment()
        if key_results:
            key_results.write({"active": bool(vals["active"])})
        return res

    def unlink(self):
        """Objectives holding other people's or automatic history are archived,
        unless an OKR manager deletes them."""
        self.cycle_id._check_open()
        kept = self.browse()
        if not self.env.su and not self.env.user.has_group(
            "okr_order_management.group_okr_manager"
        ):
            kept = self.env["okr.checkin"]._okr_holders_of_history("objective_id", self)
        if kept:
            kept.write({"active": False})
            log_kept_history(kept, [obj.parent_id or obj for obj in kept])
        return super(OkrObjective, self - kept).unlink()

    def action_view_key_results(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_key_result_action"
        )
        action["domain"] = [("objective_id", "=", self.id)]
        action["context"] = {"default_objective_id": self.id}
        return action

    def action_align_objective(self):
        """The alignment tree's “Align a new objective”: a new objective
        aligned to this one, in its cycle and department, one level down."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Align a new objective"),
            "res_model": "okr.objective",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_parent_id": self.id,
                "default_cycle_id": self.cycle_id.id,
                "default_company_id": self.company_id.id,
                "default_department_id": self.department_id.id,
                "default_level": ALIGNED_LEVEL[self.level],
            },
        }

    def _check_unalign_allowed(self, commands):
        """Un-aligning changes the aligned objective: its owner decides, as
        they decided to align it. Say so before the record rules refuse."""
        if self.env.su:
            return
        removed = self.browse()
        for command in commands:
            if command[0] == Command.UNLINK:
                removed |= self.browse(command[1])
            elif command[0] == Command.CLEAR:
                removed |= self.child_ids
            elif command[0] == Command.SET:
                removed |= self.child_ids - self.browse(command[2])
        for objective in removed:
            if not objective.has_access("write"):
                raise UserError(
                    self.env._(
                        "You cannot un-align “%(objective)s”: only its owner "
                        "(%(owner)s) or an OKR manager can. Ask them to pick "
                        "another parent objective.",
                        objective=objective.name,
                        owner=objective.user_id.name,
                    )
                )

    def _okr_is_measured(self):
        """Measured once a key result or an aligned objective its progress
        comes from is (their status tells, as it is stored)."""
        self.ensure_one()
        own = self.progress_source != "aligned" and any(
            key_result._okr_is_measured() for key_result in self.key_result_ids
        )
        return own or (
            self._uses_aligned_progress()
            and any(child.status != "not_started" for child in self.child_ids)
        )

    def _uses_aligned_progress(self):
        """Whether this objective's progress moves with its aligned objectives."""
        self.ensure_one()
        return okr_rules.uses_aligned_progress(
            self.progress_source, bool(self.key_result_ids)
        )

    def _check_alignment(self):
        """Aligning to an objective that takes its progress from the objectives
        aligned under it changes that progress: only who may change that
        objective may align to it (the form, the tree's drag and drop, RPC)."""
        if self.env.su:
            return
        self.parent_id.cycle_id._check_open()
        for objective in self:
            parent = objective.parent_id
            if (
                parent
                and parent._uses_aligned_progress()
                and not parent.has_access("write")
            ):
                raise UserError(
                    self.env._(
                        "You cannot align “%(objective)s” to “%(parent)s”: its "
                        "progress follows the objectives aligned under it, so "
                        "only its owner (%(owner)s) or an OKR manager can align "
                        "an objective to it.",
                        objective=objective.name,
                        parent=parent.name,
                        owner=parent.user_id.name,
                    )
                )

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
