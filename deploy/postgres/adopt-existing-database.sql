-- For a database created before the service had its own roles (docker-compose.yml's first form, where the
-- service connected as the superuser that owns everything): hand the service's tables and functions to
-- iom_owner. Run as that superuser after deploy/postgres/initdb/10-roles.sh has created the roles
-- (docs/deployment.md, "An existing database"); then `manage.py grant_app_role iom_app --apply` as iom_owner.
-- Identity sequences belong to their tables and move with them.
\set ON_ERROR_STOP on
BEGIN;
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER TABLE public.%I OWNER TO iom_owner', item.tablename);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS signature
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO iom_owner', item.signature);
    END LOOP;
END
$$;
COMMIT;
