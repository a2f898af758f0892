#!/usr/bin/env bash
# The schema step, the JobManager's init container `schema` (flinkdeployment.yaml): applies sql/postgres to the CloudNativePG
# cluster the way the local stack and compose's docker/postgres/initdb.sh do: every file of
# SQL_DIR in order, unchanged, in one transaction (psql -1), stopping at the first error.
#
# Where and as whom: libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE and
# PGSSLROOTCERT (the superuser, over TLS with the server's certificate checked). What the files
# read with \getenv (FLINK_DB_USER, FLINK_DB_PASSWORD, READER_DB_USER, READER_DB_PASSWORD) is in
# the environment too: no credential on a command line or in a file.
#
# Exit codes: 0 applied; 2 a variable the files read is missing or empty; 3 PostgreSQL did not
# answer within WAIT_S seconds (default 600); psql's own code when a statement fails.
set -euo pipefail

sql_dir=${SQL_DIR:-/sql/postgres}
shopt -s nullglob
files=("${sql_dir}"/*.sql)
if [ "${#files[@]}" -eq 0 ]; then
    echo "apply-schema: no .sql file in ${sql_dir}" >&2
    exit 2
fi

# Every variable the files read with \getenv must be set and not empty (an empty password would
# clear the role's password; 002_roles.sql refuses it too). The list comes from the files.
missing=0
for var in $(sed -n 's/^\\getenv [A-Za-z_][A-Za-z0-9_]* \([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*$/\1/p' \
                 "${files[@]}" | sort -u); do
    if [ -z "${!var:-}" ]; then
        echo "apply-schema: ${var} is not set or empty (sql/postgres reads it; see docs/kubernetes.md)" >&2
        missing=1
    fi
done
[ "${missing}" -eq 0 ] || exit 2

# The primary may still be starting (or its Secrets still being made): wait for it.
deadline=$((SECONDS + ${WAIT_S:-600}))
until pg_isready -q -t 5; do
    if [ "${SECONDS}" -ge "${deadline}" ]; then
        echo "apply-schema: PostgreSQL at ${PGHOST:-?}:${PGPORT:-5432} not ready after ${WAIT_S:-600} s" >&2
        exit 3
    fi
    sleep 5
done

args=()
for sql in "${files[@]}"; do
    echo "apply-schema: applying ${sql##*/}"
    args+=(-f "${sql}")
done
# The last statement is CloudNativePG's, not the project's: 002_roles.sql takes CONNECT on the
# `postgres` database from PUBLIC, and CloudNativePG's streaming_replica needs it there to run
# pg_rewind when a former primary rejoins after a failover.
# The first statement takes a transaction-scoped advisory lock: two JobManagers (prod's standby)
# starting at once apply the files one after the other, never interleaved.
psql -X -q -1 -v ON_ERROR_STOP=1 -c 'DO $$BEGIN PERFORM pg_advisory_xact_lock(7274801); END$$' "${args[@]}" \
    -c 'GRANT CONNECT ON DATABASE postgres TO streaming_replica'
echo "apply-schema: done"
