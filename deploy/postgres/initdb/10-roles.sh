#!/bin/sh
# The database roles of docs/deployment.md ("Database roles"), created once by the postgres image when its data
# directory is new (docker-entrypoint-initdb.d). The superuser (POSTGRES_USER) is for administration only:
#   iom_owner  owns the database and its tables, and runs the migrations;
#   iom_app    is what the service connects as; its privileges are granted by `manage.py grant_app_role iom_app
#              --apply` after each migration (docker-compose.yml's migrate service).
# Neither is a superuser, so neither can set session_replication_role; iom_app owns nothing, so it cannot
# disable the audit table's trigger.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_password="$IOM_OWNER_PASSWORD" -v app_password="$IOM_APP_PASSWORD" <<'SQL'
CREATE ROLE iom_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE iom_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'app_password';
-- The owner of the database owns its public schema too (PostgreSQL 15: pg_database_owner), so iom_owner may
-- create the tables; iom_app may only use the schema.
ALTER DATABASE :"DBNAME" OWNER TO iom_owner;
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO iom_app;
SQL
