#!/usr/bin/env python3
"""Benchmark of the quarter review PDF of okr_order_management (issue 10).

On a database that has the addon (``--db``), in a transaction rolled back at
the end, it builds a cycle of ``--objectives`` objectives over ``--departments``
departments, each with ``--key-results`` key results and a task, then prints,
for the review of that cycle printed as the admin: the SQL queries and time of
the HTML rendering (the addon's part: its grouped queries and QWeb), and the
time, pages and size of the PDF wkhtmltopdf makes of it. Without a running
Odoo server wkhtmltopdf cannot fetch the report's stylesheets: the PDF is set
without them (and Odoo logs the network error as a warning).

    python3 tests/benchmark_review.py --db okr_demo --objectives 200

Run it on demand, never in CI: see tests/README.md.
"""

import argparse
import io
import sys
import time

try:
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config
    from odoo.tools.pdf import PdfFileReader
except ImportError as error:
    sys.exit(f"error: this benchmark needs Odoo 18.0 importable as `odoo` ({error}).")

REPORT = "okr_order_management.action_report_okr_review"


def build(env, objectives, key_results, departments):
    """A cycle of ``objectives`` objectives with their key results and a
    task each, over ``departments`` new departments."""
    cycle = env["okr.cycle"].create(
        {
            "name": "Benchmark quarter",
            "date_start": "2027-04-01",
            "date_end": "2027-06-30",
        }
    )
    teams = env["hr.department"].create(
        [{"name": f"Benchmark department {index}"} for index in range(departments)]
    )
    created = env["okr.objective"].create(
        [
            {
                "name": f"Objective {index}",
                "cycle_id": cycle.id,
                "department_id": teams[index % departments].id,
            }
            for index in range(objectives)
        ]
    )
    krs = env["okr.key.result"].create(
        [
            {
                "name": f"Key result {index}.{rank}",
                "objective_id": objective.id,
                "start_value": 0.0,
                "target_value": 10.0 * (rank + 1),
                "current_value": 3.0 * (rank + 1) * (index % 4),
            }
            for index, objective in enumerate(created)
            for rank in range(key_results)
        ]
    )
    env["project.task"].create(
        [
            {"name": f"Task {kr.id}", "okr_key_result_id": kr.id}
            for kr in krs[::key_results]
        ]
    )
    env.flush_all()
    return cycle


def measure(env, cycle):
    report = env.ref(REPORT)
    report._render_qweb_html(report.id, cycle.ids)  # templates compiled
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    html, _format = report._render_qweb_html(report.id, cycle.ids)
    html_seconds = time.perf_counter() - start
    queries = env.cr.sql_log_count - queries
    env.invalidate_all()
    start = time.perf_counter()
    pdf, _format = report.with_context(force_report_rendering=True)._render_qweb_pdf(
        report.id, cycle.ids
    )
    pdf_seconds = time.perf_counter() - start
    pages = len(PdfFileReader(io.BytesIO(pdf), strict=False).pages)
    return queries, html_seconds, len(html), pdf_seconds, pages, len(pdf)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a database with the addon")
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--objectives", type=int, default=200)
    parser.add_argument("--key-results", type=int, default=4)
    parser.add_argument("--departments", type=int, default=8)
    args = parser.parse_args()
    options = ["-d", args.db, "--log-level=error"]
    if args.addons_path:
        options.append(f"--addons-path={args.addons_path}")
    config.parse_config(options)
    odoo.service.server.load_server_wide_modules()
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        env = env(user=admin, context={"lang": admin.lang or "en_US"})
        cycle = build(env, args.objectives, args.key_results, args.departments)
        queries, html_s, html_size, pdf_s, pages, pdf_size = measure(env, cycle)
        cr.rollback()
    total = args.objectives * args.key_results
    print(
        f"review of {args.objectives} objectives, {total} key results, "
        f"{args.departments} departments:"
    )
    print(f"  HTML: {queries} queries, {html_s:.2f} s, {html_size / 1024:.0f} KiB")
    pdf_kib = pdf_size / 1024
    print(f"  PDF:  {pdf_s:.2f} s (HTML included), {pages} pages, {pdf_kib:.0f} KiB")


if __name__ == "__main__":
    main()
