"""How a metric key result's number is made, in the database.

1. Each key result is described by a ``Measure`` (see ``measure.py``): which
   records count, how they aggregate.
2. Measures that read the same source model, for the same company, over the
   same window form a group, evaluated by ONE query: each distinct definition
   is a ``FILTER`` aggregate, and each scope combination in use (sales team,
   salesperson, warehouse) a ``GROUPING SETS`` entry. The number of queries
   follows the number of distinct (source, company, window) groups, never
   the number of key results.
3. The domains users typed are compiled with the rights of the user who
   typed them, and the records counted are limited to those that user may
   read, so that a number never counts what they could not read.
4. A growth compares the value with the one of the previous window: a second
   measure, in its own group.
5. A group whose query fails is evaluated again measure by measure, so that
   only the faulty ones fail; a group that takes longer than the statement
   timeout fails whole.
"""

import contextlib
import dataclasses
import logging
from collections import defaultdict

import psycopg2.errors

from odoo import api
from odoo.tools import SQL

from .coded_metrics import CODED_METRICS
from .measure import AGGREGATES, thaw

_logger = logging.getLogger(__name__)

#: How long the query of one group may run, unless the setting says otherwise.
TIMEOUT_PARAM = "okr_order_management.group_timeout_seconds"
DEFAULT_TIMEOUT = 120


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What an evaluation gave: a value, or none and why (``error``)."""

    value: float | None = None
    error: str | None = None


def evaluate(env, measures, on_group_done=None):
    """Return ``{key: Outcome}`` for ``{key: Measure}``, read on ``env.cr``.

    ``on_group_done(done, remaining)`` reports the progress.
    """
    env = env(su=True)
    env.flush_all()
    # These queries are many and short: compiling each with JIT costs more
    # than it saves (a third of their time at a million orders).
    env.cr.execute("SET LOCAL jit = off")
    timeout = _timeout_seconds(env)
    requests = defaultdict(list)  # group key -> [(key, slot, measure)]
    for key, measure in measures.items():
        requests[measure.group_key].append((key, "current", measure))
        if measure.growth:
            previous = measure.previous()
            requests[previous.group_key].append((key, "previous", previous))
    results = defaultdict(dict)  # key -> {slot: value or Outcome}
    with _statement_timeout(env.cr, timeout):
        for done, group in enumerate(requests.values(), start=1):
            for key, slot, value in _run_group(env, group, timeout):
                results[key][slot] = value
            if on_group_done:
                on_group_done(done, len(requests) - done)
    return {key: _outcome(measure, results[key]) for key, measure in measures.items()}


def _timeout_seconds(env):
    setting = env["ir.config_parameter"].get_param(TIMEOUT_PARAM, "")
    try:
        return max(int(setting), 1)
    except ValueError:
        return DEFAULT_TIMEOUT


def _outcome(measure, slots):
    for value in slots.values():
        if isinstance(value, Outcome):
            return value
    current = slots["current"]
    if not measure.growth:
        return Outcome(current)
    previous = slots["previous"]
    if current is None or not previous:
        return Outcome(None)  # growth from nothing is no data, not infinity
    return Outcome((current - previous) / abs(previous) * 100.0)


@contextlib.contextmanager
def _statement_timeout(cr, seconds):
    """Run the block's statements under a timeout, then restore the former."""
    cr.execute("SHOW statement_timeout")
    [(former,)] = cr.fetchall()
    cr.execute(SQL("SELECT set_config('statement_timeout', %s, true)", f"{seconds}s"))
    yield
    cr.execute(SQL("SELECT set_config('statement_timeout', %s, true)", former))


def _run_group(env, group, timeout):
    """Yield ``(key, slot, value or Outcome)`` for a group's requests."""
    try:
        with env.cr.savepoint():
            return list(_evaluate_group(env, group))
    except psycopg2.errors.QueryCanceled:
        error = env._(
            "computing it took longer than %(seconds)s seconds: narrow the metric "
            "or the window, or raise the setting %(setting)s",
            seconds=timeout,
            setting=TIMEOUT_PARAM,
        )
        return [(key, slot, Outcome(error=error)) for key, slot, _measure in group]
    except Exception as error:  # noqa: BLE001 - one group never stops the others
        if len(group) == 1:
            key, slot, measure = group[0]
            _logger.warning("OKR measure %s failed: %s", measure, error)
            return [(key, slot, Outcome(error=str(error)))]
        _logger.warning(
            "OKR group %s failed, evaluating its %s measures one by one: %s",
            group[0][2].group_key,
            len(group),
            error,
        )
        return [result for one in group for result in _run_group(env, [one], timeout)]


def _evaluate_group(env, group):
    code = group[0][2].code
    if code:
        value = CODED_METRICS[code].value(env, group[0][2])
        for key, slot, _measure in group:
            yield key, slot, value
        return
    query = GroupQuery(env, group[0][2])
    readers = [(key, slot, query.add(measure)) for key, slot, measure in group]
    rows = query.fetch()
    for key, slot, read in readers:
        yield key, slot, read(rows)


def orm_value(env, measure):
    """The same number through the ORM, one query per window, on the records
    of ``measure.domain()``: the drill-down's records, aggregated. As the
    superuser: for definitions of the superuser (data files, the benchmark's
    one-query-per-key-result path, the tests' check that both paths agree).
    """
    env = env(su=True)
    if measure.code:
        return CODED_METRICS[measure.code].value(env, measure)
    slots = {"current": _orm_aggregate(env, measure)}
    if measure.growth:
        slots["previous"] = _orm_aggregate(env, measure.previous())
    return _outcome(measure, slots).value


def _orm_aggregate(env, measure):
    aggregate = AGGREGATES[measure.aggregate]
    model = env[measure.model_name].with_context(active_test=False)
    values = []
    for spec, numerator in zip(aggregate.orm, (False, True), strict=False):
        if spec != "__count":
            spec = f"{measure.value_field}:{spec}"
        # The ORM reads an aggregate of nothing as 0: the count tells.
        [(count, value)] = model._read_group(
            measure.domain(numerator=numerator), [], ["__count", spec]
        )
        if not count and not numerator:
            return aggregate.finish(None)
        values.append(value)
    return aggregate.finish(values)


def compile_domain(env, model_name, domain, uid):
    """The SQL condition of ``domain`` on ``model_name``'s table, compiled
    with the rights of ``uid`` (None: the superuser): a field they may not
    read raises, a path through records they may not read excludes them."""
    if not domain:
        return SQL("TRUE")
    if uid is None:
        env = env(su=True)
    else:
        env = api.Environment(env.cr, uid, {}, su=False)
    model = env[model_name]
    query = model._where_calc(domain, active_test=False)
    if query._joins or query.table != model._table:
        return SQL("%s IN %s", SQL.identifier(model._table, "id"), query.subselect())
    return query.where_clause or SQL("TRUE")


def readable_condition(env, model_name, uid):
    """The SQL condition of the records of ``model_name`` that ``uid`` may
    read (None: all): their record rules, as their own search applies them,
    so that a number never counts a record its configurer could not read,
    even one created after the definition was saved."""
    if uid is None:
        return SQL("TRUE")
    user_env = api.Environment(env.cr, uid, {"active_test": False}, su=False)
    model = user_env[model_name]
    query = model._search([])
    if query._joins or query.table != model._table:
        return SQL("%s IN %s", SQL.identifier(model._table, "id"), query.subselect())
    return query.where_clause or SQL("TRUE")


class GroupQuery:
    """The one query of a (source, company, window) group."""

    def __init__(self, env, first):
        self.env = env
        self.model_name = first.model_name
        self.table = env[first.model_name]._table
        self.company_id = first.company_id
        self.company_field = first.company_field
        self.window = first.window
        self.variants = {}  # definition -> offset of its columns
        self.columns = []  # the SQL aggregates
        self.conditions = []  # the records each variant aggregates
        self.date_conditions = {}  # date field -> SQL
        self.scope_columns = []  # source fields grouped on
        self.scope_sets = set()  # the combinations of them the measures use
        self.readable = {}  # uid -> SQL: the records that user may read

    def add(self, measure):
        """Register what ``measure`` needs; return how to read its value."""
        aggregate = AGGREGATES[measure.aggregate]
        variant = dataclasses.replace(measure, scope=(), growth=False)
        if variant not in self.variants:
            self.variants[variant] = len(self.columns)
            condition = SQL(
                "(%s AND %s AND %s AND %s AND %s)",
                self._date_condition(measure),
                self._compile(measure.base, measure.base_uid),
                self._readable(measure.base_uid),
                self._compile(measure.extra, measure.extra_uid),
                self._readable(measure.extra_uid),
            )
            value = (
                SQL.identifier(self.table, measure.value_field)
                if aggregate.value_field
                else None
            )
            numerator = self._compile(measure.numerator, measure.base_uid)
            self.columns += aggregate.columns(value, condition, numerator)
            self.conditions.append(condition)
        offset = self.variants[variant]
        width = len(aggregate.orm)
        scope = dict(measure.scope)
        for fname in scope:
            if fname not in self.scope_columns:
                self.scope_columns.append(fname)
        self.scope_sets.add(frozenset(scope))

        def read(rows):
            row = rows.get(self._row_key(scope))
            return aggregate.finish(row and row[offset : offset + width])

        return read

    def _date_condition(self, measure):
        if measure.date_field not in self.date_conditions:
            self.date_conditions[measure.date_field] = compile_domain(
                self.env, self.model_name, measure.window_domain(), None
            )
        return self.date_conditions[measure.date_field]

    def _compile(self, domain, uid):
        return compile_domain(self.env, self.model_name, thaw(domain), uid)

    def _readable(self, uid):
        if uid not in self.readable:
            self.readable[uid] = readable_condition(self.env, self.model_name, uid)
        return self.readable[uid]

    def fetch(self):
        """Run the query: ``{(grouping mask, scope values): row}``.

        Only the rows some variant aggregates are read, and only the scope
        combinations some measure uses are grouped on.
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
            SQL(", ").join([mask, *scope_sql]),
            SQL(", ").join(self.columns),
            SQL.identifier(self.table),
            SQL.identifier(self.table, self.company_field),
            self.company_id,
            SQL(" OR ").join(self.date_conditions.values()),
            SQL(" OR ").join(self.conditions),
            grouping_sets,
        )
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
