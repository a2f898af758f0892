#!/usr/bin/env bash
# The schema step: applies sql/postgres to the CloudNativePG cluster the way the local stack and
# compose's docker/postgres/initdb.sh do: every file of SQL_DIR in order, unchanged, in one
# transaction (psql -1), stopping at the first error. Three ways to run it:
#   apply-schema.sh [apply]  apply, exit.
#   apply-schema.sh serve    apply, then write APPLIED_FILE and stay (the Deployment
#                            flinkfast-schema, schema.yaml: a changed schema, script, setting or
#                            image changes its pod template, and a Deployment rolls it out again;
#                            a Job's template is immutable, a re-apply would be refused).
#   apply-schema.sh wait     apply nothing: wait until the database says this very schema was
#                            applied (the JobManagers' init container `wait-for-schema`,
#                            flinkdeployment.yaml: the job never starts before its schema).
# The marker: the applying transaction ends by setting the database's comment to
# "flinkfast-schema sha256:<digest of the SQL files, concatenated in order>"; `wait` computes the
# same digest from its own copy of the files (the same ConfigMap) and reads the comment, which
# any role that may connect can read. The waiting side needs no superuser: it connects as the
# writer, whose password the JobManager has anyway.
#
# Where and as whom: libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE and
# PGSSLROOTCERT, PGCHANNELBINDING=require (to apply: the superuser; to wait: the writer; over TLS,
# the server's certificate checked, the password's SCRAM proof bound to that connection: a server
# whose certificate was forged from the CA gets nothing usable). What the files
# read with \getenv (FLINK_DB_USER, FLINK_DB_PASSWORD, READER_DB_USER, READER_DB_PASSWORD) is in
# the environment too: no credential on a command line or in a file.
#
# Exit codes: 0 applied (or, waiting, found applied); 2 a variable the files read is missing or
# empty, or an unknown mode; 3 PostgreSQL did not answer, or (waiting) the schema was not applied,
# within WAIT_S seconds (default 600); psql's own code when a statement fails.
set -euo pipefail

mode=${1:-apply}
case "${mode}" in
    apply|serve|wait) ;;
    *) echo "apply-schema: unknown mode ${mode} (apply, serve or wait)" >&2; exit 2 ;;
esac

sql_dir=${SQL_DIR:-/sql/postgres}
shopt -s nullglob
files=("${sql_dir}"/*.sql)
if [ "${#files[@]}" -eq 0 ]; then
    echo "apply-schema: no .sql file in ${sql_dir}" >&2
    exit 2
fi
digest=$(cat "${files[@]}" | sha256sum | cut -d' ' -f1)
marker="flinkfast-schema sha256:${digest}"
deadline=$((SECONDS + ${WAIT_S:-600}))

if [ "${mode}" = wait ]; then
    query="SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
    until [ "$(psql -X -A -t -q -c "${query}" 2>/dev/null || true)" = "${marker}" ]; do
        if [ "${SECONDS}" -ge "${deadline}" ]; then
            echo "apply-schema: the schema ${digest} is not applied at ${PGHOST:-?}:${PGPORT:-5432} after ${WAIT_S:-600} s (is the Deployment flinkfast-schema running?)" >&2
            exit 3
        fi
        sleep 5
    done
    echo "apply-schema: the schema ${digest} is applied"
    exit 0
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
# The statement after the files is CloudNativePG's, not the project's: 002_roles.sql takes CONNECT on the
# `postgres` database from PUBLIC, and CloudNativePG's streaming_replica needs it there to run
# pg_rewind when a former primary rejoins after a failover.
# The first statement takes a transaction-scoped advisory lock: two schema pods (an old one
# restarting while a new one rolls out) apply the files one after the other, never interleaved.
# The very last, in the same transaction: the marker the JobManagers wait for (the digest is hex).
psql -X -q -1 -v ON_ERROR_STOP=1 -c 'DO $$BEGIN PERFORM pg_advisory_xact_lock(7274801); END$$' "${args[@]}" \
    -c 'GRANT CONNECT ON DATABASE postgres TO streaming_replica' \
    -c "DO \$\$BEGIN EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), '${marker}'); END\$\$"
echo "apply-schema: done (${marker})"
if [ "${mode}" = serve ]; then
    touch "${APPLIED_FILE:-/run/flinkfast/applied}"
    exec sleep infinity
fi
