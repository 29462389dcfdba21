import time
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import metric_engine
from .okr_metric import parse_domain

#: A change of orders asks for a recompute this long after it, at most once
#: per this interval per server process: key results stay fresh within minutes
#: without a cron run per confirmed order.
RECOMPUTE_DELAY = timedelta(minutes=1)

#: The fields that say what a metric key result measures.
MEASURE_FIELDS = {
    "objective_id",  # its company and cycle
    "source",
    "metric_id",
    "team_id",
    "salesperson_id",
    "warehouse_id",
    "scope_domain",
    "window",
    "window_days",
}


class OkrKeyResult(models.Model):
    """Key results whose current value is computed from a metric."""

    _inherit = "okr.key.result"

    source = fields.Selection(
        [("manual", "Manual"), ("metric", "Metric")],
        required=True,
        default="manual",
        tracking=True,
        help="Manual: check-ins set the current value.\n"
        "Metric: the current value is computed from the ERP's records.",
    )
    metric_id = fields.Many2one(
        "okr.metric",
        index=True,
        ondelete="restrict",
        domain="[('company_id', 'in', (company_id, False))]",
        tracking=True,
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    salesperson_id = fields.Many2one("res.users", domain="[('share', '=', False)]")
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True)
    scope_domain = fields.Char(
        string="Extra Filter",
        default="[]",
        help="A domain on the metric's source that narrows the records counted.",
    )
    window = fields.Selection(
        [
            ("cycle", "Whole Cycle"),
            ("cycle_to_date", "Cycle to Date"),
            ("rolling", "Last Days"),
        ],
        required=True,
        default="cycle_to_date",
        help="Whole cycle: records of the whole cycle, future days included.\n"
        "Cycle to date: from the start of the cycle until now.\n"
        "Last days: the last N days until now.",
    )
    window_days = fields.Integer(string="Days", default=30)
    metric_model_name = fields.Char(related="metric_id.model_name")
    metric_aggregate = fields.Selection(related="metric_id.aggregate")
    last_computed_at = fields.Datetime(readonly=True, copy=False)
    no_data_since = fields.Datetime(
        readonly=True,
        copy=False,
        help="The metric found no record to measure since then: the value, the "
        "progress and the status are the last ones computed.",
    )
    compute_error = fields.Text(readonly=True, copy=False)

    _okr_recompute_requested_at = 0.0  # per process, time.monotonic()

    @api.constrains("source", "metric_id", "window", "window_days", "scope_domain")
    def _check_metric(self):
        for key_result in self.filtered(lambda kr: kr.source == "metric"):
            metric = key_result.metric_id
            if not metric:
                raise ValidationError(
                    self.env._(
                        "The key result “%(name)s” is computed from a metric: pick "
                        "the metric.",
                        name=key_result.name,
                    )
                )
            if key_result.window == "rolling" and key_result.window_days < 1:
                raise ValidationError(
                    self.env._(
                        "The key result “%(name)s” measures the last %(days)s days: "
                        "set at least 1 day.",
                        name=key_result.name,
                        days=key_result.window_days,
                    )
                )
            if metric.aggregate != "coded":
                key_result._scope_domain(dry_run=True)
            for scope in metric_engine.SCOPE_NAMES:
                field = self._fields[f"{scope}_id"]
                if key_result[field.name] and not metric._scope_field_name(scope):
                    raise ValidationError(
                        self.env._(
                            "The metric “%(metric)s” cannot be scoped by "
                            "%(scope)s: clear %(scope)s on “%(name)s”.",
                            metric=metric.name,
                            scope=field._description_string(self.env),
                            name=key_result.name,
                        )
                    )

    @api.onchange("metric_id")
    def _onchange_metric_id(self):
        if self.metric_id:
            # Picking a metric (in the objective's lines, say) computes the value.
            self.source = "metric"
            self.value_type = self.metric_id.value_type
            self.unit = self.metric_id.unit

    @api.model_create_multi
    def create(self, vals_list):
        key_results = super().create(vals_list)
        if any(key_result.source == "metric" for key_result in key_results):
            self._okr_request_recompute()
        return key_results

    def write(self, vals):
        if MEASURE_FIELDS & vals.keys():
            # Measured differently from now on: computed again soon.
            self._okr_request_recompute()
        if "current_value" in vals and not self.env.context.get("okr_metric_write"):
            computed = self.filtered(lambda kr: kr.source == "metric")
            if computed:
                raise UserError(
                    self.env._(
                        "The current value of “%(name)s” is computed from its "
                        "metric: press Refresh to update it, or make the key "
                        "result manual.",
                        name=computed[0].name,
                    )
                )
        return super().write(vals)

    def _scope_domain(self, dry_run=False):
        """The extra filter as a domain, refused unless literal and valid."""
        self.ensure_one()
        return parse_domain(
            self.env,
            self.metric_id.model_name,
            self.scope_domain,
            self._fields["scope_domain"].string,
            self.name,
            dry_run=dry_run,
        )

    def _check_checkin_allowed(self):
        computed = self.filtered(lambda kr: kr.source == "metric")
        if computed:
            raise UserError(
                self.env._(
                    "“%(name)s” is computed from its metric: its check-ins are "
                    "written automatically. Make the key result manual to check "
                    "in by hand.",
                    name=computed[0].name,
                )
            )
        return super()._check_checkin_allowed()

    def action_refresh(self):
        """Recompute these metric key results now."""
        self.filtered(lambda kr: kr.source == "metric")._okr_recompute()
        return True

    def action_view_records(self):
        """Open the records behind the current value, with the user's rights."""
        return self._okr_records_action(numerator=False)

    def action_view_matching_records(self):
        """For a ratio: open the records of the numerator only."""
        return self._okr_records_action(numerator=True)

    def _okr_records_action(self, numerator):
        self.ensure_one()
        if self.source != "metric":
            raise UserError(
                self.env._("“%s” is not computed from a metric.", self.name)
            )
        model_name, domain = self._okr_records_domain(numerator=numerator)
        if not self.env[model_name].has_access("read"):
            raise UserError(
                self.env._(
                    "“%(name)s” is computed from %(records)s, which you are not "
                    "allowed to open: ask your administrator for access to them.",
                    name=self.name,
                    records=self.env["ir.model"]._get(model_name).sudo().name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": model_name,
            "view_mode": "list,form,pivot,graph",
            "views": [
                (False, "list"),
                (False, "form"),
                (False, "pivot"),
                (False, "graph"),
            ],
            "domain": domain,
            "context": {"create": False},
        }

    def _okr_records_domain(self, numerator=False):
        """``(model, domain)`` of the records the current value was computed on.

        The window is the one of the last computation, so that the records
        opened are exactly those counted.
        """
        self.ensure_one()
        # sudo: the metric's fields are ir.model.fields, which users cannot
        # read; the records open with the user's rights.
        metric = self.metric_id.sudo()
        window = metric_engine.key_result_window(
            self, self.last_computed_at or fields.Datetime.now()
        )
        if metric.aggregate == "coded":
            return metric_engine.CODED_METRIC_RECORDS[metric.code](
                self.company_id.id, window
            )
        domain = [
            ("company_id", "=", self.company_id.id),
            *metric_engine.window_domain(
                metric.date_field_id, window, self.last_computed_at
            ),
            *metric._parse_domain(metric.domain, ""),
            *self._scope_domain(),
            *(
                (metric._scope_field_name(scope), "=", self[f"{scope}_id"].id)
                for scope in metric_engine.SCOPE_NAMES
                if self[f"{scope}_id"]
            ),
        ]
        if numerator and metric.aggregate == "ratio":
            domain += metric._parse_domain(metric.numerator_domain, "")
        return metric.model_name, domain

    @api.model
    def _okr_request_recompute(self, model_names=None, company_ids=None):
        """Ask for a recompute soon after this transaction commits.

        ``model_names`` and ``company_ids`` say what changed (records of those
        source models, in those companies), None for anything.

        Called where orders and deliveries change: it costs the user's
        transaction one insert at most, and nothing when a recompute was
        requested by this process within ``RECOMPUTE_DELAY``.
        """
        precommit = self.env.cr.precommit
        if "okr_recompute" in precommit.data:
            return
        precommit.data["okr_recompute"] = True
        precommit.add(self._okr_schedule_recompute)

    def _okr_schedule_recompute(self):
        cls = type(self)
        if time.monotonic() - cls._okr_recompute_requested_at < RECOMPUTE_DELAY.seconds:
            return
        cls._okr_recompute_requested_at = time.monotonic()
        cron = self.env.ref(
            "okr_order_management.okr_key_result_cron_recompute",
            raise_if_not_found=False,
        )
        if cron:
            cron.sudo()._trigger(at=fields.Datetime.now() + RECOMPUTE_DELAY)

    def _okr_recompute(self, now=None):
        """Evaluate these metric key results and store values and history.

        ``now`` evaluates them as of another moment (the demo builds its
        history that way); the automatic check-in is dated on its day.
        """
        now = now or fields.Datetime.now()
        cron = self.env["ir.cron"]
        outcomes = metric_engine.MetricEvaluator(self.env, now).evaluate(
            self,
            on_group_done=lambda done, remaining: cron._notify_progress(
                done=done, remaining=remaining
            ),
        )
        key_results = self.sudo().with_context(
            okr_metric_write=True, tracking_disable=True
        )
        for key_result in key_results:
            outcome = outcomes[key_result.id]
            vals = {"last_computed_at": now, "compute_error": outcome.error or False}
            if outcome.value is not None:
                vals.update(current_value=outcome.value, no_data_since=False)
            elif not outcome.error and not key_result.no_data_since:
                vals["no_data_since"] = now
            key_result.write(vals)
        computed = key_results.filtered(lambda kr: outcomes[kr.id].value is not None)
        computed._okr_write_daily_checkins(now)

    def _okr_write_daily_checkins(self, now):
        """One automatic check-in per key result and day, updated in place."""
        if not self:
            return
        Checkin = self.env["okr.checkin"].sudo()
        today = {
            kr: fields.Date.context_today(
                kr.with_context(tz=metric_engine.company_tz(kr.company_id)), now
            )
            for kr in self
        }
        existing = {
            (checkin.key_result_id, checkin.date): checkin
            for checkin in Checkin.search(
                [
                    ("key_result_id", "in", self.ids),
                    ("source", "=", "auto"),
                    ("date", "in", list(set(today.values()))),
                ]
            )
        }
        to_create = []
        for key_result in self:
            vals = {"value": key_result.current_value}
            checkin = existing.get((key_result, today[key_result]))
            if checkin:
                checkin.write(vals)
            else:
                to_create.append(
                    dict(
                        vals,
                        key_result_id=key_result.id,
                        date=today[key_result],
                        source="auto",
                        # Computed by the system, whoever pressed Refresh.
                        user_id=SUPERUSER_ID,
                        confidence=key_result.confidence,
                    )
                )
        Checkin.create(to_create)

    def _cron_recompute(self):
        """Hourly: every metric key result of the cycles still open."""
        self.search(
            [("source", "=", "metric"), ("cycle_id.state", "!=", "closed")]
        )._okr_recompute()
