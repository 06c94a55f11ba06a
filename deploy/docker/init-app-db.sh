#!/bin/sh
# First start of the postgres container: the app database and its owner, apart from Dagster's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE reports LOGIN PASSWORD :'pw';
CREATE DATABASE reports OWNER reports;
SQL
