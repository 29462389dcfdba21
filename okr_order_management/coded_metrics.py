"""Metrics that one aggregate cannot express, computed in code.

Each coded metric names the records it opens (a source model, a date field
and a base domain, from which a ``Measure`` is built like any other) and a
function computing its number from the ``Measure``.
"""

import dataclasses
from collections.abc import Callable

from odoo.tools import SQL


@dataclasses.dataclass(frozen=True)
class CodedMetric:
    model_name: str
    date_field: str
    domain: list
    value: Callable  # (env, measure) -> float | None


def inventory_turnover(env, measure):
    """Cost of goods delivered in the window / average inventory value.

    The cost is the valuation of outgoing customer moves (net of customer
    returns); the average inventory value is the mean of the stock value at
    the start and at the end of the window.
    """
    window = measure.window
    rows = env.execute_query(
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
            company=measure.company_id,
        )
    )
    [(cost, value_at_start, value_at_end)] = rows
    average_inventory = (value_at_start + value_at_end) / 2.0
    return cost / average_inventory if average_inventory > 0 else None


CODED_METRICS = {
    "inventory_turnover": CodedMetric(
        model_name="stock.valuation.layer",
        date_field="create_date",
        # The goods delivered (or returned) in the window: the cost counted.
        domain=[
            "|",
            ("stock_move_id.location_id.usage", "=", "customer"),
            ("stock_move_id.location_dest_id.usage", "=", "customer"),
        ],
        value=inventory_turnover,
    ),
}
