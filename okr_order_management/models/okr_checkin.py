from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from .. import okr_rules
from .okr_input import check_addon_fields, check_input, format_number

#: What the author of a check-in may change; the rest follows from who made it
#: (author, source), on which key result and when (date), or from its value
#: (progress).
EDITABLE_FIELDS = {"value", "confidence", "note"}


class OkrCheckin(models.Model):
    """A dated value, confidence and note for a key result.

    Check-ins are the history of a key result: the progress stored on a
    check-in is the one it had that day, and nobody edits or deletes the
    check-in of another person.
    """

    _name = "okr.checkin"
    _description = "OKR Check-in"
    _order = "date desc, id desc"
    _rec_name = "key_result_id"
    _check_company_auto = True

    key_result_id = fields.Many2one(
        "okr.key.result",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    objective_id = fields.Many2one(
        related="key_result_id.objective_id", store=True, index=True, precompute=True
    )
    cycle_id = fields.Many2one(
        related="key_result_id.cycle_id", store=True, precompute=True
    )
    company_id = fields.Many2one(
        related="key_result_id.company_id", store=True, index=True, precompute=True
    )
    # For the progress report's filters: whose key result, in which department.
    department_id = fields.Many2one(related="key_result_id.department_id")
    owner_id = fields.Many2one(
        related="key_result_id.user_id", string="Key Result Owner"
    )
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    value = fields.Float(required=True)
    unit = fields.Char(related="key_result_id.unit")
    progress = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Progress of the key result with this value, when it was checked in.",
    )
    confidence = fields.Integer(
        default=5,
        aggregator="avg",
        help="How confident the author is that the target will be reached, "
        "from 0 to 10.",
    )
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        string="Author",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    source = fields.Selection(
        [("manual", "Manual"), ("auto", "Automatic")],
        required=True,
        default="manual",
        readonly=True,
    )
    editable = fields.Boolean(
        compute="_compute_editable",
        help="The user may still change its value, confidence and note: their "
        "own manual check-in, in a cycle that is not closed.",
    )

    def init(self):
        # One automatic check-in per key result and day, whatever runs at once
        # (the hourly recompute, a triggered one, a Refresh).
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS okr_checkin_auto_day_uniq "
            "ON okr_checkin (key_result_id, date) WHERE source = 'auto'"
        )

    @api.depends_context("uid")
    @api.depends("source", "user_id", "cycle_id.state")
    def _compute_editable(self):
        """What the web client may offer to edit; ``_check_author`` and the
        cycle's ``_check_open`` are the rules, whatever a client sends."""
        for checkin in self:
            checkin.editable = not checkin.id or (
                checkin.source == "manual"
                and checkin.user_id == self.env.user
                and checkin.cycle_id.state != "closed"
            )

    @api.constrains("confidence")
    def _check_confidence(self):
        for checkin in self:
            if not 0 <= checkin.confidence <= 10:
                raise ValidationError(
                    self.env._(
                        "A confidence of %(confidence)s is out of range: set a "
                        "confidence from 0 (no chance) to 10 (certain).",
                        confidence=format_number(self.env, checkin.confidence),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        if not self.env.su:
            check_addon_fields(self, vals_list)
            # History stays true: users check in by hand, as themselves; only
            # the recompute writes automatic check-ins.
            vals_list = [
                dict(vals, source="manual", user_id=self.env.uid) for vals in vals_list
            ]
            self._check_not_in_future(vals_list)
        key_results = self.env["okr.key.result"].browse(
            {
                vals["key_result_id"]
                for vals in vals_list
                if vals.get("key_result_id") and vals.get("source") != "auto"
            }
        )
        key_results._check_checkin_allowed()
        # The progress of its day, written with the check-in (one statement).
        KeyResult = self.env["okr.key.result"].sudo()
        vals_list = [
            dict(
                vals,
                progress=self._progress_for(
                    KeyResult.browse(vals.get("key_result_id")), vals.get("value")
                ),
            )
            for vals in vals_list
        ]
        checkins = super().create(vals_list)
        checkins.cycle_id._check_open()
        checkins._update_key_result_values()
        return checkins

    def write(self, vals):
        check_input(self, [vals])
        self._check_author()
        if "key_result_id" in vals:
            raise UserError(
                self.env._(
                    "A check-in cannot move to another key result: delete it and "
                    "check in on the right key result."
                )
            )
        fixed = (vals.keys() & self._fields.keys()) - EDITABLE_FIELDS
        if fixed and not self.env.su:
            raise UserError(
                self.env._(
                    "These fields of a check-in follow from who made it, on which key "
                    "result, on which day and with which value: %(fields)s. Only its "
                    "value, confidence and note can change; check in anew for "
                    "another day.",
                    fields=", ".join(
                        self._fields[fname]._description_string(self.env)
                        for fname in sorted(fixed)
                    ),
                )
            )
        self.cycle_id._check_open()
        result = super().write(vals)
        if "value" in vals:
            self._store_progress()
        if {"value", "date"} & vals.keys():
            self.key_result_id._latest_checkin()._update_key_result_values()
        return result

    def unlink(self):
        self._check_author()
        self.cycle_id._check_open()
        key_results = self.key_result_id
        result = super().unlink()
        key_results._latest_checkin()._update_key_result_values()
        return result

    def _check_not_in_future(self, vals_list):
        """A check-in records what was known on its day: not a day to come."""
        today = fields.Date.context_today(self)
        for vals in vals_list:
            day = fields.Date.to_date(vals.get("date")) if vals.get("date") else None
            if day and day > today:
                raise UserError(
                    self.env._(
                        "A check-in records the value known on its day: %(date)s "
                        "is in the future. Date it today or earlier.",
                        date=format_date(self.env, day),
                    )
                )

    def _check_author(self):
        """History stays true: only the author of a check-in may change it,
        and only the recompute an automatic one."""
        if self.env.su:
            return
        automatic = self.filtered(lambda checkin: checkin.source == "auto")
        if automatic:
            raise UserError(
                self.env._(
                    "The check-in of “%(key_result)s” on %(date)s records the "
                    "value computed from its metric: it cannot be changed or "
                    "deleted. Change the metric or the scope of the key result "
                    "instead.",
                    key_result=automatic[0].key_result_id.name,
                    date=format_date(self.env, automatic[0].date),
                )
            )
        others = self.filtered(lambda checkin: checkin.user_id != self.env.user)
        if others:
            raise UserError(
                self.env._(
                    "Check-ins are the history of a key result: you can only "
                    "change or delete your own. “%(key_result)s” on %(date)s was "
                    "checked in by %(author)s; add a new check-in instead.",
                    key_result=others[0].key_result_id.name,
                    date=format_date(self.env, others[0].date),
                    author=others[0].user_id.name,
                )
            )

    @api.model
    def _okr_holders_of_history(self, fname, records):
        """Those of ``records`` (key results or objectives, by ``fname``) that
        hold check-ins of other people or automatic ones."""
        holders = self._read_group(
            [
                (fname, "in", records.ids),
                "|",
                ("user_id", "!=", self.env.uid),
                ("source", "=", "auto"),
            ],
            [fname],
        )
        return records.browse([record.id for (record,) in holders])

    @api.model
    def _progress_for(self, key_result, value):
        """The progress ``key_result`` has at ``value``, by today's target."""
        return okr_rules.progress(
            okr_rules.attainment(
                key_result.target_type,
                key_result.start_value,
                key_result.target_value,
                value,
            )
        )

    def _store_progress(self):
        # sudo: the progress follows from the value; users never write it
        for checkin in self.sudo():
            checkin.progress = self._progress_for(checkin.key_result_id, checkin.value)

    def _update_key_result_values(self):
        """The newest check-in of a key result sets its current value.

        Metric key results compute their value: their check-ins record it.
        """
        manual = self.key_result_id.filtered(lambda kr: kr.source == "manual")
        for key_result in manual:
            latest = key_result._latest_checkin()
            if latest in self and key_result.current_value != latest.value:
                # sudo: the value follows the check-in (a user's typed value
                # is a check-in of its own: okr.key.result.write)
                key_result.sudo().current_value = latest.value
