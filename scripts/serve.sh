#!/usr/bin/env bash
# Run the standalone registry server on the embedded SQLite default (./g2p_registry.db).
# Installs what it needs on first use. Extra arguments go to `g2p-registry serve`
# (for example --port 8080 --workers 2); G2P_* variables configure it (see README).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv
cd "$ROOT"
exec "$VENV/bin/python" -m g2p_registry_server serve "$@"
