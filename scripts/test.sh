#!/usr/bin/env bash
# Run every test: the standalone server on SQLite and on PostgreSQL (a private, throw-away
# cluster started here and removed afterwards), the conformance suite, the docs in headless
# Chromium, and the static checks of the Odoo addon (wrk for the concurrency benchmark), on two
# pytest workers per CPU. Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv test

postgres_bin=""
browser_ok=0
if ensure_debian_packages postgresql chromium wrk; then browser_ok=1; fi
for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ]; then postgres_bin="$candidate"; fi
done

# Throw-away databases, server logs and files in memory when the machine has a tmpfs: the tests
# then never wait on a shared disk (a killed server still finds what it wrote, as on a disk).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    MEMORY_TMP="$(mktemp -d /dev/shm/g2p-tests.XXXXXX)"
    chmod 1777 "$MEMORY_TMP"  # the PostgreSQL cluster below may run as the postgres user
    export TMPDIR="$MEMORY_TMP"
fi

cleanup() {
    if [ -n "${PG_ROOT:-}" ]; then
        run_as_postgres "$postgres_bin/pg_ctl" -D "$PG_ROOT/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PG_ROOT"
    fi
    if [ -n "${MEMORY_TMP:-}" ]; then rm -rf "$MEMORY_TMP"; fi
}
trap cleanup EXIT

run_as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ -n "$postgres_bin" ]; then
    PG_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/g2p-test-pg.XXXXXX")"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_ROOT"; fi
    port="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    run_as_postgres "$postgres_bin/initdb" -D "$PG_ROOT/data" -U g2p_test -A trust -E UTF8 >/dev/null
    run_as_postgres "$postgres_bin/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w \
        -o "-h 127.0.0.1 -p $port -k $PG_ROOT -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
    export G2P_TEST_POSTGRES_URL="postgresql+psycopg://g2p_test@127.0.0.1:$port/postgres"
    export G2P_REQUIRE_POSTGRES=1
else
    echo "PostgreSQL not found: PostgreSQL runs will be skipped." >&2
fi
if [ "$browser_ok" -eq 1 ]; then export G2P_REQUIRE_BROWSER=1; fi

cd "$ROOT"
# Two pytest workers per CPU (the tests wait on servers, subprocesses and clocks much of the time;
# measured: 9.9 minutes with 4 workers on 2 cores, 11.2 with 2, 20 in one process). A test file
# stays on one worker, so its module's servers start once. Arguments after these win: `-n 0`
# runs in one process.
workers=$(( $(nproc) * 2 ))
"$VENV/bin/python" -m pytest -n "$workers" --dist loadfile "$@"
