"""Which records metric key results count now: the reverse of a drill-down.

A document's smart button and the Orders at Risk list show the key results a
record counts towards. Each measure's records are those its group query
counts (see ``metric_engine``); here they are asked of a few records at once,
for every measure in ONE query per model, never one per key result.
"""

from odoo.tools import SQL

from .metric_engine import compile_domain, readable_condition


def counted_condition(env, measure):
    """The SQL condition of the records ``measure`` counts: its window, and
    each part of its population compiled with the rights of its user and
    limited to the records that user may read, as the engine counts them."""
    model_name = measure.model_name
    conditions = [compile_domain(env, model_name, measure.window_domain(), None)]
    for domain, uid in measure.population_parts():
        conditions.append(compile_domain(env, model_name, domain, uid))
        conditions.append(readable_condition(env, model_name, uid))
    return SQL("(%s)", SQL(" AND ").join(conditions))


def counted_records(env, measures, record_ids):
    """``{key: set of record ids}``: which of ``record_ids`` each measure of
    ``measures`` (``{key: Measure}``, all over one model) counts now.

    One query: each distinct measure is one element of an array of
    conditions, of which PostgreSQL returns the positions that hold.
    """
    distinct = list(dict.fromkeys(measures.values()))
    if not distinct or not record_ids:
        return {}
    [model_name] = {measure.model_name for measure in distinct}
    table = env[model_name]._table
    env.flush_all()  # what this transaction wrote, before reading
    rows = env.execute_query(
        SQL(
            "SELECT %s, array_positions(ARRAY[%s]::boolean[], true) FROM %s "
            "WHERE %s IN %s",
            SQL.identifier(table, "id"),
            SQL(", ").join(counted_condition(env, measure) for measure in distinct),
            SQL.identifier(table),
            SQL.identifier(table, "id"),
            tuple(record_ids),
        )
    )
    counting = {measure: set() for measure in distinct}
    for record_id, positions in rows:
        for position in positions:
            counting[distinct[position - 1]].add(record_id)
    return {key: counting[measure] for key, measure in measures.items()}
