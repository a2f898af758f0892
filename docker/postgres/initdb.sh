#!/usr/bin/env bash
# Creates the schema and the roles on the first start of the postgres container (empty data
# volume): the image runs the scripts in /docker-entrypoint-initdb.d once, against POSTGRES_DB,
# before it accepts connections over TCP.
#
# It applies sql/postgres/*.sql (mounted at /sql) in order, unchanged, in one transaction: the
# same files, applied the same way, as the local stack (flinkfast.stack init_database: psql -1),
# so a re-apply on a live stack never leaves a half-applied schema and a failing file changes
# nothing. 002_roles.sql reads FLINK_DB_USER, FLINK_DB_PASSWORD, READER_DB_USER and
# READER_DB_PASSWORD from this environment with psql's \getenv (docker-compose.yml passes them
# from .env), so no credential is written here or on a command line. POSTGRES_USER (the
# superuser) applies them and is used for nothing else. To apply the files again on a running
# container (they are idempotent; e.g. after an upgrade that adds a role):
#   docker exec postgres bash /docker-entrypoint-initdb.d/initdb.sh
#
# No `set -u` and no `exit`: the image sources this file instead of running it when the file
# is not executable (e.g. after a checkout that dropped the mode bit); names are prefixed
# initdb_ so that sourcing clobbers nothing of the entrypoint's.
set -eo pipefail

# Every variable the files read with \getenv must be set and not empty: an unset one fails with a
# bare SQL syntax error, an empty password would clear that role's password. The list comes from
# the files themselves, so a role added there is checked here too.
for initdb_var in $(sed -n 's/^\\getenv [A-Za-z_][A-Za-z0-9_]* \([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*$/\1/p' \
                        /sql/postgres/*.sql | sort -u); do
    if [ -z "${!initdb_var:-}" ]; then
        echo "initdb.sh: ${initdb_var} is not set or empty in the postgres container (sql/postgres reads it;" \
             "docker-compose.yml passes it from .env)" >&2
        false
    fi
done

initdb_args=()
for sql in /sql/postgres/*.sql; do
    echo "initdb.sh: applying ${sql}"
    initdb_args+=(-f "${sql}")
done
psql -X -q -1 -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    "${initdb_args[@]}"
