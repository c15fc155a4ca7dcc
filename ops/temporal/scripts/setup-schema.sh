#!/bin/sh
# Creates Temporal's two databases in Postgres and brings their schemas up to the image's version.
# Safe to run again: create is skipped when the database exists, update-schema only moves forward.
set -eu
SQL="temporal-sql-tool --plugin postgres12 --ep ${POSTGRES_SEEDS} -p ${DB_PORT} -u ${POSTGRES_USER}" # password: SQL_PASSWORD
SCHEMA=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=$([ "$db" = temporal ] && echo temporal || echo visibility)
  $SQL --db "$db" create 2>/dev/null || echo "database $db exists"
  $SQL --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db already set up"
  $SQL --db "$db" update-schema -d "$SCHEMA/$dir/versioned"
done
echo 'Temporal schema ready'
