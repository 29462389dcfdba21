"""Evaluate metric key results in the database.

Key results that read the same source model, for the same company, over the
same window are evaluated by ONE query: each distinct metric definition (and
extra scope domain) is a ``FILTER`` aggregate, and each scope combination in
use (sales team, salesperson, warehouse) a ``GROUPING SETS`` entry. The
number of queries thus follows the number of distinct (source, window)
groups, never the number of key results.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytz

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

SCOPE_NAMES = ("team", "salesperson", "warehouse")


@dataclass(frozen=True)
class Window:
    """A half-open interval [start, end) of naive UTC datetimes.

    ``start`` and ``end`` are None for metrics that count overdue records
    at ``now`` whatever the window.
    """

    start: datetime | None
    end: datetime | None
    tz: str = "UTC"

    def previous(self):
        """The window of the same length right before this one."""
        return Window(self.start - (self.end - self.start), self.start, self.tz)

    def local_date(self, moment):
        """The day ``moment`` (naive UTC) falls on in the window's timezone."""
        return pytz.utc.localize(moment).astimezone(pytz.timezone(self.tz)).date()

    def local_dates(self):
        """First and last local days of the window, for date fields."""
        tz = pytz.timezone(self.tz)
        start = pytz.utc.localize(self.start).astimezone(tz).date()
        last = pytz.utc.localize(self.end - timedelta(microseconds=1))
        return start, last.astimezone(tz).date()


def company_tz(company):
    """Windows are taken in the company's timezone: its partner's, else UTC."""
    return company.partner_id.tz or "UTC"


def local_midnight(day, tz_name):
    """00:00 of ``day`` in ``tz_name``, as a naive UTC datetime."""
    local = pytz.timezone(tz_name).localize(datetime.combine(day, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def key_result_window(key_result, now):
    """The window a metric key result measures at ``now``."""
    if key_result.metric_id.period == "overdue":
        return Window(None, None, company_tz(key_result.company_id))
    tz_name = company_tz(key_result.company_id)
    until = now + timedelta(seconds=1)  # up to now included, at ORM precision
    if key_result.window == "rolling":
        return Window(until - timedelta(days=key_result.window_days), until, tz_name)
    cycle = key_result.cycle_id
    start = local_midnight(cycle.date_start, tz_name)
    end = local_midnight(cycle.date_end + timedelta(days=1), tz_name)
    if key_result.window == "cycle_to_date":
        end = min(max(until, start), end)
    return Window(start, end, tz_name)


def window_domain(date_field, window, now):
    """The domain of the records whose date puts them in ``window``.

    It says in ORM terms what ``GroupQuery._date_condition`` says in SQL.
    """
    fname = date_field.name
    if window.start is None:  # overdue now
        bound = window.local_date(now) if date_field.ttype == "date" else now
        return [(fname, "<", bound)]
    if date_field.ttype == "date":
        first, last = window.local_dates()
        return [(fname, ">=", first), (fname, "<=", last)]
    return [(fname, ">=", window.start), (fname, "<", window.end)]


@dataclass
class Outcome:
    """What a key result's evaluation gave: a value, or none and why."""

    value: float | None = None
    error: str | None = None


class MetricEvaluator:
    """Evaluates metric key results as of ``now``, as the superuser.

    Metrics aggregate every record of a company, whoever looks: values are
    computed with sudo; opening the records behind them uses the user's rights.
    """

    def __init__(self, env, now):
        self.env = env(su=True)
        self.now = now

    def evaluate(self, key_results, on_group_done=None):
        """Return ``{key_result_id: Outcome}`` for metric key results."""
        self.env.flush_all()
        # These queries are many and short: compiling each with JIT costs more
        # than it saves (a third of their time at a million orders).
        self.env.cr.execute("SET LOCAL jit = off")
        # As the superuser: the definitions live in ir.model.fields, which
        # users who refresh a key result cannot read.
        key_results = key_results.with_env(self.env)
        outcomes = {}
        requests = defaultdict(list)  # group key -> [(key_result, window, slot)]
        for key_result in key_results:
            try:
                window = key_result_window(key_result, self.now)
                windows = {"current": window}
                if key_result.metric_id.comparison == "growth":
                    windows["previous"] = window.previous()
                for slot, slot_window in windows.items():
                    requests[self._group_key(key_result, slot_window)].append(
                        (key_result, slot_window, slot)
                    )
            except Exception as error:  # noqa: BLE001 - reported on the key result
                outcomes[key_result.id] = Outcome(error=str(error))
        values = defaultdict(dict)  # key_result_id -> {slot: value}
        for done, (group_key, group) in enumerate(requests.items(), start=1):
            self._run_group(group_key, group, values, outcomes)
            if on_group_done:
                on_group_done(done, len(requests) - done)
        for key_result in key_results:
            if key_result.id in outcomes:
                continue
            slots = values.get(key_result.id, {})
            if isinstance(slots.get("current"), Outcome):
                outcomes[key_result.id] = slots["current"]
                continue
            outcomes[key_result.id] = Outcome(value=_final_value(key_result, slots))
        return outcomes

    def _run_group(self, group_key, group, values, outcomes):
        """Evaluate a group; when its query fails, each of its key results
        alone, so that only the faulty ones fail."""
        try:
            with self.env.cr.savepoint():
                for key_result, slot, value in self._evaluate_group(group_key, group):
                    values[key_result.id][slot] = value
        except Exception as error:  # noqa: BLE001 - one group never stops others
            if len(group) > 1:
                _logger.warning(
                    "OKR metric group %s failed, evaluating its %s key results one "
                    "by one: %s",
                    group_key,
                    len(group),
                    error,
                )
                for request in group:
                    self._run_group(group_key, [request], values, outcomes)
                return
            _logger.warning("OKR metric group %s failed: %s", group_key, error)
            outcomes[group[0][0].id] = Outcome(error=str(error))

    def _group_key(self, key_result, window):
        metric = key_result.metric_id
        source = metric.code if metric.aggregate == "coded" else metric.model_name
        return (metric.aggregate == "coded", source, key_result.company_id.id, window)

    def _evaluate_group(self, group_key, group):
        coded, source, company_id, window = group_key
        if coded:
            value = CODED_METRICS[source](self.env, company_id, window)
            for key_result, _window, slot in group:
                yield key_result, slot, value
            return
        yield from GroupQuery(self.env, source, company_id, window, self.now).run(group)


def _final_value(key_result, slots):
    current = slots.get("current")
    if key_result.metric_id.comparison != "growth":
        return current
    previous = slots.get("previous")
    if current is None or not previous:
        return None  # growth from nothing is no data, not infinity
    return (current - previous) / abs(previous) * 100.0


class GroupQuery:
    """The one query of a (source, company, window) group."""

    def __init__(self, env, model_name, company_id, window, now):
        self.env = env
        self.model = env[model_name]
        self.table = self.model._table
        self.company_id = company_id
        self.window = window
        self.now = now
        self.variants = {}  # (metric id, scope domain) -> column offset
        self.columns = []  # SQL aggregates
        self.date_conditions = {}  # date field name -> SQL
        self.scope_columns = []  # source field names grouped on
        self.scope_sets = set()  # the combinations of them key results use
        self.conditions = []  # the records each variant aggregates

    def run(self, group):
        plans = []
        for key_result, _window, slot in group:
            try:
                plans.append((key_result, slot, self._plan(key_result)))
            except Exception as error:  # noqa: BLE001 - reported on the key result
                yield key_result, slot, Outcome(error=str(error))
        if not plans:
            return
        rows = self._fetch()
        for key_result, slot, (offset, aggregate, scope) in plans:
            row = rows.get(self._row_key(scope))
            yield key_result, slot, _aggregate_value(aggregate, row, offset)

    def _plan(self, key_result):
        """Register what ``key_result`` needs in the query; return where to read."""
        metric = key_result.metric_id
        scope = {}
        for scope_name in SCOPE_NAMES:
            record = key_result[f"{scope_name}_id"]
            if record:
                fname = metric._scope_field_name(scope_name)
                if not fname:
                    field = key_result._fields[f"{scope_name}_id"]
                    raise ValueError(
                        self.env._(
                            "the metric “%(metric)s” cannot be scoped by %(scope)s",
                            metric=metric.name,
                            scope=field._description_string(self.env),
                        )
                    )
                scope[fname] = record.id
        key = (metric.id, (key_result.scope_domain or "[]").strip())
        if key not in self.variants:
            condition, columns = self._aggregates(key_result)  # may raise
            self.variants[key] = len(self.columns)
            self.columns.extend(columns)
            self.conditions.append(condition)
        for fname in scope:
            if fname not in self.scope_columns:
                self.scope_columns.append(fname)
        self.scope_sets.add(frozenset(scope))
        return self.variants[key], metric.aggregate, scope

    def _aggregates(self, key_result):
        """The condition of a metric variant, and its aggregate columns."""
        metric = key_result.metric_id
        condition = SQL(
            "(%s AND %s AND %s)",
            self._date_condition(metric.date_field_id),
            self._domain_condition(metric._parse_domain(metric.domain, "")),
            self._domain_condition(key_result._scope_domain()),
        )
        if metric.aggregate == "count":
            return condition, [SQL("count(*) FILTER (WHERE %s)", condition)]
        if metric.aggregate == "ratio":
            numerator = self._domain_condition(
                metric._parse_domain(metric.numerator_domain, "")
            )
            return condition, [
                SQL("count(*) FILTER (WHERE %s)", condition),
                SQL("count(*) FILTER (WHERE %s AND %s)", condition, numerator),
            ]
        column = SQL.identifier(self.table, metric.value_field_id.name)
        if metric.aggregate == "count_distinct":
            aggregate = SQL("count(DISTINCT %s) FILTER (WHERE %s)", column, condition)
        else:
            function = SQL(metric.aggregate)  # validated selection: sum/avg/min/max
            aggregate = SQL("%s(%s) FILTER (WHERE %s)", function, column, condition)
        return condition, [aggregate]

    def _date_condition(self, date_field):
        fname = date_field.name
        if fname not in self.date_conditions:
            column = SQL.identifier(self.table, fname)
            is_date = date_field.ttype == "date"
            if self.window.start is None:  # overdue now
                bound = self.window.local_date(self.now) if is_date else self.now
                condition = SQL("%s < %s", column, bound)
            elif is_date:
                first, last = self.window.local_dates()
                condition = SQL("%s BETWEEN %s AND %s", column, first, last)
            else:
                condition = SQL(
                    "(%s >= %s AND %s < %s)",
                    column,
                    self.window.start,
                    column,
                    self.window.end,
                )
            self.date_conditions[fname] = condition
        return self.date_conditions[fname]

    def _domain_condition(self, domain):
        if not domain:
            return SQL("TRUE")
        query = self.model._where_calc(domain, active_test=False)
        if query._joins or query.table != self.table:
            return SQL("%s IN %s", SQL.identifier(self.table, "id"), query.subselect())
        return query.where_clause or SQL("TRUE")

    def _fetch(self):
        """Run the query: ``{(grouping mask, scope values): row}``.

        Only the rows some variant aggregates are read, and only the scope
        combinations some key result uses are grouped on.
        """
        scope_sql = [SQL.identifier(self.table, fname) for fname in self.scope_columns]
        if scope_sql:
            mask = SQL("GROUPING(%s)", SQL(", ").join(scope_sql))
            grouping_sets = SQL(
                " GROUP BY GROUPING SETS (%s)",
                SQL(", ").join(
                    SQL(
                        "(%s)",
                        SQL(", ").join(
                            SQL.identifier(self.table, fname)
                            for fname in self.scope_columns
                            if fname in scope_set
                        ),
                    )
                    for scope_set in self.scope_sets
                ),
            )
        else:
            mask, grouping_sets = SQL("0"), SQL()
        # The date conditions alone first: they match the (company, date)
        # indexes, so PostgreSQL reads the window, not the company's history.
        query = SQL(
            "SELECT %s, %s FROM %s WHERE %s = %s AND (%s) AND (%s)%s",
            SQL(", ").join([mask, *scope_sql]) if scope_sql else mask,
            SQL(", ").join(self.columns),
            SQL.identifier(self.table),
            SQL.identifier(self.table, "company_id"),
            self.company_id,
            SQL(" OR ").join(self.date_conditions.values()),
            SQL(" OR ").join(self.conditions),
            grouping_sets,
        )
        # execute_query flushes the fields the domains name, such as the
        # first-order flags that wait for the commit.
        rows = self.env.execute_query(query)
        width = 1 + len(self.scope_columns)
        return {(row[0], tuple(row[1:width])): row[width:] for row in rows}

    def _row_key(self, scope):
        """The key of the row grouped on exactly the columns of ``scope``."""
        count = len(self.scope_columns)
        mask = 0
        values = []
        for index, fname in enumerate(self.scope_columns):
            if fname in scope:
                values.append(scope[fname])
            else:
                mask |= 1 << (count - 1 - index)  # GROUPING(): 1 = aggregated
                values.append(None)
        return mask, tuple(values)


def _aggregate_value(aggregate, row, offset):
    """The metric value in a result row; None when it aggregates nothing."""
    if row is None:
        return 0.0 if aggregate in ("count", "count_distinct", "sum") else None
    if aggregate == "ratio":
        base, matching = row[offset], row[offset + 1]
        return matching * 100.0 / base if base else None
    value = row[offset]
    if value is None:
        return 0.0 if aggregate == "sum" else None
    return float(value)


def inventory_turnover(env, company_id, window):
    """Cost of goods delivered in the window / average inventory value.

    The cost is the valuation of outgoing customer moves (net of customer
    returns); the average inventory value is the mean of the stock value at
    the start and at the end of the window.
    """
    env.cr.execute(
        SQL(
            """
            SELECT COALESCE(SUM(-svl.value) FILTER (
                       WHERE svl.create_date >= %(start)s
                         AND 'customer' IN (src.usage, dest.usage)), 0),
                   COALESCE(SUM(svl.value) FILTER (
                       WHERE svl.create_date < %(start)s), 0),
                   COALESCE(SUM(svl.value), 0)
              FROM stock_valuation_layer svl
              LEFT JOIN stock_move move ON move.id = svl.stock_move_id
              LEFT JOIN stock_location src ON src.id = move.location_id
              LEFT JOIN stock_location dest ON dest.id = move.location_dest_id
             WHERE svl.company_id = %(company)s AND svl.create_date < %(end)s
            """,
            start=window.start,
            end=window.end,
            company=company_id,
        )
    )
    cost, value_at_start, value_at_end = env.cr.fetchone()
    average_inventory = (value_at_start + value_at_end) / 2.0
    return cost / average_inventory if average_inventory > 0 else None


def inventory_turnover_records(company_id, window):
    """The valuation layers of the goods delivered (or returned) in the window."""
    return "stock.valuation.layer", [
        ("company_id", "=", company_id),
        ("create_date", ">=", window.start),
        ("create_date", "<", window.end),
        "|",
        ("stock_move_id.location_id.usage", "=", "customer"),
        ("stock_move_id.location_dest_id.usage", "=", "customer"),
    ]


#: Metrics that one aggregate cannot express, coded here by their code, and
#: the records each one opens.
CODED_METRICS = {"inventory_turnover": inventory_turnover}
CODED_METRIC_RECORDS = {"inventory_turnover": inventory_turnover_records}
