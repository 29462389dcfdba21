import contextlib
import logging
import threading
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import measure_access, metric_engine
from ..coded_metrics import CODED_METRICS
from ..measure import (
    Measure,
    Window,
    company_field,
    company_tz,
    freeze,
    local_midnight,
)
from .okr_input import format_number, refuse_addon_fields
from .okr_metric import check_domain_access, literal_domain, parse_domain

_logger = logging.getLogger(__name__)

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
#: The fields only the engine writes.
ENGINE_FIELDS = {"current_value", "last_computed_at", "no_data_since", "compute_error"}
ADDON_ONLY_FIELDS = ENGINE_FIELDS | {"scope_user_id"}
SCOPE_NAMES = ("team", "salesperson", "warehouse")
#: How many times the scheduled recompute retries a group after a conflict.
CONFLICT_RETRIES = 3


class OkrKeyResult(models.Model):
    """Key results whose current value is computed from a metric."""

    # Apart from the key result's own measure: the engine's side.
    _inherit = "okr.key.result"  # pylint: disable=consider-merging-classes-inherited

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
    scope_user_id = fields.Many2one(
        "res.users",
        string="Scoped By",
        readonly=True,
        copy=False,
        help="Who last set what this key result measures: its value only counts "
        "records this user may read.",
    )
    last_computed_at = fields.Datetime(readonly=True, copy=False)
    no_data_since = fields.Datetime(
        readonly=True,
        copy=False,
        help="The metric found no record to measure since then: the value, the "
        "progress and the status are the last ones computed.",
    )
    compute_error = fields.Text(readonly=True, copy=False)

    @api.constrains(*sorted(MEASURE_FIELDS))
    def _check_metric(self):
        for key_result in self.filtered(lambda kr: kr.source == "metric"):
            if not key_result.metric_id:
                raise ValidationError(
                    self.env._(
                        "The key result “%(name)s” is computed from a metric: pick "
                        "the metric.",
                        name=key_result.name,
                    )
                )
            if key_result.window == "rolling" and not (
                1 <= key_result.window_days <= Window.MAX_DAYS
            ):
                raise ValidationError(
                    self.env._(
                        "The key result “%(name)s” measures the last %(days)s days: "
                        "set from 1 to %(max)s days.",
                        name=key_result.name,
                        days=format_number(self.env, key_result.window_days),
                        max=format_number(self.env, Window.MAX_DAYS),
                    )
                )
            check_domain_access(
                self.env,
                key_result._okr_source_model(),
                key_result.scope_domain,
                self._fields["scope_domain"].string,
                key_result.name,
            )
            key_result._scope_domain(dry_run=True)
            try:
                measure = key_result._okr_measure(fields.Datetime.now())
            except ValueError as error:
                raise ValidationError(str(error)) from error
            # With the rights of the user saving it: see measure_access.
            measure_access.check_model(self.env, measure.model_name, key_result.name)
            measure_access.check_population(self.env, measure, key_result.name)

    @api.onchange("metric_id")
    def _onchange_metric_id(self):
        if self.metric_id:
            # Picking a metric (in the objective's lines, say) computes the value.
            self.source = "metric"
            self.value_type = self.metric_id.value_type
            self.unit = self.metric_id.unit

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._okr_check_engine_fields(vals)
            if vals.get("source") == "metric" or vals.get("metric_id"):
                vals["scope_user_id"] = self._okr_scope_user()
        key_results = super().create(vals_list)
        measured = key_results.filtered(lambda kr: kr.source == "metric")
        if measured:
            measured._okr_request_recompute_of_key_results()
        return key_results

    def write(self, vals):
        self._okr_check_engine_fields(vals)
        measured = self.filtered(lambda kr: kr.source == "metric")
        if MEASURE_FIELDS & vals.keys():
            vals = dict(vals, scope_user_id=self._okr_scope_user())
        res = super().write(vals)
        if MEASURE_FIELDS & vals.keys():
            # Measured differently from now on: computed again soon.
            measured |= self.filtered(lambda kr: kr.source == "metric")
            measured._okr_request_recompute_of_key_results()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for key_result, vals in zip(self, vals_list, strict=True):
            if key_result.source == "metric":
                # Computed again for the copy, as its own scope allows.
                vals.pop("current_value", None)
        return vals_list

    def _okr_scope_user(self):
        """Who sets what is measured: the user, or nobody for the superuser
        (data files, the engine), whose rights then apply."""
        return False if self.env.su else self.env.uid

    def _okr_check_engine_fields(self, vals):
        """Only the engine (as the superuser) writes what it computes."""
        if self.env.su or not vals.keys() & ADDON_ONLY_FIELDS:
            return
        refuse_addon_fields(
            self,
            [vals],
            lambda field: field.name in ADDON_ONLY_FIELDS - {"current_value"},
        )
        computed = self.filtered(lambda kr: kr.source == "metric")
        if computed or vals.get("source") == "metric":
            raise UserError(
                self.env._(
                    "The current value of “%(name)s” is computed from its "
                    "metric: press Refresh to update it, or make the key "
                    "result manual.",
                    name=(computed[:1] or self[:1]).name or vals.get("name", ""),
                )
            )

    def _scope_domain(self, dry_run=False):
        """The extra filter as a domain, refused unless literal and valid."""
        self.ensure_one()
        return parse_domain(
            self.env,
            self._okr_source_model(),
            self.scope_domain,
            self._fields["scope_domain"].string,
            self.name,
            dry_run=dry_run,
        )

    def _okr_source_model(self):
        metric = self.metric_id.sudo()
        if metric.aggregate == "coded":
            return CODED_METRICS[metric.code].model_name
        return metric.model_name

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
        """Recompute these metric key results now, in one evaluation.

        For those who may edit them: everybody may read a key result, but a
        refresh writes its value and history.
        """
        self.check_access("write")
        self.cycle_id._check_open()  # a closed cycle's values are final
        measured = self.filtered(lambda kr: kr.source == "metric")
        # sudo: the engine writes the values, which nobody else may
        measured.sudo()._okr_recompute(read_on_replica=True)
        failed = measured.filtered("compute_error")
        message = self.env._(
            "%(count)s key result(s) recomputed.", count=len(measured - failed)
        )
        if failed:
            message = self.env._(
                "%(count)s key result(s) recomputed, %(failed)s failed: %(errors)s",
                count=len(measured - failed),
                failed=len(failed),
                errors="; ".join(f"{kr.name}: {kr.compute_error}" for kr in failed),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Refresh"),
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": bool(failed),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

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
        action = {
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
        # sudo: the metric's definition, which users cannot read field by field
        if model_name == "sale.order" and self.metric_id.sudo().period == "overdue":
            action.update(self.env["sale.order"]._okr_risk_views())
        return action

    def _okr_records_domain(self, numerator=False):
        """``(model, domain)`` of the records the current value was computed on.

        The measure is the one of the last computation, so that the records
        opened are exactly those counted.
        """
        self.ensure_one()
        measure = self._okr_measure(self.last_computed_at or fields.Datetime.now())
        return measure.model_name, measure.domain(numerator=numerator)

    def _okr_window(self, now, to_date=False):
        """The window this key result measures at ``now``; ``to_date``: a
        whole-cycle window ends at ``now`` too (its value as of a past day)."""
        tz_name = company_tz(self.company_id)
        if self.metric_id.sudo().period == "overdue":
            return Window.overdue(now, tz_name)
        until = now + timedelta(seconds=1)  # up to now included, at ORM precision
        if self.window == "rolling":
            days = min(max(self.window_days, 1), Window.MAX_DAYS)
            return Window(until - timedelta(days=days), until, tz_name)
        window = Window.days(self.cycle_id.date_start, self.cycle_id.date_end, tz_name)
        if self.window == "cycle_to_date" or to_date:
            end = min(max(until, window.start), window.end)
            window = Window(window.start, end, tz_name)
        return window

    def _okr_measure(self, now, to_date=False):
        """The ``Measure`` of this key result at ``now``: what it counts.

        Raises ValueError, with a message for the user, when the definition
        cannot be measured.
        """
        self.ensure_one()
        # sudo: the metric's fields are ir.model.fields, which users cannot read
        metric = self.metric_id.sudo()
        if not metric.active:
            raise ValueError(
                self.env._(
                    "The metric “%(metric)s” is archived. %(reason)s Pick another "
                    "metric, or make the key result manual.",
                    metric=metric.name,
                    reason=metric.invalid_reason or "",
                )
            )
        scope = []
        for scope_name in SCOPE_NAMES:
            record = self[f"{scope_name}_id"]
            if not record:
                continue
            fname = metric._scope_field_name(scope_name)
            if not fname:
                field = self._fields[f"{scope_name}_id"]
                raise ValueError(
                    self.env._(
                        "The metric “%(metric)s” cannot be scoped by %(scope)s: "
                        "clear %(scope)s on “%(name)s”.",
                        metric=metric.name,
                        scope=field._description_string(self.env),
                        name=self.name,
                    )
                )
            scope.append((fname, record.id))
        common = {
            "company_id": self.company_id.id,
            "window": self._okr_window(now, to_date),
            "extra": freeze(literal_domain(self.env, self.scope_domain)),
            "scope": tuple(sorted(scope)),
            "growth": metric.comparison == "growth",
            "extra_uid": self.scope_user_id.id or None,
        }
        if metric.aggregate == "coded":
            coded = CODED_METRICS[metric.code]
            return Measure(
                model_name=coded.model_name,
                date_field=coded.date_field,
                date_type="datetime",
                aggregate="coded",
                code=metric.code,
                base=freeze(coded.domain),
                **common,
            )
        return Measure(
            model_name=metric.model_name,
            date_field=metric.date_field_id.name,
            date_type=metric.date_field_id.ttype,
            aggregate=metric.aggregate,
            value_field=metric.value_field_id.name or None,
            base=freeze(literal_domain(self.env, metric.domain)),
            numerator=freeze(
                literal_domain(self.env, metric.numerator_domain)
                if metric.aggregate == "ratio"
                else []
            ),
            base_uid=metric.configured_by_id.id or None,
            company_field=company_field(self.env.get(metric.model_name)),
            **common,
        )

    @api.model
    def _okr_request_recompute(self, model_names=None, company_ids=None, since=None):
        """Ask for a recompute of the key results that read ``model_names``
        for ``company_ids`` (None: any), soon after this transaction commits.
        ``since``: the earliest date of the records that changed, when they
        are older than the change (an order confirmed long ago, cancelled).

        Called wherever orders and deliveries change: see okr.recompute.request.
        """
        self.env["okr.recompute.request"]._request(
            model_names, company_ids, since=since
        )

    def _okr_request_recompute_of_key_results(self):
        """These key results measure something else from now on."""
        self.env["okr.recompute.request"]._request(
            None, self.company_id.ids or None, key_result_ids=self.ids
        )

    def _okr_recompute(
        self, now=None, read_on_replica=False, commit=False, affected=None
    ):
        """Evaluate these metric key results and store values and history.

        ``now`` evaluates them as of another moment (the demo builds its
        history that way); the automatic check-in is dated on its day.
        ``read_on_replica`` reads the records on a read-only cursor: the
        replica when Odoo has one (``db_replica_host``), else the main
        database. ``commit`` (the scheduled runs) commits group by group and
        retries a group after a conflict with a concurrent transaction.
        ``affected(key_result_id, measure)`` keeps only some of them.
        """
        now = now or fields.Datetime.now()
        measures, failed = {}, {}
        for key_result in self.sudo():
            try:
                measure = key_result._okr_measure(now)
            except (ValueError, SyntaxError, KeyError) as error:
                failed[key_result.id] = metric_engine.Outcome(error=str(error))
                continue
            if affected is None or affected(key_result.id, measure):
                measures[key_result.id] = measure
        self.browse(failed)._okr_store(failed, now)
        batches = [measures]
        if commit:
            by_group = {}
            for key, measure in measures.items():
                by_group.setdefault(measure.group_key, {})[key] = measure
            batches = list(by_group.values())
        cron = self.env["ir.cron"]
        for done, batch in enumerate(batches, start=1):
            if commit:
                self._okr_recompute_batch_with_retries(batch, now, read_on_replica)
                cron._notify_progress(done=done, remaining=len(batches) - done)
            else:
                self._okr_recompute_batch(batch, now, read_on_replica)
        return measures

    def _okr_recompute_batch(self, measures, now, read_on_replica):
        self.env.flush_all()  # what this transaction wrote, before reading
        with self._okr_read_env(read_on_replica) as read_env:
            outcomes = metric_engine.evaluate(read_env, measures)
            history = self._okr_past_values(measures, now, read_env)
        self.browse(outcomes)._okr_store(outcomes, now)
        self._okr_store_past_values(history)

    @contextlib.contextmanager
    def _okr_read_env(self, read_on_replica):
        """Where the records are read: the replica when asked and Odoo has one."""
        registry = self.env.registry
        if read_on_replica and registry._db_readonly is not None:
            with registry.cursor(readonly=True) as read_cr:
                yield api.Environment(read_cr, SUPERUSER_ID, {})
        else:
            yield self.env

    def _okr_past_values(self, measures, now, read_env):
        """``{(key_result_id, day): value}`` for the past days of the cycle of
        key results computed for the first time, so that their history starts
        with the cycle (or their rolling window, when later), not today.

        One evaluation per past day for all of them together, by the engine
        that computes today's value: the same records count.
        """
        by_day = defaultdict(dict)  # day -> {key_result_id: measure}
        first_time = (
            self.browse(measures)
            .sudo()
            .filtered(lambda key_result: not key_result.last_computed_at)
        )
        for key_result in first_time:
            window = measures[key_result.id].window
            today = window.local_date(now)
            day = key_result.cycle_id.date_start
            if key_result.window == "rolling" and not window.is_overdue:
                day = max(day, window.local_date(window.start))
            last = min(today - timedelta(days=1), key_result.cycle_id.date_end)
            while day <= last:
                end_of_day = local_midnight(day + timedelta(days=1), window.tz)
                by_day[day][key_result.id] = key_result._okr_measure(
                    end_of_day - timedelta(seconds=1), to_date=True
                )
                day += timedelta(days=1)
        values = {}
        for day, day_measures in by_day.items():
            outcomes = metric_engine.evaluate(read_env, day_measures)
            for key, outcome in outcomes.items():
                if outcome.value is not None:
                    values[key, day] = outcome.value
        return values

    def _okr_store_past_values(self, values):
        Checkin = self.env["okr.checkin"].sudo()
        confidence = Checkin.default_get(["confidence"])["confidence"]
        try:
            with self.env.cr.savepoint(flush=False):
                Checkin.create(
                    [
                        {
                            "key_result_id": key_result_id,
                            "date": day,
                            "value": value,
                            "source": "auto",
                            "user_id": SUPERUSER_ID,
                            "confidence": confidence,
                        }
                        for (key_result_id, day), value in values.items()
                    ]
                )
        except psycopg2.errors.UniqueViolation:
            # A concurrent first computation filled the same days in.
            _logger.info("OKR: past days filled in by a concurrent recompute")

    def _okr_recompute_batch_with_retries(self, measures, now, read_on_replica):
        """One batch of the scheduled run, in its own transaction."""
        testing = getattr(threading.current_thread(), "testing", False)
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                self._okr_recompute_batch(measures, now, read_on_replica)
                if not testing:
                    # A scheduled run commits group by group (see docstring).
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                return
            except (
                psycopg2.errors.SerializationFailure,
                psycopg2.errors.UniqueViolation,
            ) as error:
                if testing:
                    raise
                self.env.cr.rollback()
                _logger.info(
                    "OKR recompute: conflict on key results %s (attempt %s): %s",
                    list(measures),
                    attempt,
                    error,
                )
        failed = {
            key: metric_engine.Outcome(
                error=self.env._(
                    "Not stored: another change of this key result conflicted "
                    "%(count)s times with the recompute. It is computed again at "
                    "the next run.",
                    count=CONFLICT_RETRIES,
                )
            )
            for key in measures
        }
        try:
            self.browse(failed)._okr_store(failed, now)
            self.env.cr.commit()  # pylint: disable=invalid-commit
        except psycopg2.errors.SerializationFailure:
            self.env.cr.rollback()  # still busy: the next run will tell

    def _okr_store(self, outcomes, now):
        """Write the outcomes ``{key_result_id: Outcome}`` and the history."""
        key_results = self.sudo().with_context(tracking_disable=True)
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
                kr.with_context(tz=company_tz(kr.company_id)), now
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
                        # A number has no confidence of its own: the owner's
                        # last one, else the check-in form's default.
                        confidence=key_result._last_confidence(),
                    )
                )
        try:
            with self.env.cr.savepoint(flush=False):
                Checkin.create(to_create)
        except psycopg2.errors.UniqueViolation:
            # A concurrent recompute wrote today's check-ins first (the
            # unique index of okr.checkin): theirs are as current as ours.
            _logger.info("OKR: today's check-ins written by a concurrent recompute")

    def _okr_to_recompute(self):
        """Every metric key result of the cycles still open."""
        return self.search(
            [("source", "=", "metric"), ("cycle_id.state", "!=", "closed")]
        )

    def _cron_recompute(self):
        """Hourly: every metric key result; the requests waiting are served."""
        self.env["okr.recompute.request"]._take()
        self._okr_to_recompute()._okr_recompute(read_on_replica=True, commit=True)

    def _cron_recompute_requested(self):
        """A minute after changes: only the key results they can affect."""
        Request = self.env["okr.recompute.request"]
        requests = Request._take()
        if not requests:
            return
        self._okr_to_recompute()._okr_recompute(
            read_on_replica=True,
            commit=True,
            affected=lambda key, measure: Request._affects(requests, key, measure),
        )
