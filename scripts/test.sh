#!/usr/bin/env bash
# The README's "test" command: lint, install the addon with and without demo data
# into throwaway databases (any logged warning fails), run its test suite, then
# uninstall, reinstall and upgrade it on a database of its own
# (tests/uninstall_check.py), and puts a server with two workers under 20 s of
# concurrent clients (tests/load_workers.py). The rest of the top-level tests/
# folder (benchmarks, the full load run) runs on demand.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

# Fail early with a clear message when a prerequisite is missing.
require_odoo
ensure_postgres
ADDONS_PATH=$(addons_path)
ADDON_DIR=$(addon_dir "$ADDONS_PATH")
[[ -d $ADDON_DIR/tests ]] || die "$ADDON_DIR/tests is missing: the test suite must not be empty."
# Odoo skips UI tours, instead of failing them, when it finds no Chromium.
command -v chromium >/dev/null || command -v google-chrome >/dev/null ||
    die "Chromium is needed for the UI tours: install it (Debian: apt-get install chromium)."
# Odoo renders PDF reports with wkhtmltopdf; the review PDF's tests read its text.
command -v wkhtmltopdf >/dev/null ||
    die "wkhtmltopdf is needed for the PDF reports: install it (Debian: apt-get install wkhtmltopdf)."

# Throwaway databases and a private data dir (filestores) and logs, removed whatever
# the outcome.
DB="okr_test_$(date +%Y%m%d%H%M%S)_$$"
DB_NODEMO="${DB}_nodemo"
DB_LOAD="${DB}_load"
WORK=$(mktemp -d)
bg_pid=
cleanup() {
    [[ -z $bg_pid ]] || kill "$bg_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    for db in "$DB" "$DB_NODEMO" "$DB_LOAD"; do
        PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists --force "$db" ||
            echo "warning: could not drop database $db" >&2
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Odoo log entries start "DATE TIME PID LEVEL DB LOGGER: MESSAGE"; a traceback follows
# its entry on lines of its own.
LOG_ENTRY='^[0-9-]+ [0-9:,]+ [0-9]+ '
BAD_LOG_ENTRY="${LOG_ENTRY}(WARNING|ERROR|CRITICAL) "
# Extended regexes for entries that Odoo itself may log, unrelated to our addon, which
# are not failures. Keep it explicit, one comment each. Empty: a clean install of
# sale_stock, hr and mail (with or without demo data) logs no warning at all.
ALLOWED_LOG_ENTRIES=()

# The warning and error entries of Odoo log $1, with their tracebacks, less the allowed.
bad_log_entries() {
    local allowed
    allowed=$(IFS='|' && echo "${ALLOWED_LOG_ENTRIES[*]}")
    awk -v entry="$LOG_ENTRY" -v bad="$BAD_LOG_ENTRY" -v allowed="$allowed" '
        $0 ~ entry { keep = $0 ~ bad && !(allowed != "" && $0 ~ allowed) }
        keep' "$1"
}

# Fail unless database $1 ends with the addon installed, Odoo's exit code $3 is 0
# and its log $2 holds no warning.
check_install() {
    local db=$1 log=$2 rc=$3 bad
    bad=$(bad_log_entries "$log")
    if [[ -n $bad ]]; then
        printf '%s: Odoo logged warnings or errors while installing %s:\n%s\n' \
            "$db" "$ADDON" "$bad" >&2
        return 1
    fi
    if ((rc != 0)) || [[ $(module_state "$db") != installed ]]; then
        printf '%s: installing %s failed (exit %s); end of the log:\n' "$db" "$ADDON" "$rc" >&2
        tail -n 40 "$log" >&2
        return 1
    fi
    echo "$db: $ADDON installed, no warning logged"
}

# The whole repo, and the addon if it lives elsewhere, with this repo's settings.
step "ruff: lint and format check"
lint_paths=("$REPO_ROOT")
[[ $ADDON_DIR == "$REPO_ROOT"/* ]] || lint_paths+=("$ADDON_DIR")
python3 -m ruff check --config "$REPO_ROOT/pyproject.toml" "${lint_paths[@]}"
python3 -m ruff format --check --config "$REPO_ROOT/pyproject.toml" "${lint_paths[@]}"

# The addon's README.rst is generated from its readme/ fragments.
step "README.rst up to date with readme/"
python3 "$REPO_ROOT/scripts/readme.py" --check

# OCA's Odoo checks, mandatory (manifest, translations, SQL injection,
# commits...) and optional (.pylintrc holds both lists).
step "pylint-odoo: OCA mandatory and optional checks (.pylintrc)"
python3 -m pylint --rcfile="$REPO_ROOT/.pylintrc" "$ADDON_DIR"
echo "No issue found"

# Both installs at once (each keeps about one core busy); Odoo creates the databases.
step "Installing $ADDON with demo data ($DB) and without ($DB_NODEMO)"
install=(-i "$ADDON" --addons-path="$ADDONS_PATH" --data-dir="$WORK/data"
    --stop-after-init --no-http --log-level=info)
python3 -m odoo -d "$DB_NODEMO" "${install[@]}" --without-demo=all >"$WORK/nodemo.log" 2>&1 &
bg_pid=$!
rc=0
python3 -m odoo -d "$DB" "${install[@]}" >"$WORK/demo.log" 2>&1 || rc=$?
rc_nodemo=0
wait "$bg_pid" || rc_nodemo=$?
bg_pid=
installed=true
check_install "$DB" "$WORK/demo.log" "$rc" || installed=false
check_install "$DB_NODEMO" "$WORK/nodemo.log" "$rc_nodemo" || installed=false
$installed || die "installing $ADDON failed or logged warnings (see above)."
dropdb --force "$DB_NODEMO"

# pytest-odoo runs the tests in the database with demo data; --odoo-http serves it
# for HttpCase and tours. odoo.tests.common logs an ERROR when imported outside Odoo's
# own test runner, as pytest-odoo does: that logger is muted, the others show warnings.
# -rfEs lists skip reasons too (Odoo skips browser tests when Chromium fails to start).
# Exit 5 (no test collected) is a failure here.
step "pytest: $ADDON tests"
rc=0
python3 -m pytest -c "$REPO_ROOT/pyproject.toml" -rfEs "$ADDON_DIR/tests" \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" --odoo-http \
    --odoo-log-level=warn --odoo-extra=log-handler=odoo.tests.common:CRITICAL \
    --odoo-extra=data-dir="$WORK/data" || rc=$?
((rc != 5)) || die "pytest collected no test in $ADDON_DIR/tests: the suite must not be empty."
((rc == 0)) || die "pytest failed (exit $rc)."

# The company's records stay as they were when the addon goes, and it comes back.
step "Uninstall, reinstall, upgrade (tests/uninstall_check.py)"
python3 "$REPO_ROOT/tests/uninstall_check.py"

# Two HTTP workers and a cron worker on 127.0.0.1:8079 (the tests above serve on
# 8069), 4 order clients and 4 OKR clients for 20 s: its checks fail the run, its
# latencies never do.
step "Several workers under load (tests/load_workers.py, 20 s)"
if ! python3 "$REPO_ROOT/tests/load_workers.py" --db "$DB_LOAD" --duration 20 \
    --clients 8 --port 8079 --workdir "$WORK/load"; then
    echo "End of Odoo's log:" >&2
    tail -n 40 "$WORK/load/$DB_LOAD.server.log" >&2 || true
    die "the load test failed (see above)."
fi

step "All checks passed"
