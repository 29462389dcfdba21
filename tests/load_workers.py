#!/usr/bin/env python3
"""Several workers under load (issue 8, point 4).

Starts Odoo on loopback with ``--workers=2 --max-cron-threads=1`` on a
throwaway database, then for a bounded time runs concurrent JSON-RPC clients
while the recompute cron runs: order clients create and confirm orders and
validate their deliveries, back to back; the other clients check in on shared
key results and press Refresh, at a fixed pace. Then it checks:

- every acknowledged check-in exists, exactly once;
- at most one automatic check-in per key result and day;
- every computed value equals a recompute from scratch, once the pending
  recompute requests are served;
- no request failed, but for conflicts (Odoo retries them; those that still
  reach the client are counted apart).

It prints the requests served, the errors by kind, the conflicts Odoo retried
(by table, from its log), the server's CPU time and the p50 / p95 latency of
each action. ``--compare`` also runs the same order clients, with the same
seeds, on a second database without the addon, where the other clients read
orders and deliveries at the same pace; the load alternates between the two
servers in slices, so that what else runs on the machine weighs on both, and
it prints both confirmation latencies and their difference. Exit status 1
when a check fails. See tests/README.md.
"""

import argparse
import ast
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import date, timedelta

import psutil
import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "okr_order_management"
#: The errors Odoo retries (odoo.service.model.PG_CONCURRENCY_ERRORS_TO_RETRY),
#: as a client sees them when the retries are exhausted.
CONFLICTS = {
    "psycopg2.errors.SerializationFailure",
    "psycopg2.errors.LockNotAvailable",
    "psycopg2.errors.DeadlockDetected",
}


def wait_for_parent():
    """The websocket process of the server that run_load() starts (`serve`)."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    return 0


# Before Odoo is imported: it patches gevent in when argv[1] is "gevent".
if __name__ == "__main__" and sys.argv[1:2] == ["gevent"]:
    sys.exit(wait_for_parent())

try:
    import odoo
    from odoo import SUPERUSER_ID, api, fields
    from odoo.modules.registry import Registry
    from odoo.tools import config
except ImportError:
    sys.exit("error: Odoo 18.0 must be importable as `odoo` by python3 (see README)")


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


def dependencies():
    """What the addon depends on (its manifest)."""
    with open(os.path.join(REPO, ADDON, "__manifest__.py")) as manifest:
        return ast.literal_eval(manifest.read())["depends"]


def build(db, workdir, with_addon):
    drop(db)
    # Without the addon: the same modules, less the addon itself.
    module = ADDON if with_addon else ",".join(dependencies())
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
    subprocess.run(
        ["dropdb", "--if-exists", "--force", db],
        check=False,
        env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"),
    )


def setup(db, workdir, args, with_addon):
    """Users, products in stock, customers and, with the addon, a cycle whose
    objective has shared manual key results and metric key results."""
    with registry(db, workdir).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        products = env["product.product"].create(
            [
                {"name": f"Load item {index}", "is_storable": True, "list_price": 10.0}
                for index in range(args.products)
            ]
        )
        warehouse = env["stock.warehouse"].search([], limit=1)
        for product in products:
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
                for index in range(args.clients)
            ]
        )
        plan = {"products": products.ids, "customers": customers.ids}
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
        self.logfile = f"{workdir}/{db}.server.log"
        self.outfile = f"{workdir}/{db}.server.out"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"error: port {port} is in use: pass --port")
        if os.path.exists(self.logfile):  # Odoo appends to it
            os.remove(self.logfile)
        self.log = open(self.outfile, "w")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                sys.executable,
                os.path.abspath(__file__),
                "serve",
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
                # Its retries of concurrency errors, for server_conflicts().
                "--log-handler=odoo.service.model:INFO",
                f"--logfile={self.logfile}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, TZ="UTC"),  # as odoo-bin sets it
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(f"{self.url}/web/login", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(1)
        self.stop()
        raise SystemExit(f"error: Odoo did not start: see {self.logfile}")

    def cpu_seconds(self, db):
        """CPU time so far of Odoo's processes and of the database's backends,
        by ``(kind, pid)``."""
        processes = {}
        try:
            master = psutil.Process(self.process.pid)
            for process in [master, *master.children(recursive=True)]:
                processes["odoo", process.pid] = process
        except psutil.NoSuchProcess:
            pass
        backends = subprocess.run(
            [
                "psql",
                "-d",
                db,
                "-Atc",
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        for pid in backends:
            processes["postgresql", int(pid)] = psutil.Process(int(pid))
        seconds = {}
        for key, process in processes.items():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            seconds[key] = times.user + times.system
        return seconds

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
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
        self.requests = 0
        self.rpc("/web/session/authenticate", db=db, login=login, password=login)

    def rpc(self, path, **params):
        try:
            response = self.session.post(
                f"{self.url}{path}",
                json={"jsonrpc": "2.0", "method": "call", "params": params},
                timeout=300,
            )
            response.raise_for_status()
            body = response.json()
        except requests.RequestException as error:  # JSONDecodeError included
            raise RpcError(f"http: {type(error).__name__}", str(error)) from error
        if "error" in body:
            data = body["error"].get("data", {})
            raise RpcError(data.get("name", "unknown"), data.get("message", ""))
        self.requests += 1
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
        self.requests = 0
        self.served = Counter()
        self.errors = Counter()
        self.seconds = defaultdict(list)
        self.checkins = []
        self.seconds_under_load = 0.0
        self.cpu_seconds = Counter()

    def record(self, action, seconds=None, error=None):
        with self.lock:
            if error is None:
                self.served[action] += 1
                if seconds is not None:
                    self.seconds[action].append(seconds)
            else:
                self.errors[f"{action}: {error.name}"] += 1

    def conflicts(self):
        return sum(
            count
            for kind, count in self.errors.items()
            if kind.split(": ", 1)[1] in CONFLICTS
        )


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


class OrderClient:
    """Orders back to back: the same seed gives the same mix in both runs."""

    ACTIONS = ["confirm"] * 4 + ["validate"] * 2

    def __init__(self, client, rng):
        self.client = client
        self.rng = rng
        self.to_validate = []

    def run(self, plan, load, deadline):
        while time.monotonic() < deadline:
            action = self.rng.choice(self.ACTIONS)
            if action == "validate" and not self.to_validate:
                action = "confirm"
            try:
                if action == "confirm":
                    pickings, seconds = _confirm(self.client, plan, self.rng)
                    self.to_validate += pickings
                else:
                    picking = self.to_validate.pop()
                    _result, seconds = timed(
                        self.client.call, "stock.picking", "button_validate", [picking]
                    )
                load.record(action, seconds)
            except RpcError as error:
                load.record(action, error=error)


def _confirm(client, plan, rng):
    """A new order's pickings, and how long its confirmation took."""
    partner_id = rng.choice(plan["customers"])
    line = {"product_id": rng.choice(plan["products"]), "product_uom_qty": 1}
    order_id = client.call(
        "sale.order", "create", {"partner_id": partner_id, "order_line": [[0, 0, line]]}
    )
    _result, seconds = timed(client.call, "sale.order", "action_confirm", [order_id])
    [order] = client.call("sale.order", "read", [order_id], ["picking_ids"])
    return order["picking_ids"], seconds


def _side_action(rng, with_addon):
    """With the addon, OKR work; without it, reads of the order clients' work."""
    if not with_addon:
        return rng.choice(["read sale.order", "read stock.picking"])
    return "checkin" if rng.randrange(6) else "refresh"


READ_FIELDS = {
    "sale.order": ["name", "state", "partner_id", "amount_total", "date_order"],
    "stock.picking": ["name", "state", "partner_id", "date_deadline", "origin"],
}


def _side_request(client, plan, load, rng, action):
    if action == "checkin":
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
    elif action == "refresh":
        client.call("okr.key.result", "action_refresh", [rng.choice(plan["metric"])])
    else:
        model = action.removeprefix("read ")
        client.call(
            model, "search_read", [], READ_FIELDS[model], limit=20, order="id desc"
        )


class SideClient:
    """One request every `period` seconds (no catching up after a slow one)."""

    def __init__(self, client, rng, with_addon, period):
        self.client = client
        self.rng = rng
        self.with_addon = with_addon
        self.period = period

    def run(self, plan, load, deadline):
        next_start = time.monotonic() + self.rng.uniform(0, self.period)
        while next_start < deadline:
            pause = next_start - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            next_start = max(next_start + self.period, time.monotonic())
            action = _side_action(self.rng, self.with_addon)
            try:
                _result, seconds = timed(
                    _side_request, self.client, plan, load, self.rng, action
                )
                load.record(action, seconds)
            except RpcError as error:
                load.record(action, error=error)


class Run:
    """A database, its server, its clients and what they did."""

    def __init__(self, db, with_addon, args, workdir):
        self.db = db
        self.with_addon = with_addon
        self.label = LABELS[with_addon]
        self.args = args
        self.workdir = workdir
        self.load = Load()
        self.server = None
        self.clients = []

    def prepare(self):
        build(self.db, self.workdir, self.with_addon)
        self.plan = setup(self.db, self.workdir, self.args, self.with_addon)

    def start(self, port):
        """The server, and its clients logged in, with the same seeds whatever
        the database."""
        self.server = Server(self.db, self.workdir, port)
        args = self.args
        for index in range(args.clients):
            try:
                client = Client(self.server.url, self.db, f"load{index}")
            except RpcError as error:
                self.load.record("login", error=error)
                continue
            rng = random.Random(args.seed * 1000 + index)
            if index < args.order_clients:
                self.clients.append(OrderClient(client, rng))
            else:
                self.clients.append(
                    SideClient(client, rng, self.with_addon, args.side_period)
                )

    def slice(self, seconds):
        """All clients at once for `seconds`, until their last answers."""
        cpu_before = self.server.cpu_seconds(self.db)
        start = time.monotonic()
        threads = [
            threading.Thread(
                target=client.run, args=(self.plan, self.load, start + seconds)
            )
            for client in self.clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.load.seconds_under_load += time.monotonic() - start
        for key, value in self.server.cpu_seconds(self.db).items():
            self.load.cpu_seconds[key[0]] += value - cpu_before.get(key, 0.0)

    def stop(self):
        if self.server:
            self.server.stop()
            self.load.requests = sum(client.client.requests for client in self.clients)
            self.load.conflicts_by_server, self.load.retry_sleep = server_conflicts(
                self.server.logfile
            )
            self.server = None


LOG_ENTRY = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (\d+) (\w+) \S+ ([\w.]+): "
)
#: PostgreSQL's messages for the errors in CONFLICTS.
CONFLICT_MESSAGES = (
    "could not serialize access",
    "deadlock detected",
    "could not obtain lock",
)
WRITTEN_TABLE = re.compile(r'\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+"?(\w+)', re.I)
READ_TABLE = re.compile(r'\bFROM\s+"?(\w+)', re.I)
RETRY_SLEEP = re.compile(r"try again in ([\d.]+) sec")
ROW_LOCK = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+|KEY\s+)?(?:UPDATE|SHARE)\b", re.I)


def statement_table(statement):
    """The table a failing statement writes (or locks, or else reads first)."""
    statement = ROW_LOCK.sub("", statement)
    match = WRITTEN_TABLE.search(statement) or READ_TABLE.search(statement)
    return match.group(1) if match else "?"


def server_conflicts(logfile):
    """The concurrency errors in Odoo's log, by table: ``{outcome: Counter}``,
    and the seconds the workers slept before retrying.

    Odoo logs the failing statement (odoo.sql_db, "bad query", ERROR) and then,
    from the same worker process, its retry (odoo.service.model, INFO: "N tries
    left, try again in S sec" or "maximum number of tries reached"). A conflict
    that no retry line follows happened outside a request: in the cron worker.
    A worker that sleeps before a retry serves nobody else meanwhile.
    """
    outcomes = {"retried": Counter(), "exhausted": Counter(), "not retried": Counter()}
    pending = defaultdict(list)  # worker pid: tables of its conflicts
    slept = 0.0
    entry = None  # (pid, logger, text) of the entry being read

    def close(entry):
        nonlocal slept
        if not entry:
            return
        pid, logger, text = entry
        if logger == "odoo.sql_db" and text.startswith("bad query"):
            if any(message in text for message in CONFLICT_MESSAGES):
                pending[pid].append(statement_table(text.split("\n", 1)[0]))
        elif logger == "odoo.service.model":
            sleep = RETRY_SLEEP.search(text)
            if sleep or "maximum number of tries" in text:
                table = pending[pid].pop(0) if pending[pid] else "?"
                outcomes["retried" if sleep else "exhausted"][table] += 1
                slept += float(sleep[1]) if sleep else 0.0

    with open(logfile, errors="replace") as log:
        for line in log:
            match = LOG_ENTRY.match(line)
            if match:
                close(entry)
                entry = (match[1], match[3], line[match.end() :])
            elif entry:
                entry = (entry[0], entry[1], entry[2] + line)
    close(entry)
    for tables in pending.values():
        outcomes["not retried"].update(tables)
    return outcomes, slept


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
        kind: count
        for kind, count in load.errors.items()
        if kind.split(": ", 1)[1] not in CONFLICTS
    }
    checks["no request failed but for conflicts"] = (
        None if not failed else f"failed: {failed}"
    )
    return checks


def by_table(counter):
    total = sum(counter.values())
    if not total:
        return "0"
    tables = ", ".join(f"on {table}: {count}" for table, count in counter.most_common())
    return f"{total} ({tables})"


def ms(seconds):
    return round(seconds * 1000)


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


def summary(load, load_before, load_after):
    """What figures.json keeps of a run."""
    conflicts = load.conflicts_by_server
    return {
        "seconds": round(load.seconds_under_load),
        "load_average_before_after": [load_before, load_after],
        "requests_served": load.requests,
        "actions_served": dict(load.served),
        "errors": dict(load.errors),
        "latency_ms": {
            action: {
                "p50": ms(percentile(values, 50)),
                "p95": ms(percentile(values, 95)),
            }
            for action, values in sorted(load.seconds.items())
        },
        "conflicts_retried_by_server": dict(conflicts["retried"]),
        "retry_sleep_s": round(load.retry_sleep, 1),
        "conflicts_exhausted_by_server": dict(conflicts["exhausted"]),
        "conflicts_in_cron": dict(conflicts["not retried"]),
        "conflicts_reaching_client": load.conflicts(),
        "cpu_ms_per_request": ms(
            sum(load.cpu_seconds.values()) / max(load.requests, 1)
        ),
        "server_cpu_s": {
            kind: round(value, 1) for kind, value in load.cpu_seconds.items()
        },
    }


def report(label, figures):
    say(
        f"  {label}: {figures['requests_served']} requests served in "
        f"{figures['seconds']} s; actions: {figures['actions_served']}"
    )
    say(f"    errors by kind: {figures['errors'] or 'none'}")
    say(
        "    conflicts retried by the server: "
        + by_table(Counter(figures["conflicts_retried_by_server"]))
        + f"; its workers slept {figures['retry_sleep_s']:.0f} s before the retries"
    )
    say(f"    reaching a client: {figures['conflicts_reaching_client']}")
    if figures["conflicts_in_cron"]:
        say(
            "    conflicts in the cron worker: "
            + by_table(Counter(figures["conflicts_in_cron"]))
        )
    cpu = figures["server_cpu_s"]
    say(
        f"    server CPU: {sum(cpu.values()):.0f} s (Odoo {cpu.get('odoo', 0):.0f} s, "
        f"PostgreSQL {cpu.get('postgresql', 0):.0f} s), "
        f"{figures['cpu_ms_per_request']} ms per request"
    )
    for action, latency in figures["latency_ms"].items():
        say(f"    {action}: p50 {latency['p50']} ms, p95 {latency['p95']} ms")


def report_checks(checks):
    """The checks that failed, having printed them all."""
    for check, problem in checks.items():
        say(
            f"    {'FAILED' if problem else 'ok'}: {check}"
            + (f": {problem}" * bool(problem))
        )
    return [check for check, problem in checks.items() if problem]


def compare(results):
    """Confirmation latency with and without the addon, and the difference."""
    both = [results[label]["latency_ms"].get("confirm") for label in LABELS.values()]
    if None in both:
        return None
    with_addon, without = both
    difference = {share: with_addon[share] - without[share] for share in ("p50", "p95")}
    for share in ("p50", "p95"):
        relative = difference[share] / without[share] * 100 if without[share] else 0
        say(
            f"  order confirmation {share}: {with_addon[share]} ms with the addon, "
            f"{without[share]} ms without: {difference[share]:+} ms "
            f"({relative:+.0f} %)"
        )
    with_addon, without = (
        results[label]["cpu_ms_per_request"] for label in LABELS.values()
    )
    say(
        f"  server CPU per request: {with_addon} ms with the addon, "
        f"{without} ms without"
    )
    return difference


LABELS = {True: "with the addon", False: "without the addon"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="okr_load", help="dropped and recreated")
    parser.add_argument("--duration", type=int, default=90, help="seconds of load")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--order-clients",
        type=int,
        help="clients that confirm orders and validate deliveries (default: half)",
    )
    parser.add_argument(
        "--side-period",
        type=float,
        default=1.0,
        help="seconds between two requests of each other client (default 1)",
    )
    parser.add_argument(
        "--products",
        type=int,
        default=20,
        help="products in stock, one per order line (1: every confirmation "
        "reserves on the same stock row)",
    )
    parser.add_argument("--port", type=int, default=8079, help="and the next one")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also run the order clients on a database without the addon",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="with --compare: the load alternates between the databases in "
        "this many slices each (default 3)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--workdir", help="logs and filestore")
    args = parser.parse_args(argv)
    if args.order_clients is None:
        args.order_clients = args.clients // 2
    if not 0 < args.order_clients <= args.clients:
        parser.error("--order-clients must be between 1 and --clients")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    workdir = args.workdir or f"/tmp/{args.db}_work"
    os.makedirs(workdir, exist_ok=True)
    configure(workdir)
    runs = [Run(args.db, True, args, workdir)]
    rounds = 1
    if args.compare:
        runs.append(Run(f"{args.db}_without", False, args, workdir))
        rounds = args.rounds
    results = {
        "clients": args.clients,
        "order_clients": args.order_clients,
        "side_period_s": args.side_period,
        "duration_s": args.duration,
        "products": args.products,
        "rounds": rounds,
        "seed": args.seed,
    }
    problems = []
    try:
        for run in runs:
            say(f"[{run.label}] {run.db}: build")
            run.prepare()
        try:
            for offset, run in enumerate(runs):
                run.start(args.port + offset)
            before = load_average()
            say(
                f"load: {args.order_clients} order clients and "
                f"{args.clients - args.order_clients} other clients (one request "
                f"per {args.side_period:g} s) for {args.duration} s on two workers"
                + (f", alternating between the databases {rounds} times" * (rounds > 1))
            )
            for index in range(rounds):
                for run in runs:
                    seconds = args.duration / rounds
                    say(f"  [{run.label}] {seconds:.0f} s ({index + 1}/{rounds})")
                    run.slice(seconds)
            after = load_average()
            say(f"  load average before / after: {before} / {after}")
        finally:
            for run in runs:
                run.stop()
        for run in runs:
            results[run.label] = summary(run.load, before, after)
            report(run.label, results[run.label])
            if run.with_addon:
                results["checks"] = verify(run.db, workdir, run.load)
                problems = report_checks(results["checks"])
        if args.compare:
            results["confirm_difference_ms"] = compare(results)
    finally:
        if not args.keep:
            for run in runs:
                drop(run.db)
        with open(os.path.join(workdir, "figures.json"), "w") as figures:
            json.dump(results, figures, indent=2)
    return 1 if problems else 0


def serve(argv):
    """Odoo's server as odoo-bin runs it, but for its websocket process.

    In prefork mode Odoo starts ``<sys.argv[0]> gevent ...`` for the
    websockets of its bus, which the clients do not use: here that is
    wait_for_parent(), an idle process, as a working one would be. Where
    gevent cannot start (see tests/README.md) Odoo would otherwise respawn it
    several times a second, taking a core from the workers.
    """
    sys.argv[1:] = argv
    odoo.cli.main()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
    else:
        sys.exit(main())
