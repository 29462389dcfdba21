#!/usr/bin/env python3
"""Several workers under load (issue 8, point 4).

Starts Odoo on loopback with ``--workers=2 --max-cron-threads=1`` on a
throwaway database, then for a bounded time runs concurrent JSON-RPC clients
that check in on shared key results, press Refresh, confirm orders and
validate deliveries while the recompute crons run. Then it checks:

- every acknowledged check-in exists, exactly once;
- at most one automatic check-in per key result and day;
- every computed value equals a recompute from scratch, once the pending
  recompute requests are served;
- no request failed, but for conflicts (Odoo retries them; those that still
  reach the client are counted apart).

It prints the requests served, the errors by kind and the p50 / p95 latency of
an order confirmation. ``--compare`` runs the same order clients on a second
database without the addon and prints both latencies. Exit status 1 when a
check fails. See tests/README.md.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "okr_order_management"
CONFLICT = "psycopg2.errors.SerializationFailure"

try:
    import odoo
    from odoo import SUPERUSER_ID, api, fields
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("error: Odoo 18.0 must be importable as `odoo` by python3 (see README)")


def odoo_bin():
    """Odoo's own launcher: its workers start the gevent server from it."""
    root = os.path.dirname(os.path.dirname(odoo.__file__))
    launcher = os.path.join(root, "odoo-bin")
    return [sys.executable, launcher] if os.path.exists(launcher) else ["odoo"]


def addons_path():
    root = os.path.dirname(os.path.dirname(odoo.__file__))
    return ",".join(
        [REPO, os.path.join(root, "odoo", "addons"), os.path.join(root, "addons")]
    )


def say(*parts):
    print(*parts, flush=True)


def odoo_cli(db, workdir, *args):
    with open(os.path.join(workdir, f"{db}.install.log"), "a") as log:
        subprocess.run(
            [sys.executable, "-m", "odoo", "-d", db, f"--addons-path={addons_path()}"]
            + [f"--data-dir={workdir}/data", *args],
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def build(db, workdir, with_addon):
    drop(db)
    module = ADDON if with_addon else "sale_stock"
    start = time.perf_counter()
    odoo_cli(db, workdir, "-i", module, "--without-demo=all", "--stop-after-init")
    say(f"  {db}: {module} installed in {time.perf_counter() - start:.0f} s")


def configure(workdir):
    """Odoo's configuration of this process (once: Odoo's is global)."""
    config.parse_config(
        [f"--addons-path={addons_path()}", f"--data-dir={workdir}/data"]
        + ["--log-level=warn"]
    )


def registry(db, workdir):
    return Registry(db)


def drop(db):
    odoo.sql_db.close_db(db)
    subprocess.run(["dropdb", "--if-exists", db], check=False)


def setup(db, workdir, clients, with_addon):
    """Users, a product in stock, customers and, with the addon, a cycle whose
    objective has shared manual key results and metric key results."""
    with registry(db, workdir).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        product = env["product.product"].create(
            {"name": "Load test item", "is_storable": True, "list_price": 10.0}
        )
        warehouse = env["stock.warehouse"].search([], limit=1)
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 1_000_000
        )
        customers = env["res.partner"].create(
            [{"name": f"Load customer {index}"} for index in range(50)]
        )
        groups = [
            "base.group_user",
            "sales_team.group_sale_salesman_all_leads",
            "stock.group_stock_user",
        ]
        if with_addon:
            groups.append(f"{ADDON}.group_okr_manager")
        group_ids = [env.ref(xmlid).id for xmlid in groups]
        env["res.users"].with_context(no_reset_password=True).create(
            [
                {
                    "name": f"Load client {index}",
                    "login": f"load{index}",
                    "password": f"load{index}",
                    "groups_id": [(6, 0, group_ids)],
                }
                for index in range(clients)
            ]
        )
        plan = {"product": product.id, "customers": customers.ids}
        if with_addon:
            plan.update(_okr_setup(env))
        cr.commit()
    return plan


def _okr_setup(env):
    today = date.today()
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    cycle = env["okr.cycle"].create(
        {"name": "Load quarter", "date_start": start, "date_end": end}
    )
    objective = env["okr.objective"].create(
        {"name": "Customers wait less", "cycle_id": cycle.id}
    )
    manual = env["okr.key.result"].create(
        [
            {
                "name": f"Shared manual {index}",
                "objective_id": objective.id,
                "start_value": 0.0,
                "target_value": 100.0,
            }
            for index in range(5)
        ]
    )
    codes = ["revenue", "order_error_rate", "on_time_delivery_rate", "new_customers"]
    metric = env["okr.key.result"].create(
        [
            {
                "name": f"{code} {window}",
                "objective_id": objective.id,
                "source": "metric",
                "metric_id": env["okr.metric"].search([("code", "=", code)]).id,
                "window": window,
                "window_days": 7,
                "target_value": 100.0,
            }
            for code in codes
            for window in ("cycle_to_date", "rolling")
        ]
    )
    metric._okr_recompute()
    # The hourly recompute runs every minute during the load.
    cron = env.ref(f"{ADDON}.okr_key_result_cron_recompute")
    cron.write({"interval_number": 1, "interval_type": "minutes"})
    cron.nextcall = fields.Datetime.now()
    return {"manual": manual.ids, "metric": metric.ids}


class Server:
    """Odoo with two HTTP workers and a cron worker, on loopback."""

    def __init__(self, db, workdir, port):
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(f"{workdir}/{db}.server.out", "w")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                *odoo_bin(),
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--addons-path={addons_path()}",
                f"--data-dir={workdir}/data",
                "--workers=2",
                "--max-cron-threads=1",
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                "--limit-time-real=600",
                "--log-level=warn",
                f"--logfile={workdir}/{db}.server.log",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/web/login", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(1)
        self.stop()
        raise SystemExit(f"error: Odoo did not start: see {workdir}/{db}.server.log")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


class Client:
    """One user's JSON-RPC session."""

    def __init__(self, url, db, login):
        self.url = url
        self.session = requests.Session()
        self.rpc("/web/session/authenticate", db=db, login=login, password=login)

    def rpc(self, path, **params):
        response = self.session.post(
            f"{self.url}{path}",
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=120,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            data = body["error"].get("data", {})
            raise RpcError(data.get("name", "unknown"), data.get("message", ""))
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            model=model,
            method=method,
            args=list(args),
            kwargs=kwargs,
        )


class Load:
    """What the clients did, shared between their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.served = Counter()
        self.errors = Counter()
        self.checkins = []
        self.confirm_seconds = []

    def record(self, action, error=None):
        with self.lock:
            if error is None:
                self.served[action] += 1
            else:
                self.errors[f"{action}: {error.name}"] += 1


def run_client(url, db, login, plan, load, deadline, with_addon, seed):
    rng = random.Random(seed)
    client = Client(url, db, login)
    to_validate = []
    actions = ["confirm"] * 4 + ["validate"] * 2
    if with_addon:
        actions += ["checkin"] * 5 + ["refresh"]
    while time.monotonic() < deadline:
        action = rng.choice(actions)
        if action == "validate" and not to_validate:
            action = "confirm"
        try:
            if action == "confirm":
                to_validate += _confirm(client, plan, load, rng)
            elif action == "validate":
                client.call("stock.picking", "button_validate", [to_validate.pop()])
            elif action == "checkin":
                checkin_id = client.call(
                    "okr.checkin",
                    "create",
                    {
                        "key_result_id": rng.choice(plan["manual"]),
                        "value": rng.randint(0, 100),
                        "confidence": rng.randint(0, 10),
                    },
                )
                with load.lock:
                    load.checkins.append(checkin_id)
            else:
                client.call(
                    "okr.key.result", "action_refresh", [rng.choice(plan["metric"])]
                )
            load.record(action)
        except RpcError as error:
            load.record(action, error)


def _confirm(client, plan, load, rng):
    order_id = client.call(
        "sale.order",
        "create",
        {
            "partner_id": rng.choice(plan["customers"]),
            "order_line": [
                [0, 0, {"product_id": plan["product"], "product_uom_qty": 1}]
            ],
        },
    )
    start = time.perf_counter()
    client.call("sale.order", "action_confirm", [order_id])
    seconds = time.perf_counter() - start
    with load.lock:
        load.confirm_seconds.append(seconds)
    [order] = client.call("sale.order", "read", [order_id], ["picking_ids"])
    return order["picking_ids"]


def run_load(db, workdir, args, plan, with_addon):
    server = Server(db, workdir, args.port)
    load = Load()
    try:
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(
                target=run_client,
                args=(server.url, db, f"load{index}", plan, load, deadline),
                kwargs={"with_addon": with_addon, "seed": args.seed + index},
            )
            for index in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    return load


def percentile(values, share):
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def verify(db, workdir, load):
    """The checks of the module docstring: ``{check: problem or None}``."""
    from odoo.addons.okr_order_management import metric_engine  # noqa: PLC0415

    checks = {}
    with registry(db, workdir).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        acknowledged = load.checkins
        cr.execute(
            "SELECT count(*) FROM okr_checkin WHERE id = ANY(%s)", [acknowledged]
        )
        found = cr.fetchone()[0]
        unique = len(set(acknowledged))
        checks["acknowledged check-ins stored once"] = (
            None
            if found == unique == len(acknowledged)
            else f"{len(acknowledged)} acknowledged, {unique} distinct, {found} found"
        )
        cr.execute(
            "SELECT count(*) FROM (SELECT 1 FROM okr_checkin WHERE source = 'auto' "
            "GROUP BY key_result_id, date HAVING count(*) > 1) AS twice"
        )
        twice = cr.fetchone()[0]
        checks["one automatic check-in per key result and day"] = (
            None if not twice else f"{twice} key result days have more than one"
        )
        # The system catching up: the requests still pending are served.
        KeyResult = env["okr.key.result"]
        KeyResult._cron_recompute_requested()
        env.flush_all()
        key_results = KeyResult.search([("source", "=", "metric")])
        measures = {kr.id: kr._okr_measure(kr.last_computed_at) for kr in key_results}
        outcomes = metric_engine.evaluate(env, measures)
        wrong = [
            (kr.name, kr.current_value, outcomes[kr.id].value)
            for kr in key_results
            if outcomes[kr.id].value is not None
            and abs(outcomes[kr.id].value - kr.current_value) > 1e-6
        ]
        checks["computed values equal a recompute from scratch"] = (
            None if not wrong else f"{len(wrong)} differ: {wrong[:3]}"
        )
        cr.rollback()
    failed = {
        kind: count for kind, count in load.errors.items() if CONFLICT not in kind
    }
    checks["no request failed but for conflicts"] = (
        None if not failed else f"failed: {failed}"
    )
    return checks


def report(label, load, seconds):
    served = sum(load.served.values())
    say(f"  {label}: {served} requests served in {seconds:.0f} s: {dict(load.served)}")
    say(f"    errors by kind: {dict(load.errors) or 'none'}")
    say(
        f"    order confirmation: {len(load.confirm_seconds)} confirmations, "
        f"p50 {percentile(load.confirm_seconds, 50) * 1000:.0f} ms, "
        f"p95 {percentile(load.confirm_seconds, 95) * 1000:.0f} ms"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="okr_load", help="dropped and recreated")
    parser.add_argument("--duration", type=int, default=90, help="seconds of load")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also run the order clients on a database without the addon",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--workdir", help="logs and filestore")
    args = parser.parse_args(argv)
    workdir = args.workdir or f"/tmp/{args.db}_work"
    os.makedirs(workdir, exist_ok=True)
    configure(workdir)
    runs = [(args.db, True)]
    if args.compare:
        runs.append((f"{args.db}_without", False))
    results = {}
    problems = []
    try:
        for db, with_addon in runs:
            label = "with the addon" if with_addon else "without the addon"
            say(
                f"[{label}] {db}: build, then {args.clients} clients for "
                f"{args.duration} s on two workers"
            )
            build(db, workdir, with_addon)
            plan = setup(db, workdir, args.clients, with_addon)
            start = time.perf_counter()
            load = run_load(db, workdir, args, plan, with_addon)
            report(label, load, time.perf_counter() - start)
            results[label] = {
                "served": dict(load.served),
                "errors": dict(load.errors),
                "confirm_p50_ms": percentile(load.confirm_seconds, 50) * 1000,
                "confirm_p95_ms": percentile(load.confirm_seconds, 95) * 1000,
            }
            if with_addon:
                for check, problem in verify(db, workdir, load).items():
                    say(
                        f"    {'FAILED' if problem else 'ok'}: {check}"
                        + (f": {problem}" if problem else "")
                    )
                    if problem:
                        problems.append(check)
    finally:
        if not args.keep:
            for db, _with_addon in runs:
                drop(db)
    with open(os.path.join(workdir, "figures.json"), "w") as figures:
        json.dump(results, figures, indent=2)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
