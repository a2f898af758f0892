#!/usr/bin/env bash
# Creates the schema on the first start of the postgres container (empty data volume): the
# image runs the scripts in /docker-entrypoint-initdb.d once, against POSTGRES_DB, before it
# accepts connections over TCP.
#
# It applies sql/postgres/*.sql (mounted at /sql) in order, unchanged: the same files the local
# stack runs (flinkfast.stack.init_database). 002_roles.sql reads FLINK_DB_USER and
# FLINK_DB_PASSWORD from this environment with psql's \getenv, so no credential is written here
# or on a command line. To apply the files again on a running container (they are idempotent):
#   docker exec postgres bash /docker-entrypoint-initdb.d/initdb.sh
#
# No `set -u` and no `exit`: the image sources this file instead of running it when the file
# is not executable (e.g. after a checkout that dropped the mode bit).
set -eo pipefail

for sql in /sql/postgres/*.sql; do
    echo "initdb.sh: applying ${sql}"
    psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" -f "${sql}"
done
