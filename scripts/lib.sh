# Shared helpers for scripts/run.sh and scripts/test.sh: source it, don't run it.
# Knobs: ODOO_ADDONS_PATH (extra addons folders, comma-separated, searched first);
# OKR_ADDON_NAME (another addon to work on, for testing these scripts only).

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDON=${OKR_ADDON_NAME:-okr_order_management}
# Like odoo-bin: the server and the tests run in UTC whatever the machine's zone.
export TZ=UTC

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

step() { printf '\n==> %s\n' "$*"; }

# Odoo is a prerequisite: this project never installs it.
require_odoo() {
    local series
    series=$(python3 -c 'import odoo.release; print(odoo.release.series)' 2>/dev/null) ||
        die "Odoo 18.0 must be importable as \`odoo\` by python3: install it (see README)," \
            "e.g. 'python3 -m pip install -e <odoo-18.0-source>', then run this again."
    [[ $series == 18.0 ]] || die "Odoo 18.0 is required, but \`import odoo\` gives Odoo $series."
}

# Start the local PostgreSQL if it is down, and give the current OS user a role
# (Odoo connects as that user; a fresh machine has neither running server nor role).
ensure_postgres() {
    if ! pg_isready -q; then
        if command -v pg_lsclusters >/dev/null; then
            local ver name _port status _rest
            while read -r ver name _port status _rest; do
                if [[ $status == down ]]; then
                    echo "Starting PostgreSQL cluster $ver/$name"
                    pg_ctlcluster "$ver" "$name" start || true
                fi
            done < <(pg_lsclusters -h)
        elif command -v pg_ctl >/dev/null && [[ -n ${PGDATA:-} ]]; then
            pg_ctl -D "$PGDATA" -l "$PGDATA/server.log" start || true
        fi
        local _
        for _ in {1..30}; do
            pg_isready -q && break
            sleep 1
        done
        pg_isready -q || die "PostgreSQL is not reachable and could not be started here:" \
            "start it (e.g. 'pg_ctlcluster 15 main start') or set PGHOST/PGPORT."
    fi
    if ! psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        local user
        user=$(id -un)
        if [[ $(id -u) == 0 ]] && su postgres -s /bin/sh -c true 2>/dev/null; then
            echo "Creating PostgreSQL superuser role '$user'"
            su postgres -s /bin/sh -c "createuser --superuser '$user'"
        fi
        psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 ||
            die "PostgreSQL refuses user '$user': create a role for it, e.g." \
                "'sudo -u postgres createuser --superuser $user'."
    fi
}

# Extra paths first, then this repo, then Odoo's own addons folders.
addons_path() {
    local odoo_paths
    odoo_paths=$(python3 -c '
import os, odoo
root = odoo.__path__[0]
paths = [os.path.join(root, "addons"), os.path.normpath(os.path.join(root, "..", "addons"))]
print(",".join(p for p in paths if os.path.isdir(p)))')
    echo "${ODOO_ADDONS_PATH:+$ODOO_ADDONS_PATH,}$REPO_ROOT,$odoo_paths"
}

# The folder of $ADDON, the first one found on the addons path $1.
addon_dir() {
    local dir dirs
    IFS=, read -ra dirs <<<"$1"
    for dir in "${dirs[@]}"; do
        if [[ -f $dir/$ADDON/__manifest__.py ]]; then
            echo "$dir/$ADDON"
            return
        fi
    done
    die "addon '$ADDON' not found on the addons path $1"
}

# State of $ADDON in database $1 ("installed", ...), empty when there is no such database.
module_state() {
    psql -d "$1" -Atq -v name="$ADDON" 2>/dev/null <<<"select state from ir_module_module where name = :'name'" || true
}
