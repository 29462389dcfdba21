#!/usr/bin/env bash
# The README's "run" command: create or update the demo database (OKR_DB, default
# okr_demo) with the addon and its demo data, then serve it on http://localhost:8069
# (log in as admin / admin). Extra arguments go to the server, e.g. --http-port=8070.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB=${OKR_DB:-okr_demo}

# Fail early with a clear message when a prerequisite is missing.
require_odoo
ensure_postgres
ADDONS_PATH=$(addons_path)
addon_dir "$ADDONS_PATH" >/dev/null
odoo_args=(-d "$DB" --addons-path="$ADDONS_PATH")

# Install on a new database (Odoo 18 loads demo data there), update where installed.
case $(module_state "$DB") in
installed | "to upgrade") mode=-u ;;
*) mode=-i ;;
esac
step "$mode $ADDON on database $DB"
python3 -m odoo "${odoo_args[@]}" "$mode" "$ADDON" --stop-after-init --no-http

# A fresh database already has admin / admin; an older one may not.
step "Setting the admin password to 'admin'"
python3 -m odoo shell "${odoo_args[@]}" --no-http --log-level=warn <<'EOF'
env.ref("base.user_admin").password = "admin"
env.cr.commit()
EOF

step "Serving $DB (log in as admin / admin)"
exec python3 -m odoo "${odoo_args[@]}" "$@"
