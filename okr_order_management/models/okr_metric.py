import ast

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, mute_logger

from .. import measure_access
from ..coded_metrics import CODED_METRICS
from ..measure import company_field
from .okr_input import check_input

NUMERIC_TYPES = ("integer", "float", "monetary")
VALUE_AGGREGATES = ("sum", "avg", "min", "max", "count_distinct")
#: The fields that define what a metric measures, validated together.
DEFINITION_FIELDS = (
    "model_id",
    "date_field_id",
    "domain",
    "aggregate",
    "value_field_id",
    "numerator_domain",
    "team_field_id",
    "salesperson_field_id",
    "warehouse_field_id",
)
SCOPE_FIELDS = ("team_field_id", "salesperson_field_id", "warehouse_field_id")
SCOPES = {
    # scope: (field of okr.metric naming the source field, comodel it must point to)
    "team": ("team_field_id", "crm.team"),
    "salesperson": ("salesperson_field_id", "res.users"),
    "warehouse": ("warehouse_field_id", "stock.warehouse"),
}


class OkrMetric(models.Model):
    """A measure of the ERP's own records that key results can follow.

    OKR managers define metrics without code: a source model, the date that
    places a record in a window, a base domain and an aggregate. Domains are
    data, parsed as literals and compiled by the ORM: nothing typed is run.
    """

    _name = "okr.metric"
    _description = "OKR Metric"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    # Not required: when its module is uninstalled, the metric is archived
    # with the reason (see ir.model.unlink), its key results stay.
    model_id = fields.Many2one(
        "ir.model",
        string="Source",
        ondelete="set null",
        domain="[('transient', '=', False)]",
    )
    model_name = fields.Char(related="model_id.model", store=True, string="Model")
    date_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime')),"
        " ('store', '=', True)]",
        help="The date that places a record in a key result's window.",
    )
    period = fields.Selection(
        [("window", "In the window"), ("overdue", "Overdue now")],
        string="Records Counted",
        required=True,
        default="window",
        help="In the window: records whose date falls in the key result's window.\n"
        "Overdue now: records whose date has passed, whatever the window.",
    )
    domain = fields.Char(
        string="Records",
        required=True,
        default="[]",
        help="The base population, as a domain on the source model.",
    )
    aggregate = fields.Selection(
        [
            ("count", "Count"),
            ("sum", "Sum"),
            ("avg", "Average"),
            ("min", "Minimum"),
            ("max", "Maximum"),
            ("count_distinct", "Count Distinct"),
            ("ratio", "Ratio (%)"),
            ("coded", "Computed by the addon"),
        ],
        required=True,
        default="count",
        help="Ratio: the share of the records that also match the numerator "
        "domain, in %.",
    )
    value_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="The stored numeric field to sum, average, etc., or the field "
        "whose distinct values are counted.",
    )
    numerator_domain = fields.Char(
        help="For a ratio: the records of the base population that count.",
    )
    comparison = fields.Selection(
        [("none", "None"), ("growth", "Growth (%)")],
        required=True,
        default="none",
        help="Growth: % change against the previous window of the same length.",
    )
    value_type = fields.Selection(
        [("number", "Number"), ("percentage", "Percentage"), ("currency", "Currency")],
        required=True,
        default="number",
    )
    unit = fields.Char(translate=True)
    team_field_id = fields.Many2one(
        "ir.model.fields",
        string="Sales Team Field",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'many2one'),"
        " ('relation', '=', 'crm.team'), ('store', '=', True)]",
        help="The field of the source that a key result's sales team scopes.",
    )
    salesperson_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'many2one'),"
        " ('relation', '=', 'res.users'), ('store', '=', True)]",
    )
    warehouse_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'many2one'),"
        " ('relation', '=', 'stock.warehouse'), ('store', '=', True)]",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the metric with every company.",
    )
    key_result_ids = fields.One2many("okr.key.result", "metric_id")
    invalid_reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the addon archived this metric: what it reads was removed.",
    )
    configured_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="Who last defined what this metric counts: its domains are applied "
        "with this user's rights. Empty for the metrics of the addon.",
    )

    _sql_constraints = [
        ("code_uniq", "unique (code)", "Another metric already has this code."),
    ]

    @api.onchange("model_id")
    def _onchange_model_id(self):
        """Guess the scope fields: the usual names of the ERP's documents."""
        fields_by_name = {field.name: field for field in self.model_id.field_id}
        for scope, candidates in (
            ("team", ("team_id", "okr_team_id")),
            ("salesperson", ("user_id", "okr_salesperson_id")),
            ("warehouse", ("warehouse_id", "okr_warehouse_id")),
        ):
            fname, comodel = SCOPES[scope]
            self[fname] = next(
                (
                    fields_by_name[name]
                    for name in candidates
                    if name in fields_by_name
                    and fields_by_name[name].relation == comodel
                    and fields_by_name[name].store
                ),
                False,
            )

    @api.constrains(*DEFINITION_FIELDS, "period", "comparison", "active")
    def _check_definition(self):
        # An archived metric may lack what it read (see _archive_readers_of).
        for metric in self.filtered("active"):
            metric._check_source()
            metric._check_period()
            if metric.aggregate == "coded":
                continue
            # With the rights of the user saving it: see measure_access.
            measure_access.check_model(self.env, metric.model_name, metric.name)
            for fname in ("domain", "numerator_domain"):
                check_domain_access(
                    self.env,
                    metric.model_name,
                    metric[fname],
                    self._fields[fname]._description_string(self.env),
                    metric.name,
                )
            metric._parse_domain(metric.domain, self.env._("Records"), dry_run=True)
            if metric.aggregate == "ratio":
                if not (metric.numerator_domain or "").strip():
                    raise ValidationError(
                        self.env._(
                            "The ratio metric “%(metric)s” needs a numerator "
                            "domain: the records that count in the share.",
                            metric=metric.name,
                        )
                    )
                metric._parse_domain(
                    metric.numerator_domain,
                    self.env._("Numerator Domain"),
                    dry_run=True,
                )
            metric._check_date_field()
            metric._check_value_field()
            metric._check_scope_fields()
            for fname in ("date_field_id", "value_field_id", *SCOPE_FIELDS):
                if metric[fname]:
                    measure_access.check_path(
                        self.env,
                        metric.model_name,
                        metric[fname].name,
                        self._fields[fname]._description_string(self.env),
                        metric.name,
                    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input(self, vals_list)
        for vals in vals_list:
            vals["configured_by_id"] = self._configuring_user()
        return super().create(vals_list)

    def write(self, vals):
        check_input(self, [vals])
        if "configured_by_id" in vals and not self.env.su:
            raise UserError(
                self.env._("Who configured a metric is set by the addon only.")
            )
        if {*DEFINITION_FIELDS, "period"} & vals.keys():
            vals = dict(vals, configured_by_id=self._configuring_user())
        if vals.get("active"):
            vals = dict(vals, invalid_reason=False)  # checked again on the way
        res = super().write(vals)
        if {*DEFINITION_FIELDS, "comparison", "period", "active"} & vals.keys():
            # Its key results measure something else from now on.
            self.env["okr.key.result"]._okr_request_recompute()
        return res

    @api.model
    def _archive_readers_of(self, removed_models=None, removed_fields=None):
        """Archive the metrics that read these models or fields (records about
        to be deleted, by an uninstall say), saying why: their key results then
        show the reason as their error, and nothing reads a column that is
        gone."""
        models = removed_models or self.env["ir.model"]
        fields_ = removed_fields or self.env["ir.model.fields"]
        Metric = self.sudo().with_context(active_test=False)
        readers = Metric.search(
            [
                "|",
                ("model_id", "in", models.ids),
                "|",
                ("date_field_id", "in", fields_.ids),
                ("value_field_id", "in", fields_.ids),
            ]
        )
        for metric in readers:
            gone = (metric.model_id & models) or (
                (metric.date_field_id | metric.value_field_id) & fields_
            )
            metric.write(
                {
                    "active": False,
                    "invalid_reason": self.env._(
                        "Archived because %(what)s was removed (its module was "
                        "uninstalled, say): pick another source or field, then "
                        "unarchive it.",
                        what=", ".join(gone.mapped("display_name")),
                    ),
                }
            )

    def _configuring_user(self):
        """The user whose rights the definition is applied with; nobody (the
        superuser) for data files."""
        return False if self.env.su else self.env.uid

    def _check_period(self):
        if self.period != "overdue":
            return
        if self.comparison == "growth":
            raise ValidationError(
                self.env._(
                    "The metric “%(metric)s” counts what is overdue now, which has "
                    "no previous window to grow from: set Comparison to None, or "
                    "count the records in the window.",
                    metric=self.name,
                )
            )
        if self.aggregate == "coded":
            raise ValidationError(
                self.env._(
                    "The metric “%(metric)s” is computed by the addon over a window: "
                    "set Records Counted to “In the window”.",
                    metric=self.name,
                )
            )

    def _check_source(self):
        if not self.model_id:
            raise ValidationError(
                self.env._("Pick the source of the metric “%s”.", self.name)
            )
        model = self.env.get(self.model_name)
        if self.aggregate == "coded":
            if self.code not in CODED_METRICS:
                raise ValidationError(
                    self.env._(
                        "The metric “%(metric)s” is computed by the addon, but no "
                        "computation has the code “%(code)s”: pick another "
                        "aggregate.",
                        metric=self.name,
                        code=self.code,
                    )
                )
            return
        company = model is not None and model._fields.get(company_field(model))
        if not (company and company.store and company.type == "many2one"):
            raise ValidationError(
                self.env._(
                    "The source of the metric “%(metric)s” must have a company "
                    "(a stored Company field), so that each company only counts "
                    "its own records: pick another model than %(model)s.",
                    metric=self.name,
                    model=self.model_id.name,
                )
            )

    def _check_date_field(self):
        field = self.date_field_id
        if (
            field.model_id != self.model_id
            or field.ttype not in ("date", "datetime")
            or not field.store
        ):
            raise ValidationError(
                self.env._(
                    "The metric “%(metric)s” needs a stored date or date-time field "
                    "of %(model)s to place records in a window: pick one in "
                    "Date Field.",
                    metric=self.name,
                    model=self.model_id.name,
                )
            )

    def _check_value_field(self):
        field = self.value_field_id
        if self.aggregate not in VALUE_AGGREGATES:
            return
        if self.aggregate == "count_distinct":
            valid = field.ttype not in ("one2many", "many2many")
            message = self.env._(
                "The metric “%(metric)s” counts the distinct values of a field: "
                "pick a stored field of %(model)s that holds one value per record."
            )
        else:
            valid = field.ttype in NUMERIC_TYPES
            message = self.env._(
                "The metric “%(metric)s” needs a stored numeric field of "
                "%(model)s as its value field."
            )
        if not (valid and field.store and field.model_id == self.model_id):
            raise ValidationError(
                message % {"metric": self.name, "model": self.model_id.name}
            )

    def _check_scope_fields(self):
        for fname, comodel in SCOPES.values():
            field = self[fname]
            if field and (
                field.model_id != self.model_id
                or field.ttype != "many2one"
                or field.relation != comodel
                or not field.store
            ):
                raise ValidationError(
                    self.env._(
                        "“%(field)s” of the metric “%(metric)s” must be a stored "
                        "link of %(model)s to %(comodel)s.",
                        field=self._fields[fname].string,
                        metric=self.name,
                        model=self.model_id.name,
                        comodel=self.env["ir.model"]._get(comodel).name,
                    )
                )

    def _parse_domain(self, text, label, dry_run=False):
        """Return the domain written in ``text``, refused unless it is a literal
        domain over existing fields of the source model."""
        self.ensure_one()
        return parse_domain(
            self.env, self.model_name, text, label, self.name, dry_run=dry_run
        )

    def _scope_field_name(self, scope):
        """The field of the source that ``scope`` applies to, or None."""
        # sudo: ir.model.fields, which OKR users scoping a key result cannot read
        return self.sudo()[SCOPES[scope][0]].name or None


def parse_domain(env, model_name, text, label, owner, dry_run=False):
    """Parse a domain typed by a user: a literal, checked by the ORM.

    ``ast.literal_eval`` refuses names, calls and attributes, so a domain can
    never run code; compiling it against the model refuses unknown fields.
    ``dry_run`` also has PostgreSQL plan it, which refuses the values the ORM
    passes through, such as a date that is not one: done when a definition is
    saved, it spares the recomputes an error.
    """
    model = env[model_name].sudo()
    try:
        domain = literal_domain(env, text)
        query = model._where_calc(domain, active_test=False)
        if dry_run:
            with mute_logger("odoo.sql_db"), env.cr.savepoint(flush=False):
                env.cr.execute(SQL("%s LIMIT 0", query.select()))
    except (psycopg2.DataError, psycopg2.ProgrammingError) as error:
        raise ValidationError(
            env._(
                "%(label)s of “%(owner)s” compares a field of %(model)s with a "
                "value of the wrong kind: %(error)s. Write dates as "
                '"2026-12-31" and numbers without quotes.',
                label=label,
                owner=owner,
                model=env["ir.model"]._get(model_name).name,
                error=error.diag.message_primary,
            )
        ) from error
    except (
        ValueError,
        SyntaxError,
        TypeError,
        KeyError,
        IndexError,  # an operator short of operands: ['|', (...)]
        AssertionError,
    ) as error:
        raise ValidationError(
            env._(
                "%(label)s of “%(owner)s” is not a valid domain on %(model)s: "
                "%(error)s. Write a list of conditions on its fields, such as "
                '[("state", "=", "sale")].',
                label=label,
                owner=owner,
                model=env["ir.model"]._get(model_name).name,
                error=error,
            )
        ) from error
    return domain


def check_domain_access(env, model_name, text, label, owner):
    """Refuse, before the ORM compiles it, a domain over fields that are not
    stored (which it would drop) or not readable by ``env.user``."""
    try:
        domain = literal_domain(env, text)
    except (ValueError, SyntaxError):
        return  # parse_domain says what is wrong
    measure_access.check_domain(env, model_name, domain, label, owner)


def literal_domain(env, text):
    """The domain written in ``text``: a literal, never code."""
    domain = ast.literal_eval((text or "").strip() or "[]")
    if not isinstance(domain, list | tuple):
        raise ValueError(env._("a domain is a list of conditions"))
    return list(domain)
