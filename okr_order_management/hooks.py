"""Install on a database that already holds orders: the order facts in SQL.

The stored fields of ``models/sale_order.py`` and ``models/stock_picking.py`` are
created and filled here, set-based, before Odoo loads the addon's models: Odoo then
finds their columns and does not recompute them record by record (it only
recomputes stored fields whose column is new). The rules below mirror the
fields' compute methods; ``tests/test_order_facts.py`` checks that they agree.
"""

import logging
import time

from odoo.tools import SQL
from odoo.tools.sql import column_exists

from .models.res_company import ADOPTED_PROJECTS_PARAM

_logger = logging.getLogger(__name__)

#: (table, column, SQL type, comment): the types are those Odoo gives the fields.
FACT_COLUMNS = [
    ("stock_picking", "okr_is_delivery", "boolean", "Customer Delivery"),
    ("stock_picking", "okr_is_return", "boolean", "Return of a Delivery"),
    ("stock_picking", "okr_deadline", "timestamp", "Effective Deadline"),
    ("stock_picking", "okr_on_time", "boolean", "On Time"),
    ("stock_picking", "okr_has_backorder", "boolean", "Left a Backorder"),
    ("stock_picking", "okr_team_id", "int4", "Sales Team of the Order"),
    ("stock_picking", "okr_salesperson_id", "int4", "Salesperson of the Order"),
    ("stock_picking", "okr_warehouse_id", "int4", "Warehouse of the Operation"),
    ("sale_order", "okr_confirmed_at", "timestamp", "Confirmed On"),
    (
        "sale_order",
        "okr_confirmation_hours",
        "double precision",
        "Confirmation Time (h)",
    ),
    ("sale_order", "okr_delivered_at", "timestamp", "Fully Delivered On"),
    ("sale_order", "okr_fulfilment_hours", "double precision", "Fulfilment Time (h)"),
    (
        "sale_order",
        "okr_cancelled_after_confirmation",
        "boolean",
        "Cancelled After Confirmation",
    ),
    ("sale_order", "okr_has_return", "boolean", "Goods Returned"),
    ("sale_order", "okr_is_error", "boolean", "Order Error"),
    ("sale_order", "okr_commercial_partner_id", "int4", "Customer Entity"),
    ("sale_order", "okr_is_first_order", "boolean", "First Order"),
    (
        "sale_order",
        "okr_amount_company",
        "numeric",
        "Untaxed Amount (Company Currency)",
    ),
    ("sale_order", "okr_has_complaint", "boolean", "Complaint"),
    ("sale_order", "okr_promised_date", "timestamp", "Promised Date"),
]

COMPLAINT_XMLID = ("okr_order_management", "crm_tag_complaint")
#: Set when the install adopted a "Complaint" tag that the company had already:
#: the tag is the company's, and stays when the addon is uninstalled.
COMPLAINT_ADOPTED_PARAM = "okr_order_management.complaint_tag_adopted"
#: Indexes the addon makes on core columns only: dropping its columns does not
#: drop them.
CORE_INDEXES = ["stock_picking_okr_company_date_done_index"]


def pre_init_hook(env):
    """Create the order facts' columns and fill them, set-based."""
    _add_fact_columns(env.cr)
    _adopt_complaint_tag(env)
    fill_order_facts(env.cr)


def uninstall_hook(env):
    """Leave the company's own records as they were before the install.

    Runs before Odoo deletes the addon's data: an adopted "Complaint" tag loses
    its external id here, so Odoo keeps it with its orders; the columns the addon
    added go with its fields, the indexes on core columns only go here.
    """
    params = env["ir.config_parameter"].sudo()
    _keep_projects_in_use(env)
    if params.get_param(COMPLAINT_ADOPTED_PARAM):
        env["ir.model.data"].search(
            [
                ("module", "=", COMPLAINT_XMLID[0]),
                ("name", "=", COMPLAINT_XMLID[1]),
            ]
        ).unlink()
        _logger.info("Uninstall: the adopted Complaint tag stays, as the company's")
    params.search([("key", "=like", "okr_order_management.%")]).unlink()
    for index in CORE_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
    _drop_restricting_foreign_keys(env)


def _keep_projects_in_use(env):
    """The "OKR Initiatives" projects that hold tasks (the company's work), or
    that the install took over, stay with their stages: they lose their
    external ids here, so that Odoo does not delete them (deleting a project
    deletes its tasks). Empty ones go with the addon's data."""
    data = env["ir.model.data"].sudo()
    project_data = data.search(
        [("module", "=", COMPLAINT_XMLID[0]), ("model", "=", "project.project")]
    )
    adopted = env["ir.config_parameter"].sudo().get_param(ADOPTED_PROJECTS_PARAM, "")
    adopted_ids = {int(pid) for pid in adopted.split(",") if pid}
    projects = env["project.project"].browse(project_data.mapped("res_id")).exists()
    tasks = env["project.task"].with_context(active_test=False).sudo()
    in_use = {
        project.id
        for [project] in tasks._read_group(
            [("project_id", "in", projects.ids)], ["project_id"]
        )
    }
    kept = projects.filtered(lambda p: p.id in in_use or p.id in adopted_ids)
    stage_data = data.search(
        [("module", "=", COMPLAINT_XMLID[0]), ("model", "=", "project.task.type")]
    )
    stages = env["project.task.type"].browse(stage_data.mapped("res_id")).exists()
    used_stages = {
        stage.id
        for [stage] in tasks._read_group([("stage_id", "in", stages.ids)], ["stage_id"])
    }
    kept_stages = stages.filtered(
        lambda s: s.id in used_stages or s.project_ids - (projects - kept)
    )
    (
        project_data.filtered(lambda d: d.res_id in kept.ids)
        | stage_data.filtered(lambda d: d.res_id in kept_stages.ids)
    ).unlink()
    if kept:
        _logger.info("Uninstall: the OKR projects %s stay, with their tasks", kept.ids)


def _drop_restricting_foreign_keys(env):
    """Odoo deletes the addon's data records (metrics) before it drops the
    addon's tables: a key result's ``ondelete="restrict"`` link to its metric
    would stop it. Those tables go anyway; their links go first.

    Also forget the foreign keys of its fields on core tables: they go with
    their columns, but their rows in ``ir_model_constraint`` have no external
    id and would stay."""
    module = COMPLAINT_XMLID[0]
    env.cr.execute(
        SQL(
            """SELECT model.model FROM ir_model_data data
                 JOIN ir_model model ON model.id = data.res_id
                WHERE data.model = 'ir.model' AND data.module = %s
                  AND NOT EXISTS (
                        SELECT 1 FROM ir_model_data other
                         WHERE other.model = 'ir.model'
                           AND other.res_id = data.res_id
                           AND other.module != data.module
                      )""",
            module,
        )
    )
    own_tables = [
        env[model]._table
        for (model,) in env.cr.fetchall()
        if model in env and env[model]._auto
    ]
    env.cr.execute(
        SQL(
            """SELECT conrelid::regclass::text, conname FROM pg_constraint
                WHERE contype = 'f' AND confdeltype = 'r'
                  AND conrelid::regclass::text = ANY(%s)""",
            own_tables,
        )
    )
    for table, constraint in env.cr.fetchall():
        env.cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(constraint),
            )
        )
    env.cr.execute(
        SQL(
            """DELETE FROM ir_model_constraint
                WHERE type = 'f'
                  AND module = (SELECT id FROM ir_module_module WHERE name = %s)""",
            module,
        )
    )


def _add_fact_columns(cr):
    for table, column, column_type, comment in FACT_COLUMNS:
        # A constant default is instant: PostgreSQL rewrites no row for it.
        default = SQL("DEFAULT false") if column_type == "boolean" else SQL()
        cr.execute(
            SQL(
                "ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s %s",
                SQL.identifier(table),
                SQL.identifier(column),
                SQL(column_type),
                default,
            )
        )
        cr.execute(
            SQL("COMMENT ON COLUMN %s IS %s", SQL.identifier(table, column), comment)
        )


def _adopt_complaint_tag(env):
    """Make an existing "Complaint" sales tag the addon's complaint tag.

    Tag names are unique: the addon's data would otherwise fail to create its tag,
    and the orders that already carry the tag are complaints. The external id is
    ``noupdate`` (updates leave the tag alone) and the adoption is recorded, so
    that uninstalling removes the external id but not the company's tag.
    """
    cr = env.cr
    module, name = COMPLAINT_XMLID
    cr.execute(
        SQL(
            "SELECT 1 FROM ir_model_data WHERE module = %s AND name = %s",
            module,
            name,
        )
    )
    if cr.rowcount:
        return
    cr.execute(
        SQL(
            """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
               SELECT %s, %s, 'crm.tag', id, true
                 FROM crm_tag
                WHERE name->>'en_US' = 'Complaint'
                ORDER BY id
                LIMIT 1
            RETURNING res_id""",
            module,
            name,
        )
    )
    row = cr.fetchone()
    if row:
        # sudo: the install runs as superuser; the parameter is technical.
        env["ir.config_parameter"].sudo().set_param(COMPLAINT_ADOPTED_PARAM, row[0])
        _logger.info("Install: the existing Complaint tag %s is adopted", row[0])


def _complaint_tag_id(cr):
    module, name = COMPLAINT_XMLID
    cr.execute(
        SQL(
            """SELECT res_id FROM ir_model_data
                WHERE module = %s AND name = %s AND model = 'crm.tag'""",
            module,
            name,
        )
    )
    row = cr.fetchone()
    return row[0] if row else None


def fill_order_facts(cr):
    """Compute the facts of every delivery and order in SQL.

    One UPDATE per table, so that each row is written once.
    """
    start = time.perf_counter()
    cr.execute(_fill_picking_facts_sql())
    pickings = cr.rowcount
    middle = time.perf_counter()
    cr.execute(_fill_order_facts_sql(cr))
    orders = cr.rowcount
    end = time.perf_counter()
    _logger.info(
        "Order facts filled in SQL: %s transfers in %.1f s, %s orders in %.1f s",
        pickings,
        middle - start,
        orders,
        end - middle,
    )


def _fill_picking_facts_sql():
    """The facts of ``stock.picking``, as its compute methods define them.

    On time: validated on or before the day of the effective deadline (the
    order's commitment date, else the transfer's deadline, else its scheduled
    date), both days taken in the timezone of the company's partner, else UTC.
    """
    return SQL(
        """
        UPDATE stock_picking p
           SET okr_is_delivery = fact.is_delivery,
               okr_is_return = fact.is_return,
               okr_deadline = fact.deadline,
               okr_on_time = fact.on_time,
               okr_has_backorder = fact.has_backorder,
               okr_team_id = fact.team_id,
               okr_salesperson_id = fact.salesperson_id,
               okr_warehouse_id = fact.warehouse_id
          FROM (
                SELECT p.id,
                       COALESCE(pt.code = 'outgoing' AND p.return_id IS NULL, false)
                           AS is_delivery,
                       COALESCE(return_type.code = 'outgoing', false) AS is_return,
                       deadline.deadline,
                       COALESCE(
                           p.state = 'done'
                           AND timezone(zone.tz, timezone('UTC', p.date_done))::date
                               <= timezone(zone.tz, timezone('UTC', deadline.deadline))
                                  ::date,
                           false
                       ) AS on_time,
                       EXISTS (
                           SELECT 1 FROM stock_picking backorder
                            WHERE backorder.backorder_id = p.id
                       ) AS has_backorder,
                       so.team_id,
                       so.user_id AS salesperson_id,
                       pt.warehouse_id
                  FROM stock_picking p
                  LEFT JOIN stock_picking_type pt ON pt.id = p.picking_type_id
                  LEFT JOIN stock_picking returned ON returned.id = p.return_id
                  LEFT JOIN stock_picking_type return_type
                         ON return_type.id = returned.picking_type_id
                  LEFT JOIN sale_order so ON so.id = p.sale_id
                  LEFT JOIN res_company company ON company.id = p.company_id
                  LEFT JOIN res_partner company_partner
                         ON company_partner.id = company.partner_id
                 CROSS JOIN LATERAL (
                        SELECT COALESCE(
                                   so.commitment_date, p.date_deadline, p.scheduled_date
                               ) AS deadline
                       ) deadline
                 CROSS JOIN LATERAL (
                        SELECT COALESCE(NULLIF(company_partner.tz, ''), 'UTC') AS tz
                       ) zone
               ) fact
         WHERE fact.id = p.id
        """
    )


def _expected_date_sql(cr):
    """Per order, ``sale.order.expected_date`` (sale and sale_stock rules).

    Lines that are not notes, sections or delivery costs are expected ``customer_lead``
    days after the order date once confirmed, after now before; the order takes the
    earliest line, or the latest when it is delivered all at once. Cancelled orders
    have none.
    """
    not_delivery_line = (
        SQL("AND NOT COALESCE(sol.is_delivery, false)")
        if column_exists(cr, "sale_order_line", "is_delivery")
        else SQL()
    )
    return SQL(
        """
        SELECT sol.order_id,
               CASE WHEN so.picking_policy = 'one' THEN MAX(line.expected_date)
                    ELSE MIN(line.expected_date)
               END AS expected_date
          FROM sale_order_line sol
          JOIN sale_order so ON so.id = sol.order_id
         CROSS JOIN LATERAL (
                SELECT CASE WHEN so.state = 'sale' AND so.date_order IS NOT NULL
                            THEN so.date_order
                            ELSE date_trunc('second', now() AT TIME ZONE 'UTC')
                       END
                       + COALESCE(sol.customer_lead, 0) * interval '1 day'
                           AS expected_date
               ) line
         WHERE so.state != 'cancel'
           AND sol.display_type IS NULL
           %(not_delivery_line)s
         GROUP BY sol.order_id, so.picking_policy
        """,
        not_delivery_line=not_delivery_line,
    )


def _fill_order_facts_sql(cr):
    """The facts of ``sale.order``, as its compute methods define them.

    Orders confirmed before the addon was installed get their confirmation from
    what the database still tells:

    - an order in state ``sale`` was confirmed at its ``date_order``, which Odoo
      sets on confirmation;
    - a cancelled order that has transfers (only confirmation creates them,
      whatever their state now) was confirmed at its ``date_order`` too, then
      cancelled after confirmation. This is an approximation: a cancelled order
      without transfers (services only) is taken as never confirmed, and an
      order reset to quotation after its cancellation as a plain quotation.
    """
    complaint_tag_id = _complaint_tag_id(cr)
    has_complaint = (
        SQL(
            """EXISTS (SELECT 1 FROM sale_order_tag_rel rel
                        WHERE rel.order_id = so.id AND rel.tag_id = %s)""",
            complaint_tag_id,
        )
        if complaint_tag_id
        else SQL("false")
    )
    return SQL(
        """
        WITH picking AS (
            SELECT sale_id,
                   bool_or(okr_is_delivery AND state NOT IN ('done', 'cancel'))
                       AS has_open_delivery,
                   MAX(date_done) FILTER (WHERE okr_is_delivery AND state = 'done')
                       AS last_delivery_done,
                   bool_or(okr_is_return AND state = 'done') AS has_return
              FROM stock_picking
             WHERE sale_id IS NOT NULL
             GROUP BY sale_id
        ),
        expected AS (%(expected)s),
        fact AS (
            SELECT so.id,
                   so.company_id,
                   so.state,
                   so.create_date,
                   CASE WHEN so.state = 'sale'
                          OR (so.state = 'cancel' AND picking.sale_id IS NOT NULL)
                        THEN so.date_order
                   END AS confirmed_at,
                   CASE WHEN NOT picking.has_open_delivery
                        THEN picking.last_delivery_done
                   END AS delivered_at,
                   COALESCE(picking.has_return, false) AS has_return,
                   partner.commercial_partner_id,
                   ROUND(
                       so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)
                       / currency.rounding
                   ) * currency.rounding AS amount_company,
                   %(has_complaint)s AS has_complaint,
                   COALESCE(so.commitment_date, expected.expected_date)
                       AS promised_date
              FROM sale_order so
              JOIN res_partner partner ON partner.id = so.partner_id
              JOIN res_company company ON company.id = so.company_id
              JOIN res_currency currency ON currency.id = company.currency_id
              LEFT JOIN picking ON picking.sale_id = so.id
              LEFT JOIN expected ON expected.order_id = so.id
        ),
        first_order AS (
            SELECT DISTINCT ON (company_id, commercial_partner_id) id
              FROM fact
             WHERE state = 'sale'
             ORDER BY company_id, commercial_partner_id, confirmed_at, id
        )
        UPDATE sale_order so
           SET okr_confirmed_at = fact.confirmed_at,
               okr_confirmation_hours = GREATEST(COALESCE(
                   EXTRACT(EPOCH FROM fact.confirmed_at - fact.create_date) / 3600, 0
               ), 0),
               okr_delivered_at = fact.delivered_at,
               okr_fulfilment_hours = GREATEST(COALESCE(
                   EXTRACT(EPOCH FROM fact.delivered_at - fact.confirmed_at) / 3600, 0
               ), 0),
               okr_cancelled_after_confirmation = cancelled.after_confirmation,
               okr_has_return = fact.has_return,
               okr_is_error = cancelled.after_confirmation OR fact.has_return,
               okr_commercial_partner_id = fact.commercial_partner_id,
               okr_is_first_order = first_order.id IS NOT NULL,
               okr_amount_company = fact.amount_company,
               okr_has_complaint = fact.has_complaint,
               okr_promised_date = fact.promised_date
          FROM fact
         CROSS JOIN LATERAL (
                SELECT fact.state = 'cancel' AND fact.confirmed_at IS NOT NULL
                           AS after_confirmation
               ) cancelled
          LEFT JOIN first_order ON first_order.id = fact.id
         WHERE so.id = fact.id
        """,
        expected=_expected_date_sql(cr),
        has_complaint=has_complaint,
    )
