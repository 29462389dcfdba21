#!/usr/bin/env bash
# A streaming hot-standby replica of the local PostgreSQL cluster, on a
# loopback port, for the benchmark's --replica-port (see tests/README.md).
#
#   tests/replica.sh up      # base backup of the primary, then start it
#   tests/replica.sh status  # is it running, in recovery, how far behind
#   tests/replica.sh down    # stop it and remove its data directory
#
# Settings (environment):
#   REPLICA_PORT      loopback port of the replica (default 5433)
#   REPLICA_DIR       where its data directory goes (default
#                     /tmp/okr_bench_work/replica, the benchmark's workdir)
#   PRIMARY_PORT      port of the primary (default 5432)
#   PRIMARY_SOCKET    unix-socket directory of the primary
#                     (default /var/run/postgresql)
#   PG_BIN            PostgreSQL binaries (default: those of the primary's
#                     major version, /usr/lib/postgresql/<major>/bin)
#
# It runs as root and starts the replica as the `postgres` OS user, who owns
# the primary's cluster. The base backup connects to the primary over its unix
# socket as `postgres` (Debian's pg_hba.conf allows `local replication all
# peer`, so the primary's configuration is not changed); the replica streams
# over the same connection (`pg_basebackup -R` writes it to
# postgresql.auto.conf). The replica listens on 127.0.0.1 only and trusts
# loopback connections (it is read-only and holds a copy of what the local
# users may read anyway), so Odoo reaches it with db_replica_host=127.0.0.1
# without a password. No replication slot: the replica starts right after its
# backup and `down` leaves nothing behind on the primary.
set -euo pipefail

PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_SOCKET=${PRIMARY_SOCKET:-/var/run/postgresql}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/tmp/okr_bench_work/replica}
DATA="$REPLICA_DIR/data"
LOG="$REPLICA_DIR/replica.log"

as_postgres() {
    runuser -u postgres -- "$@"
}

primary_sql() {
    as_postgres psql -X -At -h "$PRIMARY_SOCKET" -p "$PRIMARY_PORT" -d postgres -c "$1"
}

replica_sql() {
    as_postgres psql -X -At -h "$REPLICA_DIR" -p "$REPLICA_PORT" -d postgres -c "$1"
}

pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        echo "$PG_BIN"
        return
    fi
    local major
    major=$(primary_sql "SHOW server_version_num")
    echo "/usr/lib/postgresql/$((major / 10000))/bin"
}

running() {
    [ -f "$DATA/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

up() {
    if running; then
        echo "replica already running on port $REPLICA_PORT ($DATA)"
        return
    fi
    [ "$(primary_sql "SHOW wal_level")" != minimal ] || {
        echo "error: the primary has wal_level = minimal; set it to replica and restart it" >&2
        exit 1
    }
    rm -rf "$DATA"
    mkdir -p "$REPLICA_DIR"
    chown postgres: "$REPLICA_DIR"
    chmod 700 "$REPLICA_DIR"
    echo "base backup of the primary (port $PRIMARY_PORT) into $DATA ..."
    local start=$SECONDS
    as_postgres "$(pg_bin)/pg_basebackup" -h "$PRIMARY_SOCKET" -p "$PRIMARY_PORT" \
        -D "$DATA" -R -X stream -c fast
    echo "  done in $((SECONDS - start)) s, $(du -sh "$DATA" | cut -f1)"
    # A Debian cluster keeps its configuration in /etc: the replica gets its
    # own, with the settings a hot standby must share with its primary.
    {
        echo "# Written by tests/replica.sh"
        echo "port = $REPLICA_PORT"
        echo "listen_addresses = '127.0.0.1'"
        echo "unix_socket_directories = '$REPLICA_DIR'"
        echo "hot_standby = on"
        echo "hba_file = '$DATA/pg_hba.conf'"
        echo "ident_file = '$DATA/pg_ident.conf'"
        echo "cluster_name = 'okr_bench_replica'"
        primary_sql "SELECT format('%s = %L', name, CASE unit
                                  WHEN '8kB' THEN setting::bigint * 8 || 'kB'
                                  ELSE setting || COALESCE(unit, '') END)
                       FROM pg_settings
                      WHERE name IN ('max_connections', 'max_worker_processes',
                                     'max_wal_senders', 'max_prepared_transactions',
                                     'max_locks_per_transaction', 'shared_buffers',
                                     'work_mem', 'effective_cache_size', 'jit',
                                     'max_parallel_workers_per_gather', 'TimeZone',
                                     'lc_messages', 'lc_monetary', 'lc_numeric',
                                     'lc_time', 'DateStyle',
                                     'default_text_search_config')"
    } >"$DATA/postgresql.conf"
    cat >"$DATA/pg_hba.conf" <<EOF
# Written by tests/replica.sh: local peers and loopback clients, read-only.
local all all peer
host  all all 127.0.0.1/32 trust
EOF
    : >"$DATA/pg_ident.conf"
    chown postgres: "$DATA/postgresql.conf" "$DATA/pg_hba.conf" "$DATA/pg_ident.conf"
    as_postgres "$(pg_bin)/pg_ctl" -D "$DATA" -l "$LOG" -w start >/dev/null
    echo "replica up on 127.0.0.1:$REPLICA_PORT, in recovery: $(replica_sql "SELECT pg_is_in_recovery()")"
    status
}

status() {
    if ! running; then
        echo "replica not running ($DATA)"
        return 1
    fi
    echo "replica on port $REPLICA_PORT: in recovery $(replica_sql "SELECT pg_is_in_recovery()"), replay lag $(replica_sql "SELECT COALESCE(now() - pg_last_xact_replay_timestamp(), '0')")"
    primary_sql "SELECT 'primary sees: ' || application_name || ' ' || state || ', ' || sync_state FROM pg_stat_replication"
}

down() {
    if running; then
        as_postgres "$(pg_bin)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
        echo "replica stopped"
    fi
    rm -rf "$DATA" "$LOG"
    rmdir "$REPLICA_DIR" 2>/dev/null || true
    echo "replica removed ($REPLICA_DIR)"
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
*)
    echo "usage: $0 up|status|down" >&2
    exit 2
    ;;
esac
