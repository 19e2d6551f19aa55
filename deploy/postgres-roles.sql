-- The two database roles of a deployment, so that the application cannot
-- disarm the guards its own records rely on.
--
--   owner role: owns the schema, the tables and the trigger functions; only
--               `manage.py migrate` connects as it (DATABASE_MIGRATE_URL).
--   app role:   what the web processes, the task workers and the scheduler
--               connect as (DATABASE_URL). It owns nothing, so it cannot ALTER
--               or DROP a table, disable or drop a trigger (the append-only
--               guards of versions, history, signatures, audit and Stripe
--               events), nor TRUNCATE: it may only read and write rows, which
--               the triggers check. No superuser, so no
--               `session_replication_role = replica` either.
--
-- Run by a superuser, connected to the application's database, with psql
-- (docker-compose.yml's `db-roles` service does; so do the tests):
--
--   psql "postgres://superuser@db:5432/portal" -v ON_ERROR_STOP=1 \
--     -v owner_role=portal_owner -v owner_password="$PORTAL_OWNER_PASSWORD" \
--     -v app_role=portal_app -v app_password="$PORTAL_APP_PASSWORD" \
--     -f deploy/postgres-roles.sql
--
-- Safe to run again (every start of the compose file does): it makes what is
-- missing, sets the passwords, and takes over tables that an earlier install
-- migrated as another role. Then `migrate` runs as the owner role, and every
-- table it makes is granted to the app role by default.

\set ON_ERROR_STOP on

-- The roles: made once, their attributes and passwords set on every run.
SELECT format('CREATE ROLE %I LOGIN', :'owner_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec

ALTER ROLE :"owner_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE :"app_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'app_password';
-- The app role is never the owner under another name.
SELECT format('REVOKE %I FROM %I', :'owner_role', :'app_role')
WHERE EXISTS (
    SELECT FROM pg_auth_members
    WHERE roleid = (SELECT oid FROM pg_roles WHERE rolname = :'owner_role')
      AND member = (SELECT oid FROM pg_roles WHERE rolname = :'app_role')
) \gexec

-- The database and its schema belong to the owner; nobody else creates in it.
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner_role')
\gexec
ALTER SCHEMA public OWNER TO :"owner_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I',
              current_database(), :'app_role') \gexec
GRANT USAGE ON SCHEMA public TO :"app_role";

-- What an earlier install made as another role (a superuser, say): the
-- owner's now, tables with their sequences, and the trigger functions.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner_role')
FROM pg_tables
WHERE schemaname = 'public' AND tableowner <> :'owner_role' \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner_role')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner_role' \gexec

-- The app role reads and writes rows, nothing more: no TRUNCATE, no
-- REFERENCES, no TRIGGER; the same for every table migrations make later.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public
    TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
