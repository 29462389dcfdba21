from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import okr_rules
from .okr_input import check_addon_fields, check_input, format_number
from .okr_objective import SCORE_BAND_HELP, SCORE_BANDS, STATUSES, log_kept_history


class OkrKeyResult(models.Model):
    """A quantitative measure of an objective: start, target, current value."""

    _name = "okr.key.result"
    _description = "OKR Key Result"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "objective_id, sequence, id"
    _check_company_auto = True

    objective_id = fields.Many2one(
        "okr.objective",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        tracking=True,
    )
    name = fields.Char(required=True, translate=True, tracking=True)
    description = fields.Html()
    sequence = fields.Integer(default=10)
    cycle_id = fields.Many2one(
        related="objective_id.cycle_id",
        store=True,
        precompute=True,
        index=True,
        string="Cycle",
        check_company=True,
    )
    cycle_state = fields.Selection(
        related="cycle_id.state",
        string="Cycle Status",
        help="A closed cycle and its OKRs are read-only until an OKR manager "
        "reopens it.",
    )
    company_id = fields.Many2one(
        related="objective_id.company_id", store=True, index=True, precompute=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    department_id = fields.Many2one(
        "hr.department",
        compute="_compute_department_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        check_company=True,
    )
    target_type = fields.Selection(
        [
            ("reach", "Reach"),
            ("at_least", "At Least"),
            ("at_most", "At Most"),
            ("milestone", "Milestone"),
        ],
        required=True,
        default="reach",
        help="Reach: move from the start value to the target, up or down.\n"
        "At Least / At Most: achieved on the right side of the target, "
        "boundary included.\n"
        "Milestone: done (100 %) once the current value reaches the target.",
    )
    start_value = fields.Float(tracking=True)
    target_value = fields.Float(default=1.0, tracking=True)
    current_value = fields.Float(
        tracking=True,
        help="The value of the latest check-in, or the one computed from the "
        "metric. Typing a new value records your check-in of today.",
    )
    value_type = fields.Selection(
        [("number", "Number"), ("percentage", "Percentage"), ("currency", "Currency")],
        required=True,
        default="number",
    )
    unit = fields.Char(translate=True, help="Shown after the values, e.g. h, %, pts.")
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    weight = fields.Float(
        default=1.0,
        help="Relative weight of this key result in the progress of its objective.",
    )
    attainment = fields.Float(
        compute="_compute_attainment",
        store=True,
        digits=(16, 1),
        help="How far the current value went from the start to the target, in %. "
        "May pass 100 % or fall below 0 %.",
    )
    progress = fields.Float(
        compute="_compute_progress",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Attainment clamped to 0-100 %.",
    )
    weighted_progress = fields.Float(
        compute="_compute_progress",
        store=True,
        help="Progress multiplied by the weight of the key result.",
    )
    score = fields.Float(
        compute="_compute_score",
        store=True,
        aggregator="avg",
        digits=(16, 2),
        help="Progress / 100, from 0.0 to 1.0: its final score once its cycle closed.",
    )
    score_band = fields.Selection(
        SCORE_BANDS,
        compute="_compute_score",
        store=True,
        index=True,
        help=SCORE_BAND_HELP,
    )
    status = fields.Selection(
        STATUSES,
        compute="_compute_status",
        store=True,
        index=True,
        tracking=True,
    )
    checkin_ids = fields.One2many("okr.checkin", "key_result_id", string="Check-ins")
    history = fields.Json(
        compute="_compute_history",
        help="Value of the latest check-in of each day, for the history graph.",
    )
    checkin_count = fields.Integer(
        string="Check-in Count", compute="_compute_checkin_count"
    )
    confidence = fields.Integer(
        compute="_compute_latest_checkin",
        store=True,
        aggregator="avg",
        help="Confidence of the latest check-in, from 0 to 10.",
    )
    last_checkin_date = fields.Date(
        compute="_compute_latest_checkin", store=True, string="Last Check-in"
    )
    active = fields.Boolean(default=True)

    @api.depends("objective_id")
    def _compute_user_id(self):
        for key_result in self:
            key_result.user_id = (
                key_result.user_id or key_result.objective_id.user_id or self.env.user
            )

    @api.depends("objective_id")
    def _compute_department_id(self):
        for key_result in self:
            if not key_result.department_id:
                key_result.department_id = key_result.objective_id.department_id

    @api.depends("company_id")
    def _compute_currency_id(self):
        for key_result in self:
            company = key_result.company_id or self.env.company
            key_result.currency_id = key_result.currency_id or company.currency_id

    @api.depends("target_type", "start_value", "target_value", "current_value")
    def _compute_attainment(self):
        for key_result in self:
            key_result.attainment = okr_rules.attainment(
                key_result.target_type,
                key_result.start_value,
                key_result.target_value,
                key_result.current_value,
            )

    @api.depends("attainment", "weight")
    def _compute_progress(self):
        for key_result in self:
            key_result.progress = okr_rules.progress(key_result.attainment)
            key_result.weighted_progress = key_result.weight * key_result.progress

    @api.depends("progress")
    def _compute_score(self):
        for key_result in self:
            key_result.score = okr_rules.score(key_result.progress)
            key_result.score_band = okr_rules.score_band(key_result.score)

    @api.depends(
        "progress",
        "last_checkin_date",
        "start_value",
        "current_value",
        "cycle_id.date_start",
        "cycle_id.date_end",
    )
    def _compute_status(self):
        today = fields.Date.context_today(self)
        for key_result in self:
            key_result.status = okr_rules.status(
                key_result.progress,
                key_result.cycle_id.date_start,
                key_result.cycle_id.date_end,
                today,
                measured=key_result._okr_is_measured(),
            )

    @api.depends("checkin_ids.value", "checkin_ids.date", "start_value", "target_value")
    def _compute_history(self):
        for key_result in self:
            by_day = {}
            for checkin in key_result.checkin_ids.sorted(
                lambda checkin: (checkin.date, checkin._origin.id or 0)
            ):
                by_day[checkin.date] = checkin.value  # the day's latest wins
            key_result.history = {
                "start": key_result.start_value,
                "target": key_result.target_value,
                "points": [
                    {"date": fields.Date.to_string(day), "value": value}
                    for day, value in by_day.items()
                ],
            }

    def _compute_checkin_count(self):
        counts = dict(
            self.env["okr.checkin"]._read_group(
                [("key_result_id", "in", self.ids)], ["key_result_id"], ["__count"]
            )
        )
        for key_result in self:
            key_result.checkin_count = counts.get(key_result, 0)

    @api.depends("checkin_ids.date", "checkin_ids.confidence")
    def _compute_latest_checkin(self):
        for key_result in self:
            latest = key_result._latest_checkin()
            key_result.confidence = latest.confidence
            key_result.last_checkin_date = latest.date

    @api.constrains("target_type", "start_value", "target_value")
    def _check_start_target(self):
        for key_result in self:
            if (
                key_result.target_type == "reach"
                and key_result.start_value == key_result.target_value
            ):
                raise ValidationError(
                    self.env._(
                        "The key result “%(name)s” starts at its target "
                        "(%(value)s), so it cannot move towards it: set a "
                        "different start or target value, or use “At Least” / "
                        "“At Most” to keep a level.",
                        name=key_result.name,
                        value=format_number(self.env, key_result.target_value),
                    )
                )

    @api.constrains("weight")
    def _check_weight(self):
        for key_result in self:
            if key_result.weight < 0:
                raise ValidationError(
                    self.env._(
                        "The key result “%(name)s” has a negative weight "
                        "(%(weight)s): set a weight of 0 or more.",
                        name=key_result.name,
                        weight=format_number(self.env, key_result.weight),
                    )
                )

    @api.onchange("start_value")
    def _onchange_start_value(self):
        if not self._origin.id:
            self.current_value = self.start_value

    @api.model_create_multi
    def create(self, vals_list):
        check_addon_fields(self, vals_list)
        check_input(self, vals_list)
        for vals in vals_list:
            # A new key result is where it starts until its first check-in.
            vals.setdefault("current_value", vals.get("start_value", 0.0))
        key_results = super().create(vals_list)
        key_results.cycle_id._check_open()
        return key_results

    def write(self, vals):
        check_addon_fields(self, [vals])
        check_input(self, [vals])
        self.cycle_id._check_open()
        typed_value = None
        if "current_value" in vals and not self.env.su:
            # A manual key result's value changes through check-ins only, so
            # that its history and confidence follow: typing it records one.
            # (The metric side refuses it for computed key results.)
            vals = dict(vals)
            typed_value = vals.pop("current_value")
        moving = "objective_id" in vals and not self.env.su
        if moving:
            self._check_move_allowed()
            # sudo: the company a key result had, whatever the user may read
            companies = {kr: kr.sudo().company_id for kr in self}
        res = super().write(vals)
        if moving:
            for key_result in self:
                # sudo: the target may belong to a company the user cannot read
                if key_result.sudo().company_id != companies[key_result]:
                    raise UserError(
                        self.env._(
                            "“%(key_result)s” belongs to %(company)s: it can only "
                            "move to an objective of %(company)s.",
                            key_result=key_result.sudo().name,
                            company=companies[key_result].name,
                        )
                    )
            self._check_move_allowed()
            self.cycle_id._check_open()
        if typed_value is not None:
            self._checkin_typed_value(typed_value)
        return res

    def _checkin_typed_value(self, value):
        """Record a current value typed in (a form, an import, a client) as
        the user's check-in of today, with their last confidence."""
        changed = self.filtered(lambda kr: kr.current_value != value)
        self.env["okr.checkin"].create(
            [
                {
                    "key_result_id": key_result.id,
                    "value": value,
                    "confidence": key_result._last_confidence(),
                }
                for key_result in changed
            ]
        )

    def _last_confidence(self):
        """The confidence a check-in repeats when nobody gives one: the latest
        check-in's, else the check-in form's default."""
        self.ensure_one()
        if self.last_checkin_date:
            return self.confidence
        return self.env["okr.checkin"].default_get(["confidence"])["confidence"]

    def unlink(self):
        """Key results holding other people's or automatic history are
        archived, unless an OKR manager deletes them."""
        self.cycle_id._check_open()
        kept = self.browse()
        if not self.env.su and not self.env.user.has_group(
            "okr_order_management.group_okr_manager"
        ):
            kept = self.env["okr.checkin"]._okr_holders_of_history(
                "key_result_id", self
            )
        if kept:
            kept.write({"active": False})
            log_kept_history(kept, [kr.objective_id for kr in kept])
        return super(OkrKeyResult, self - kept).unlink()

    def action_checkin(self):
        """Open the quick check-in form, prefilled with the current value."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Check in: %s", self.name),
            "res_model": "okr.checkin",
            "view_mode": "form",
            "views": [
                (
                    self.env.ref("okr_order_management.okr_checkin_view_form_quick").id,
                    "form",
                )
            ],
            "target": "new",
            "context": {
                "default_key_result_id": self.id,
                "default_value": self.current_value,
                "default_confidence": self.confidence or 5,
            },
        }

    def action_view_checkins(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_checkin_action"
        )
        action["domain"] = [("key_result_id", "=", self.id)]
        action["context"] = {"default_key_result_id": self.id}
        return action

    def _okr_is_measured(self):
        self.ensure_one()
        return okr_rules.is_measured(
            self.last_checkin_date, self.start_value, self.current_value
        )

    def _latest_checkin(self):
        """The newest check-ins of these key results, one per key result."""
        latest = self.env["okr.checkin"]
        for key_result in self:
            latest |= key_result.checkin_ids.sorted(
                lambda checkin: (checkin.date, checkin._origin.id or 0), reverse=True
            )[:1]
        return latest

    def _check_move_allowed(self):
        """Moving a key result needs the right to change both objectives: run
        before the move, and after it."""
        for key_result in self:
            objective = key_result.objective_id
            if not objective.has_access("write"):
                raise UserError(
                    self.env._(
                        "You cannot move “%(key_result)s” to or from "
                        "“%(objective)s”: moving a key result needs the right to "
                        "change both objectives. Ask %(owner)s, who owns "
                        "“%(objective)s”, or an OKR manager.",
                        key_result=key_result.name,
                        objective=objective.name,
                        owner=objective.user_id.name,
                    )
                )

    def _check_checkin_allowed(self):
        """Refuse, with a clear message, a check-in the user may not make."""
        for key_result in self:
            if not key_result.has_access("write"):
                raise UserError(
                    self.env._(
                        "You cannot check in on “%(key_result)s”: only its owner "
                        "(%(owner)s), the owner of its objective and OKR managers "
                        "can.",
                        key_result=key_result.name,
                        owner=key_result.user_id.name,
                    )
                )
