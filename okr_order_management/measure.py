"""What a metric key result measures, as one immutable value.

A ``Measure`` says which records count (source model, company, window, date
field, domains, scope) and how they make a number (aggregate, comparison).
The engine compiles it to SQL, the drill-down opens its ``domain()``, the
benchmark's one-query-per-key-result path and the value frozen when a cycle
closes read it too: "which records count" is stated here, once.
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytz

from odoo.tools import SQL


def freeze(domain):
    """A domain as nested tuples, so that measures hash and compare."""
    return tuple(
        freeze(item) if isinstance(item, list | tuple) else item for item in domain
    )


def thaw(domain):
    """A frozen domain back as the lists the ORM and the web client expect."""
    return [thaw(item) if isinstance(item, tuple) else item for item in domain]


def company_field(model):
    """The stored field that gives a source's records their company:
    ``company_id``, or the ``_okr_company_field`` of a core model the addon
    gives one (its own fields are prefixed ``okr_``)."""
    return getattr(model, "_okr_company_field", "company_id")


def company_tz(company):
    """A company's days are those of its partner's timezone, else UTC's."""
    return company.partner_id.tz or "UTC"


def local_day(moment, tz_name):
    """The day ``moment`` (naive UTC) falls on in ``tz_name``."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(tz_name)).date()


def local_midnight(day, tz_name):
    """00:00 of ``day`` in ``tz_name``, as a naive UTC datetime."""
    local = pytz.timezone(tz_name).localize(datetime.combine(day, time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


@dataclasses.dataclass(frozen=True)
class Window:
    """The time a measure counts: ``[start, end)`` in naive UTC datetimes.

    An "overdue now" window has no start: it holds the records whose date
    passed before ``end``, its "now". Date fields are compared with the days
    of the window in ``tz``, the company's timezone.
    """

    start: datetime | None
    end: datetime
    tz: str = "UTC"

    #: The longest rolling window a key result may ask for, in days.
    MAX_DAYS = 3660

    @classmethod
    def overdue(cls, now, tz):
        return cls(None, now, tz)

    @classmethod
    def days(cls, first, last, tz):
        """From ``first`` to ``last`` included, local days."""
        return cls(
            local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz), tz
        )

    @property
    def is_overdue(self):
        return self.start is None

    def previous(self):
        """The window of the same length right before this one."""
        if self.is_overdue:
            raise ValueError("an overdue-now window has no previous window")
        return Window(self.start - (self.end - self.start), self.start, self.tz)

    def overlaps(self, first, last):
        """Whether a record dated from ``first`` to ``last`` (naive UTC,
        included) may be in the window. An overdue-now window holds what
        changed until its "now" included."""
        if self.is_overdue:
            return first <= self.end
        return self.start <= last and first < self.end

    def local_date(self, moment):
        """The day ``moment`` (naive UTC) falls on in the window's timezone."""
        return local_day(moment, self.tz)

    def domain(self, fname, ftype):
        """The records whose ``fname`` (a date or datetime field) is in it."""
        if ftype == "date":
            if self.is_overdue:
                return [(fname, "<", self.local_date(self.end))]
            last = self.local_date(self.end - timedelta(microseconds=1))
            return [(fname, ">=", self.local_date(self.start)), (fname, "<=", last)]
        if self.is_overdue:
            return [(fname, "<", self.end)]
        return [(fname, ">=", self.start), (fname, "<", self.end)]


def _one_value(values, empty):
    [value] = values
    return empty if value is None else float(value)


def _share(values, empty):
    base, matching = values
    return matching * 100.0 / base if base else empty


@dataclasses.dataclass(frozen=True)
class Aggregate:
    """How an aggregate turns the records counted into a number.

    ``value_field``: None (needs none), "numeric" or "single" (any field with
    one value per record). ``columns(value, condition, numerator)`` gives its
    SQL columns; the ORM path reads the same columns as ``read_group``
    aggregates (``orm``); both end in ``finish``. ``empty`` is what no record
    at all gives.
    """

    value_field: str | None
    columns: Callable
    orm: tuple
    empty: float | None
    combine: Callable = _one_value

    def finish(self, values):
        """The number from the aggregated columns (None: no data)."""
        if values is None:
            return self.empty
        return self.combine(values, self.empty)


def _filtered(function):
    return lambda value, condition, numerator: [
        SQL("%s FILTER (WHERE %s)", function(value), condition)
    ]


AGGREGATES = {
    "count": Aggregate(None, _filtered(lambda v: SQL("count(*)")), ("__count",), 0.0),
    "sum": Aggregate("numeric", _filtered(lambda v: SQL("sum(%s)", v)), ("sum",), 0.0),
    "avg": Aggregate("numeric", _filtered(lambda v: SQL("avg(%s)", v)), ("avg",), None),
    "min": Aggregate("numeric", _filtered(lambda v: SQL("min(%s)", v)), ("min",), None),
    "max": Aggregate("numeric", _filtered(lambda v: SQL("max(%s)", v)), ("max",), None),
    "count_distinct": Aggregate(
        "single",
        _filtered(lambda v: SQL("count(DISTINCT %s)", v)),
        ("count_distinct",),
        0.0,
    ),
    "ratio": Aggregate(
        None,
        lambda value, condition, numerator: [
            SQL("count(*) FILTER (WHERE %s)", condition),
            SQL("count(*) FILTER (WHERE %s AND %s)", condition, numerator),
        ],
        ("__count", "__count"),
        None,
        _share,
    ),
}


@dataclasses.dataclass(frozen=True)
class Measure:
    """What one metric key result measures at one moment.

    Domains are frozen (nested tuples). ``base`` and ``numerator`` come from
    the metric and are compiled with the rights of ``base_uid``, who defined
    it; ``extra`` comes from the key result and is compiled with the rights of
    ``extra_uid``, who scoped it (None: the superuser, for data files). The
    records counted are also limited to those both users may read: a number
    never tells its configurers what they could not read themselves.
    ``scope`` pairs source fields with record ids (team, salesperson...).
    ``company_field`` is the source's company field (see ``company_field``).
    ``code`` names a coded metric (see ``coded_metrics``), whose records are
    still those of ``domain()`` but whose number is computed in code.
    """

    model_name: str
    company_id: int
    window: Window
    date_field: str
    date_type: str
    aggregate: str
    value_field: str | None = None
    base: tuple = ()
    numerator: tuple = ()
    extra: tuple = ()
    scope: tuple = ()
    growth: bool = False
    code: str | None = None
    base_uid: int | None = None
    extra_uid: int | None = None
    company_field: str = "company_id"

    @property
    def group_key(self):
        """Measures with the same key are evaluated by one query."""
        return (self.code, self.model_name, self.company_id, self.window)

    def previous(self):
        """The same measure over the previous window, for a growth."""
        return dataclasses.replace(self, window=self.window.previous(), growth=False)

    def window_domain(self):
        return self.window.domain(self.date_field, self.date_type)

    def population_parts(self):
        """The records this measure may ever count, whatever the window, as
        ``[(domain, uid whose rights compile it)]``."""
        scope = [(fname, "=", record_id) for fname, record_id in self.scope]
        return [
            ([(self.company_field, "=", self.company_id), *scope], None),
            (thaw(self.base), self.base_uid),
            (thaw(self.extra), self.extra_uid),
        ]

    def population_domain(self):
        return [leaf for domain, _uid in self.population_parts() for leaf in domain]

    def domain(self, numerator=False):
        """The records counted now (for a ratio, ``numerator``: those that
        count in the share), as one ORM domain."""
        [company, *rest] = self.population_domain()
        domain = [company, *self.window_domain(), *rest]
        if numerator and self.aggregate == "ratio":
            domain += thaw(self.numerator)
        return domain


def widen(measure, end, grace):
    """``measure`` with its window ending ``grace`` (a timedelta) later when
    it ends at ``end`` or after: the grace period of a cycle's close, so that
    what is recorded a little after the last day still counts."""
    window = measure.window
    if window.is_overdue or not grace or window.end < end:
        return measure
    return dataclasses.replace(
        measure, window=Window(window.start, window.end + grace, window.tz)
    )


def _moment_to_json(moment):
    return moment and moment.isoformat(sep=" ")


def measure_to_json(measure):
    """``measure`` as JSON data: what a closed key result keeps of what it
    measured, read back by ``measure_from_json``."""
    data = {
        field.name: getattr(measure, field.name)
        for field in dataclasses.fields(measure)
        if field.name != "window"
    }
    window = measure.window
    data["window"] = {
        "start": _moment_to_json(window.start),
        "end": _moment_to_json(window.end),
        "tz": window.tz,
    }
    return data


def measure_from_json(data):
    """The ``Measure`` that ``measure_to_json`` gave ``data`` for."""
    data = dict(data)
    window = data.pop("window")
    start = window["start"] and datetime.fromisoformat(window["start"])
    end = datetime.fromisoformat(window["end"])
    frozen = {
        name: freeze(data[name])
        for name in ("base", "numerator", "extra", "scope")
        if name in data
    }
    return Measure(window=Window(start, end, window["tz"]), **{**data, **frozen})
