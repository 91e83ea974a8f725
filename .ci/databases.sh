#!/usr/bin/env bash
# Sourced by .ci/run: the database topologies the tests run through besides the machine's PostgreSQL.
#  - PgBouncer (Debian's package) in transaction mode on 127.0.0.1:$HUB_CI_PGBOUNCER_PORT, in front of
#    the machine's PostgreSQL at 127.0.0.1:5432 (every database name, trust auth as the server has).
#  - A private primary (127.0.0.1:$HUB_CI_PRIMARY_PORT) and its streaming replica, built with pg_basebackup
#    (127.0.0.1:$HUB_CI_REPLICA_PORT), data under /tmp, run as the postgres OS user. Private, so that the
#    machine's server needs no replication entry in its pg_hba.conf.
# Exports HUB_TEST_PGBOUNCER_URL, HUB_TEST_PRIMARY_URL and HUB_TEST_REPLICA_URL for the tests; `ci_databases_stop`
# stops all three.
set -euo pipefail

HUB_CI_PGBOUNCER_PORT="${HUB_CI_PGBOUNCER_PORT:-6432}"
HUB_CI_PRIMARY_PORT="${HUB_CI_PRIMARY_PORT:-5442}"
HUB_CI_REPLICA_PORT="${HUB_CI_REPLICA_PORT:-5443}"
CI_DB_DIR="$(mktemp -d /tmp/hub-ci-databases.XXXXXX)"
chmod 755 "$CI_DB_DIR"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_postgres() { runuser -u postgres -- "$@"; }

if ! command -v pgbouncer >/dev/null; then
  echo "   installing pgbouncer (Debian)"
  (apt-get install -y -q pgbouncer >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q pgbouncer >/dev/null)
fi
pgbouncer --version | head -1

mkdir -p "$CI_DB_DIR/pgbouncer"
cat > "$CI_DB_DIR/pgbouncer/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $HUB_CI_PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $CI_DB_DIR/pgbouncer/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
server_idle_timeout = 10
ignore_startup_parameters = extra_float_digits
pidfile = $CI_DB_DIR/pgbouncer/pgbouncer.pid
logfile = $CI_DB_DIR/pgbouncer/pgbouncer.log
INI
echo '"postgres" ""' > "$CI_DB_DIR/pgbouncer/userlist.txt"
chown -R postgres "$CI_DB_DIR"
as_postgres pgbouncer -d "$CI_DB_DIR/pgbouncer/pgbouncer.ini"

echo "   primary on $HUB_CI_PRIMARY_PORT, streaming replica on $HUB_CI_REPLICA_PORT ($PGBIN)"
as_postgres "$PGBIN/initdb" -D "$CI_DB_DIR/primary" -U postgres --auth=trust >/dev/null
cat >> "$CI_DB_DIR/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $HUB_CI_PRIMARY_PORT
unix_socket_directories = '$CI_DB_DIR'
wal_level = replica
max_wal_senders = 5
fsync = off
CONF
echo "host replication postgres 127.0.0.1/32 trust" >> "$CI_DB_DIR/primary/pg_hba.conf"
as_postgres "$PGBIN/pg_ctl" -D "$CI_DB_DIR/primary" -l "$CI_DB_DIR/primary.log" -w start >/dev/null
as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$HUB_CI_PRIMARY_PORT" -U postgres -D "$CI_DB_DIR/replica" -R -X stream
as_postgres "$PGBIN/pg_ctl" -D "$CI_DB_DIR/replica" -l "$CI_DB_DIR/replica.log" -o "-p $HUB_CI_REPLICA_PORT" -w start >/dev/null
as_postgres psql -h 127.0.0.1 -p "$HUB_CI_REPLICA_PORT" -U postgres -d postgres -Atc \
  "select 'replica in recovery: ' || pg_is_in_recovery() || ', receiver ' || coalesce((select status from pg_stat_wal_receiver), 'none')"

ci_databases_stop() {
  as_postgres "$PGBIN/pg_ctl" -D "$CI_DB_DIR/replica" -m immediate stop >/dev/null 2>&1 || true
  as_postgres "$PGBIN/pg_ctl" -D "$CI_DB_DIR/primary" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$CI_DB_DIR/pgbouncer/pgbouncer.pid" ]; then kill "$(cat "$CI_DB_DIR/pgbouncer/pgbouncer.pid")" 2>/dev/null || true; fi
  rm -rf "$CI_DB_DIR"
}

export HUB_TEST_PGBOUNCER_URL="postgresql+asyncpg://postgres@127.0.0.1:$HUB_CI_PGBOUNCER_PORT/"
export HUB_TEST_PRIMARY_URL="postgresql+asyncpg://postgres@127.0.0.1:$HUB_CI_PRIMARY_PORT/postgres"
export HUB_TEST_REPLICA_URL="postgresql+asyncpg://postgres@127.0.0.1:$HUB_CI_REPLICA_PORT/postgres"
