#!/usr/bin/env python3
"""Uninstall, reinstall and upgrade okr_order_management on a throwaway database.

Issue 8, point 5. Odoo cannot uninstall a module inside a ``TransactionCase``, so
this runs outside Odoo's test runner, as Odoo's own
``odoo/tests/test_module_operations.py`` does: one process, one registry per
step, every step committed.

1. A database with the addon's dependencies (no demo data) and the company's
   own records: a "Complaint" sales tag on two orders, a customer, a sales
   team, an order confirmed and delivered.
2. Install the addon (it adopts the tag), ask for ratings, confirm and
   deliver another order tagged "Complaint" (its customer rates it), run a
   metric recompute, add a task to a key result (it goes to the company's
   "OKR Initiatives" project). Upgrade from 18.0.1.1.0 after
   forgetting the adoption, as those versions did: the 18.0.1.2.0 migration
   records it.
3. Snapshot the core columns (all but ``okr_*``) of the company's rows, and
   the database schema as it was before the install.
4. Uninstall: the rows are identical, the schema is the one before the
   install (no ``okr_*`` column, table or index left), no record of the addon
   is left (external ids, models, fields, parameters, messages), the tag and
   its order links stay, and so do the OKR project and its stages, which hold
   the user's task (deleting a project deletes its tasks).
5. The company renames its tag; install again: the addon makes a Complaint
   tag of its own, takes the OKR project left over again instead of making a
   second one, the order facts are filled, a user tags an order with it, the
   metric recompute gives the orders' figures.
6. Upgrade (``-u``) after a user edited a metric (name, domain, its Chinese
   name) and the hourly cron's interval: the edits stay. The same upgrade runs
   the migration of 18.0.1.1.0 (the version is set back to 18.0.1.0.0 and
   deliveries get wrong on-time flags): the flags are right again, and the
   18.0.1.2.0 migration does not take the addon's own tag for an adopted one.
7. Uninstall again: as in 4, except that the addon's own Complaint tag goes,
   with its link to the order (Odoo removes a module's data), and so do the
   task stages the reinstall made, which hold no task; the company's tag and
   the OKR project (taken over) stay.

Run from the repository root (about 1 minute on an idle 2-core machine, 2 when
it is busy; building the database takes most of it)::

    python3 tests/uninstall_check.py [--db NAME] [--keep]

It prints each check and exits 1 when one fails, 2 on an error; the database
is dropped at the end unless ``--keep``. Warnings Odoo logs while it installs,
uninstalls or upgrades the addon count as failures.
"""

import argparse
import ast
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "okr_order_management"
#: What the addon depends on (its manifest): installed before it.
with open(os.path.join(REPO_ROOT, ADDON, "__manifest__.py")) as manifest:
    DEPENDENCIES = ast.literal_eval(manifest.read())["depends"]
#: The company's records whose rows must come out of an uninstall unchanged.
SNAPSHOT_TABLES = [
    "sale_order",
    "sale_order_line",
    "sale_order_tag_rel",
    "stock_picking",
    "stock_move",
    "stock_move_line",
    "stock_quant",
    "crm_tag",
    "crm_team",
    "res_partner",
    "project_project",
    "project_task",
    "project_task_type",
    "rating_rating",
]
COMPLAINT = "Complaint"
COMPANY_TAG = "Customer complaint"
ADOPTED_PARAM = "okr_order_management.complaint_tag_adopted"
#: The addon's version before its on-time-by-promised-day migration.
VERSION_BEFORE_MIGRATION = "18.0.1.0.0"
#: Its version before the adoption of the Complaint tag was recorded.
VERSION_BEFORE_ADOPTION_MIGRATION = "18.0.1.1.0"

_logger = logging.getLogger("uninstall_check")


class Checks:
    """Counts and prints checks; a failure does not stop the run."""

    def __init__(self):
        self.failed = []
        self.passed = 0

    def __call__(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed.append(what)
            print(f"  FAIL  {what}" + (f": {detail}" if detail else ""))
        return ok

    def equal(self, got, expected, what):
        return self(got == expected, what, f"got {got!r}, expected {expected!r}")


class WarningCollector(logging.Handler):
    """Warnings and errors Odoo logs, per step."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))

    def take(self):
        records, self.records = self.records, []
        return records


def addons_path():
    import odoo

    root = odoo.__path__[0]
    paths = [
        os.path.join(root, "addons"),
        os.path.normpath(os.path.join(root, "..", "addons")),
    ]
    extra = [p for p in os.environ.get("ODOO_ADDONS_PATH", "").split(",") if p]
    return ",".join(extra + [REPO_ROOT] + [p for p in paths if os.path.isdir(p)])


def step(title):
    print(f"\n==> {title}", flush=True)


# Database helpers


def env_of(cr):
    import odoo

    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def load_registry(db, update=None, init=None):
    """A fresh registry; ``update`` / ``init``: modules to update / install,
    as ``-u`` / ``-i`` do."""
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config["update"] = dict.fromkeys(update or [], 1)
    config["init"] = dict.fromkeys(init or [], 1)
    return Registry.new(db, update_module=bool(update or init))


def query(cr, sql, params=None):
    cr.execute(sql, params)
    return cr.fetchall()


def schema(cr):
    """Tables, columns, indexes and constraints of the public schema."""
    columns = query(
        cr,
        """SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public'""",
    )
    indexes = query(
        cr,
        """SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public'""",
    )
    constraints = query(
        cr,
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace""",
    )
    return {
        "tables": {row[0] for row in columns},
        "columns": set(columns),
        "indexes": set(indexes),
        "constraints": set(constraints),
    }


def snapshot(cr):
    """Per table, its rows' core columns (all but ``okr_*``), in id order."""
    result = {}
    for table in SNAPSHOT_TABLES:
        columns = [
            name
            for (name,) in query(
                cr,
                """SELECT column_name FROM information_schema.columns
                    WHERE table_schema = 'public' AND table_name = %s
                      AND column_name NOT LIKE 'okr\\_%%'
                    ORDER BY column_name""",
                [table],
            )
        ]
        order = "id" if "id" in columns else ", ".join(columns)
        select = ", ".join(f'"{c}"' for c in columns)
        rows = query(cr, f'SELECT {select} FROM "{table}" ORDER BY {order}')  # noqa: S608
        result[table] = (columns, rows)
    return result


def compare_snapshots(check, before, after):
    for table in SNAPSHOT_TABLES:
        columns, rows = before[table]
        columns_after, rows_after = after[table]
        if columns != columns_after:
            check(
                False,
                f"{table}: same core columns",
                f"lost {sorted(set(columns) - set(columns_after))}, "
                f"gained {sorted(set(columns_after) - set(columns))}",
            )
            continue
        differences = []
        if len(rows) != len(rows_after):
            differences.append(f"{len(rows)} rows before, {len(rows_after)} after")
        for row, row_after in zip(rows, rows_after, strict=False):
            changed = [
                f"{column}: {a!r} -> {b!r}"
                for column, a, b in zip(columns, row, row_after, strict=True)
                if a != b
            ]
            if changed:
                key = row[columns.index("id")] if "id" in columns else row
                differences.append(f"row {key}: {', '.join(changed)}")
        check(
            not differences,
            f"{table}: {len(rows)} rows, {len(columns)} core columns identical",
            "; ".join(differences[:5]),
        )


def without(table_rows, column, value):
    """``table_rows`` (a snapshot's entry) less the rows whose ``column`` is
    ``value``."""
    columns, rows = table_rows
    index = columns.index(column)
    return columns, [row for row in rows if row[index] != value]


def check_uninstalled(check, cr, addon_id, schema_before, rows_before):
    """The addon is gone, and nothing else."""
    env = env_of(cr)
    check.equal(
        env["ir.module.module"].search([("name", "=", ADDON)]).state,
        "uninstalled",
        "the addon is uninstalled",
    )
    compare_snapshots(check, rows_before, snapshot(cr))
    schema_after = schema(cr)
    for part in ("tables", "columns", "indexes", "constraints"):
        extra = sorted(schema_after[part] - schema_before[part])
        lost = sorted(schema_before[part] - schema_after[part])
        check(
            not extra and not lost,
            f"schema: the {part} are those before the install "
            f"({len(schema_after[part])})",
            f"left {extra[:10]}, lost {lost[:10]}",
        )
    okr_columns = [
        f"{t}.{c}" for t, c, _type in schema_after["columns"] if c.startswith("okr_")
    ]
    check(not okr_columns, "no okr_* column left", str(okr_columns))
    okr_tables = [t for t in schema_after["tables"] if t.startswith("okr_")]
    check(not okr_tables, "no okr_* table left", str(okr_tables))
    left = leftovers(cr, addon_id)
    check(not left, "no record of the addon left", str(left))


# Scenario


def build_company_data(env):
    """What a company has before it installs the addon."""
    from odoo import Command

    product = env["product.product"].create(
        {
            "name": "Uninstall check widget",
            "type": "consu",
            "is_storable": True,
            "list_price": 100.0,
            "taxes_id": [Command.clear()],
        }
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 100)
    tag = env["crm.tag"].create({"name": COMPLAINT})
    other_tag = env["crm.tag"].create({"name": "VIP"})
    team = env["crm.team"].create({"name": "Uninstall check team"})
    customer = env["res.partner"].create(
        {"name": "Uninstall check customer", "is_company": True}
    )
    delivered = sell(env, product, customer, team, tag | other_tag)
    deliver(delivered)
    # A rating of the order, given before the addon (through Odoo's rating).
    delivered.rating_apply(3, token=delivered._rating_get_access_token())
    sell(env, product, customer, team, tag, confirm=False)
    return product, customer, team, tag


def sell(env, product, customer, team, tags, confirm=True, qty=2.0):
    from odoo import Command

    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "team_id": team.id,
            "tag_ids": [Command.set(tags.ids)],
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": qty,
                        "price_unit": 100.0,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
    )
    if confirm:
        order.action_confirm()
    return order


def deliver(order):
    picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
    picking.move_ids.quantity = picking.move_ids.product_uom_qty
    picking.move_ids.picked = True
    picking.button_validate()
    return picking


def metric_key_results(env, team):
    """An objective of a cycle around today, with two metric key results."""
    today = date.today()
    cycle = env["okr.cycle"].create(
        {
            "name": "Uninstall check cycle",
            "date_start": today - timedelta(days=30),
            "date_end": today + timedelta(days=60),
            "state": "active",
        }
    )
    objective = env["okr.objective"].create(
        {
            "name": "Uninstall check objective",
            "cycle_id": cycle.id,
            "user_id": env.ref("base.user_admin").id,
        }
    )
    key_results = env["okr.key.result"]
    for code in ("revenue", "complaint_rate"):
        metric = env["okr.metric"].search([("code", "=", code)])
        key_results |= env["okr.key.result"].create(
            {
                "name": f"Uninstall check {code}",
                "objective_id": objective.id,
                "source": "metric",
                "metric_id": metric.id,
                "window": "cycle_to_date",
                "start_value": 0.0,
                "target_value": 100.0,
            }
        )
    return key_results


def okr_project_data(env):
    """The external ids of the addon's projects and task stages."""
    return env["ir.model.data"].search(
        [
            ("module", "=", ADDON),
            ("model", "in", ["project.project", "project.task.type"]),
        ]
    )


def check_recompute(check, env, what):
    """The cron's recompute gives the confirmed orders' revenue and complaint
    rate, as read from the database."""
    env["okr.key.result"]._cron_recompute()
    key_results = env["okr.key.result"].search(
        [("name", "like", "Uninstall check %")], order="id"
    )
    check.equal(len(key_results), 2, f"{what}: two metric key results")
    ((revenue, orders, complaints),) = query(
        env.cr,
        """SELECT COALESCE(SUM(okr_amount_company), 0), COUNT(*),
                  COUNT(*) FILTER (WHERE okr_has_complaint)
             FROM sale_order WHERE state = 'sale'""",
    )
    values = {kr.metric_id.code: kr for kr in key_results}
    for code, expected in (
        ("revenue", float(revenue)),
        ("complaint_rate", 100.0 * complaints / orders if orders else 0.0),
    ):
        key_result = values.get(code)
        if not check(key_result, f"{what}: key result {code} exists"):
            continue
        check(
            not key_result.compute_error
            and abs(key_result.current_value - expected) < 1e-6,
            f"{what}: {code} recomputed = {expected:g}",
            f"got {key_result.current_value!r}, error {key_result.compute_error!r}",
        )


def leftovers(cr, addon_id):
    """Records of the addon still in the database after its uninstall."""
    found = {}
    simple = {
        "external ids": (
            "SELECT module || '.' || name FROM ir_model_data WHERE module = %s",
            [ADDON],
        ),
        "models": ("SELECT model FROM ir_model WHERE model LIKE 'okr.%%'", None),
        "fields": (
            """SELECT model || '.' || name FROM ir_model_fields
                WHERE name LIKE 'okr\\_%%' OR model LIKE 'okr.%%'""",
            None,
        ),
        "parameters": (
            "SELECT key FROM ir_config_parameter WHERE key LIKE %s",
            [ADDON + ".%"],
        ),
        "crons": ("SELECT cron_name FROM ir_cron WHERE cron_name LIKE 'OKR:%%'", None),
        "relations": (
            "SELECT name FROM ir_model_relation WHERE module = %s",
            [addon_id],
        ),
        "constraints": (
            "SELECT name FROM ir_model_constraint WHERE module = %s",
            [addon_id],
        ),
    }
    for what, (sql, params) in simple.items():
        rows = [row[0] for row in query(cr, sql, params)]
        if rows:
            found[what] = rows
    # Any row of any table that points to a model of the addon (messages,
    # followers, activities, attachments, actions...).
    for table, column in query(
        cr,
        """SELECT c.table_name, c.column_name FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              AND c.column_name IN ('model', 'res_model', 'model_name')
              AND c.data_type IN ('character varying', 'text')""",
    ):
        (count,) = query(
            cr,
            f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" LIKE %s',  # noqa: S608
            ["okr.%"],
        )[0]
        if count:
            found[f"{table}.{column} = okr.*"] = [f"{count} rows"]
    return found


def run(args, check, collector):
    import odoo
    from odoo import Command
    from odoo.modules.registry import Registry
    from odoo.service import db as db_service

    db = args.db

    def addon_step(title, fn):
        """Run ``fn``; the warnings Odoo logs meanwhile fail the check."""
        start = time.perf_counter()
        collector.take()
        result = fn()
        warnings = collector.take()
        check(
            not warnings,
            f"{title}: no warning logged ({time.perf_counter() - start:.1f} s)",
            "\n        ".join([""] + warnings),
        )
        return result

    step(f"Database {db}: {', '.join(DEPENDENCIES)}, the company's own records")
    start = time.perf_counter()
    db_service._create_empty_database(db)
    load_registry(db, init=DEPENDENCIES)
    with Registry(db).cursor() as cr:
        env = env_of(cr)
        product, customer, team, tag = build_company_data(env)
        ids = {"product": product.id, "customer": customer.id, "team": team.id}
        tag_id = tag.id
    collector.take()
    print(f"  built in {time.perf_counter() - start:.1f} s: tag {tag_id}, {ids}")
    with Registry(db).cursor() as cr:
        schema_before = schema(cr)

    def install():
        with Registry(db).cursor() as cr:
            env_of(cr)["ir.module.module"].search(
                [("name", "=", ADDON)]
            ).button_immediate_install()

    def uninstall():
        with Registry(db).cursor() as cr:
            env_of(cr)["ir.module.module"].search(
                [("name", "=", ADDON)]
            ).button_immediate_uninstall()

    step(f"Install {ADDON}, sell and deliver, recompute")
    addon_step("install", install)
    with Registry(db).cursor() as cr:
        env = env_of(cr)
        check.equal(
            env.ref(f"{ADDON}.crm_tag_complaint").id,
            tag_id,
            "the company's Complaint tag is adopted",
        )
        check.equal(
            env["ir.config_parameter"].get_param(ADOPTED_PARAM),
            str(tag_id),
            "the adoption is recorded",
        )
        product, customer, team, tag = (
            env["product.product"].browse(ids["product"]),
            env["res.partner"].browse(ids["customer"]),
            env["crm.team"].browse(ids["team"]),
            env["crm.tag"].browse(tag_id),
        )
        # The company asks for ratings: the delivery's request is sent by the
        # scheduled action, the customer rates the order.
        env.company.write({"okr_rating_request": True, "okr_rating_delay_hours": 0})
        order = sell(env, product, customer, team, tag)
        deliver(order)
        env["stock.picking"]._cron_send_okr_rating_requests()
        order.rating_apply(5, token=order._rating_get_access_token())
        check(
            order.rating_ids.consumed and order.rating_ids.okr_rated_at,
            "the customer's rating of the delivered order is the company's",
        )
        earlier = env["rating.rating"].search(
            [("res_model", "=", "sale.order"), ("res_id", "!=", order.id)]
        )
        check(
            earlier
            and all(
                r.okr_rated_at
                and r.create_date <= r.okr_rated_at < order.rating_ids.okr_rated_at
                for r in earlier
            ),
            "ratings given before the install count on the day they were given",
        )
        tagged = env["sale.order"].search([("tag_ids", "in", tag.ids)])
        check(
            all(tagged.mapped("okr_has_complaint")) and len(tagged) == 3,
            "the 3 orders tagged Complaint are complaints",
        )
        key_results = metric_key_results(env, team)
        check_recompute(check, env, "installed")
        # A user's task on a key result: in the OKR Initiatives project.
        task = env["project.task"].create(
            {"name": "Uninstall check task", "okr_key_result_id": key_results[0].id}
        )
        project = env.company._okr_initiatives_project()
        check(
            project and task.project_id == project,
            "the task of a key result is in the company's OKR Initiatives project",
        )
        project_id, task_id = project.id, task.id
        # An addon-made parameter, as a user would set it.
        env["ir.config_parameter"].set_param(f"{ADDON}.group_timeout_seconds", "120")
    # A database installed before 18.0.1.2.0 did not record the adoption.
    with Registry(db).cursor() as cr:
        env_of(cr)["ir.config_parameter"].search([("key", "=", ADOPTED_PARAM)]).unlink()
        cr.execute(
            "UPDATE ir_module_module SET latest_version = %s WHERE name = %s",
            [VERSION_BEFORE_ADOPTION_MIGRATION, ADDON],
        )
    addon_step(
        f"upgrade from {VERSION_BEFORE_ADOPTION_MIGRATION}",
        lambda: load_registry(db, update=[ADDON]),
    )
    with Registry(db).cursor() as cr:
        check.equal(
            env_of(cr)["ir.config_parameter"].get_param(ADOPTED_PARAM),
            str(tag_id),
            "the 18.0.1.2.0 migration records the adoption",
        )
    with Registry(db).cursor() as cr:
        rows_before = snapshot(cr)
        (addon_id,) = query(
            cr, "SELECT id FROM ir_module_module WHERE name = %s", [ADDON]
        )[0]

    step(f"Uninstall {ADDON}")
    addon_step("uninstall", uninstall)
    with Registry(db).cursor() as cr:
        check_uninstalled(check, cr, addon_id, schema_before, rows_before)
        env = env_of(cr)
        tag = env["crm.tag"].browse(tag_id)
        check(
            tag.exists() and tag.name == COMPLAINT,
            "the company's Complaint tag stays",
        )
        check.equal(
            env["sale.order"].search_count([("tag_ids", "in", [tag_id])]),
            3,
            "its 3 orders keep it",
        )
        check(
            env["project.task"].browse(task_id).project_id.id == project_id,
            "the OKR Initiatives project stays with the task it holds",
        )
        # Without the addon, the company renames its tag: the next install
        # makes a Complaint tag of its own.
        tag.name = COMPANY_TAG

    step(f"Install {ADDON} again (it makes its own Complaint tag), recompute")
    addon_step("reinstall", install)
    with Registry(db).cursor() as cr:
        env = env_of(cr)
        addon_tag = env.ref(f"{ADDON}.crm_tag_complaint")
        check(
            addon_tag.id != tag_id and addon_tag.name == COMPLAINT,
            "the addon made its own Complaint tag",
        )
        check(
            not env["ir.config_parameter"].get_param(ADOPTED_PARAM),
            "no adoption is recorded",
        )
        orders = env["sale.order"].search([("tag_ids", "in", [tag_id])])
        check(
            len(orders) == 3 and not any(orders.mapped("okr_has_complaint")),
            "the order facts are filled again (the company's tag is no complaint)",
        )
        delivered = env["stock.picking"].search(
            [("okr_is_delivery", "=", True), ("state", "=", "done")]
        )
        check.equal(len(delivered), 2, "both deliveries are deliveries again")
        # A user tags an order with the addon's tag: a complaint.
        orders[:1].tag_ids = [Command.link(addon_tag.id)]
        check(orders[:1].okr_has_complaint, "an order tagged by the user is one")
        addon_tag_id = addon_tag.id
        check.equal(
            env.company._okr_initiatives_project().id,
            project_id,
            "the project left by the uninstall is taken over, not doubled",
        )
        metric_key_results(env, env["crm.team"].browse(ids["team"]))
        check_recompute(check, env, "reinstalled")

    step(f"Upgrade {ADDON} (-u) after user edits, with the 18.0.1.1.0 migration")
    revenue_domain = "[('state', '=', 'sale'), ('amount_untaxed', '>', 0)]"
    with Registry(db).cursor() as cr:
        env = env_of(cr)
        env["res.lang"]._activate_lang("zh_CN")
        env["ir.module.module"].search([("name", "=", ADDON)])._update_translations(
            ["zh_CN"]
        )
        metric = env.ref(f"{ADDON}.okr_metric_revenue")
        metric.write({"name": "Revenue (ours)", "domain": revenue_domain})
        metric.with_context(lang="zh_CN").name = "我们的收入"
        cron = env.ref(f"{ADDON}.okr_key_result_cron_recompute")
        cron.write({"interval_number": 3, "interval_type": "hours", "active": False})
        flags = dict(
            query(
                cr,
                "SELECT id, okr_on_time FROM stock_picking WHERE okr_is_delivery"
                " ORDER BY id",
            )
        )
        cr.execute(
            "UPDATE stock_picking SET okr_on_time = NOT okr_on_time,"
            " okr_deadline = okr_deadline - interval '30 days' WHERE okr_is_delivery"
        )
        cr.execute(
            "UPDATE ir_module_module SET latest_version = %s WHERE name = %s",
            [VERSION_BEFORE_MIGRATION, ADDON],
        )
        print(f"  wrong on-time flags on deliveries {sorted(flags)}")
    addon_step("upgrade", lambda: load_registry(db, update=[ADDON]))
    with Registry(db).cursor() as cr:
        env = env_of(cr)
        metric = env.ref(f"{ADDON}.okr_metric_revenue")
        check.equal(metric.name, "Revenue (ours)", "the edited metric name stays")
        check.equal(metric.domain, revenue_domain, "the edited metric domain stays")
        check.equal(
            metric.with_context(lang="zh_CN").name,
            "我们的收入",
            "the edited Chinese metric name stays",
        )
        cron = env.ref(f"{ADDON}.okr_key_result_cron_recompute")
        check.equal(
            (cron.interval_number, cron.interval_type, cron.active),
            (3, "hours", False),
            "the cron's edited interval and state stay",
        )
        check.equal(
            env["ir.module.module"].search([("name", "=", ADDON)]).latest_version,
            env["ir.module.module"].get_module_info(ADDON)["version"],
            "the addon is at its manifest's version",
        )
        check.equal(
            dict(
                query(
                    cr,
                    "SELECT id, okr_on_time FROM stock_picking WHERE okr_is_delivery"
                    " ORDER BY id",
                )
            ),
            flags,
            "the migration set the deliveries' on-time flags right",
        )
        pickings = env["stock.picking"].browse(flags)
        stored = {p.id: (p.okr_deadline, p.okr_on_time) for p in pickings}
        pickings._compute_okr_deadline()
        pickings._compute_okr_on_time()
        check.equal(
            {p.id: (p.okr_deadline, p.okr_on_time) for p in pickings},
            stored,
            "the migrated facts equal the ORM's computation",
        )
        check(
            not env["ir.config_parameter"].get_param(ADOPTED_PARAM),
            "the 18.0.1.2.0 migration does not take the addon's tag for adopted",
        )
        env.invalidate_all()
        check_recompute(check, env, "upgraded")
    with Registry(db).cursor() as cr:
        rows_before = snapshot(cr)
        # The stages made by the reinstall hold no task: they go.
        new_stages = okr_project_data(env_of(cr)).filtered(
            lambda data: data.model == "project.task.type"
        )
        new_stage_ids = new_stages.mapped("res_id")

    step(f"Uninstall {ADDON} again: its own Complaint tag goes")
    addon_step("second uninstall", uninstall)
    with Registry(db).cursor() as cr:
        # What Odoo removes with a module's data: its tag and the tag's links.
        rows_before["crm_tag"] = without(rows_before["crm_tag"], "id", addon_tag_id)
        rows_before["sale_order_tag_rel"] = without(
            rows_before["sale_order_tag_rel"], "tag_id", addon_tag_id
        )
        for stage_id in new_stage_ids:
            rows_before["project_task_type"] = without(
                rows_before["project_task_type"], "id", stage_id
            )
        check_uninstalled(check, cr, addon_id, schema_before, rows_before)
        env = env_of(cr)
        check(
            not env["crm.tag"].browse(addon_tag_id).exists(),
            "the addon's own Complaint tag is removed",
        )
        check.equal(
            env["sale.order"].search_count([("tag_ids", "in", [tag_id])]),
            3,
            "the company's tag stays on its 3 orders",
        )
    odoo.sql_db.close_all()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", default=f"okr_uninstall_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    os.environ["TZ"] = "UTC"
    time.tzset()
    import odoo
    from odoo.tools import config

    if odoo.release.series != "18.0":
        sys.exit(f"Odoo 18.0 is required, `import odoo` gives {odoo.release.series}")
    data_dir = tempfile.mkdtemp(prefix="okr_uninstall_")
    config.parse_config(
        [
            f"--addons-path={addons_path()}",
            f"--data-dir={data_dir}",
            "--without-demo=all",
            "--log-level=warn",
            "--no-http",
        ]
    )
    collector = WarningCollector()
    collector.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(collector)
    check = Checks()
    start = time.perf_counter()
    code = 0
    try:
        run(args, check, collector)
    except Exception:
        _logger.exception("the check stopped on an error")
        code = 2
    finally:
        if args.keep:
            print(f"\nkept database {args.db}")
        else:
            odoo.sql_db.close_all()
            result = subprocess.run(
                ["dropdb", "--if-exists", "--force", args.db], check=False
            )
            if result.returncode:
                print(f"warning: could not drop database {args.db}", file=sys.stderr)
        shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"\n{check.passed} checks passed, {len(check.failed)} failed"
        f" in {time.perf_counter() - start:.0f} s"
    )
    for what in check.failed:
        print(f"  FAILED: {what}")
    if code:
        return code
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
