-- 002_app_role.sql — the Backend API's own database user (SEC-1).
--
-- The API connects as ecg_app with IAM database authentication: on RDS,
-- membership of rds_iam makes the user log in with short-lived IAM tokens
-- (the task role's rds-db:connect grant) instead of a password, so the API
-- never holds a database password. It may read and write rows, nothing else:
-- no DDL, no ownership. The master user (whose password RDS keeps and rotates
-- in Secrets Manager) is for migrations only.
--
-- Idempotent like 001: every statement may run again without effect.

BEGIN;

SELECT pg_advisory_xact_lock(7300500101);

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ecg_app') THEN
    CREATE ROLE ecg_app LOGIN;
  END IF;
  -- rds_iam exists on RDS only; elsewhere (tests, a local server) the user
  -- simply has no password to log in with.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO ecg_app;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO ecg_app', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO ecg_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON render_jobs, ml_analysis, user_videos, phase2_metrics TO ecg_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ecg_app;

INSERT INTO schema_migrations (version) VALUES ('002') ON CONFLICT (version) DO NOTHING;

COMMIT;
