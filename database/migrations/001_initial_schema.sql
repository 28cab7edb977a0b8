-- 001_initial_schema.sql — ECG Render System, requirement RDS-5.
--
-- Target: PostgreSQL 15 (gen_random_uuid() is built in since 13, so no
-- pgcrypto extension is needed).
--
-- IDEMPOTENT: applying this file to a database that already has it succeeds
-- and changes nothing. Every object is created with IF NOT EXISTS and every
-- constraint is declared inside its CREATE TABLE, because PostgreSQL 15 has no
-- "ADD CONSTRAINT IF NOT EXISTS": a separate ALTER TABLE would fail (or, with
-- a DROP first, churn the catalogue) on the second run. The flip side: this
-- file only ever CREATES. A change to an existing table belongs in 002_*.sql,
-- never in an edit of this file (an edited CREATE TABLE IF NOT EXISTS would
-- silently do nothing on databases that already ran 001).
--
-- Apply with: psql -v ON_ERROR_STOP=1 -f 001_initial_schema.sql
-- (without ON_ERROR_STOP psql carries on after an error inside the
-- transaction and the failure is easy to miss).

BEGIN;

-- Two deploys starting at once (e.g. two ECS tasks running migrations) would
-- race on CREATE TABLE IF NOT EXISTS: both see "not exists", one fails with a
-- duplicate pg_type error. A transaction-scoped advisory lock serializes them;
-- the second waits, then finds everything in place. The key is an arbitrary
-- constant reserved for schema migrations of this system.
SELECT pg_advisory_xact_lock(7300500101);

-- Ledger of applied migrations. `version` is text, not an integer, so that
-- '001' keeps its zero padding and sorts like the file names.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text        PRIMARY KEY,
    applied_at timestamptz DEFAULT now()
);

-- ---------------------------------------------------------------------------
-- user_videos: one row per ECG video a user uploaded.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS user_videos (
    -- uuid rather than a sequence: video ids appear in API URLs and S3 key
    -- names, and must not be guessable or leak upload volume.
    id                uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- The user's id as issued by the identity provider (e.g. a Cognito `sub`).
    -- There is no users table in this database, hence no foreign key.
    user_id           text        NOT NULL,
    original_filename text        NOT NULL,
    -- S3 object key of the upload. Unique: two rows must never claim (and
    -- later delete) the same object.
    upload_s3_key     text        NOT NULL,
    content_type      text        NOT NULL,
    size_bytes        bigint      NOT NULL,
    -- NULL until the upload has been probed (ffprobe) after arrival.
    duration_seconds  numeric(10, 3),
    status            text        NOT NULL DEFAULT 'uploaded',
    -- Free-form probe output (codec, resolution, fps, sample rate, ...).
    metadata          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- Set by the application on every UPDATE (no trigger: a trigger cannot be
    -- created idempotently without CREATE OR REPLACE churning its OID).
    updated_at        timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT user_videos_pkey PRIMARY KEY (id),
    CONSTRAINT user_videos_upload_s3_key_key UNIQUE (upload_s3_key),
    CONSTRAINT user_videos_user_id_check CHECK (length(user_id) BETWEEN 1 AND 128),
    CONSTRAINT user_videos_original_filename_check CHECK (length(original_filename) BETWEEN 1 AND 255),
    -- Uploads live under uploads/ only; the bucket policies and lifecycle
    -- rules are per prefix, so a key elsewhere would escape them.
    CONSTRAINT user_videos_upload_s3_key_check CHECK (upload_s3_key ~ '^uploads/.+'),
    CONSTRAINT user_videos_content_type_check CHECK (content_type ~ '^video/[a-z0-9.+-]+$'),
    CONSTRAINT user_videos_size_bytes_check CHECK (size_bytes > 0),
    CONSTRAINT user_videos_duration_seconds_check CHECK (duration_seconds > 0),
    -- 'deleted' is a soft delete: the row stays until a purge job has removed
    -- the S3 objects and the render jobs (see render_jobs.video_id).
    CONSTRAINT user_videos_status_check CHECK (status IN ('uploaded', 'analyzing', 'analyzed', 'failed', 'deleted')),
    -- An object, never a bare array/scalar: readers do metadata->>'fps'.
    CONSTRAINT user_videos_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT user_videos_updated_at_check CHECK (updated_at >= created_at)
);

-- "My videos, newest first": the user's listing page.
CREATE INDEX IF NOT EXISTS user_videos_user_id_created_at_idx
    ON user_videos (user_id, created_at DESC);

-- ---------------------------------------------------------------------------
-- ml_analysis: result of the ML audio analysis (Celery task) of one video.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS ml_analysis (
    -- Internal rows, never exposed by id: a compact identity is enough.
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    -- ON DELETE CASCADE: an analysis is derived data of its video and means
    -- nothing without it; deleting the video must take its analyses along.
    video_id        uuid        NOT NULL,
    -- Celery task id (a uuid string); NULL until the task has been enqueued.
    celery_task_id  text,
    model_name      text        NOT NULL,
    model_version   text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending',
    -- Detected heart rate. numeric, not real: it is shown to users and
    -- compared exactly in tests; 20..300 bpm covers every physiological ECG.
    heart_rate_bpm  numeric(5, 1),
    -- Model confidence in [0, 1].
    confidence      real,
    -- Free-form model output (segments, anomaly labels, per-window scores).
    result          jsonb,
    -- Where the analysis artefacts (spectrogram, annotated audio) were written.
    output_s3_key   text,
    error_message   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    completed_at    timestamptz,

    CONSTRAINT ml_analysis_pkey PRIMARY KEY (id),
    CONSTRAINT ml_analysis_video_id_fkey FOREIGN KEY (video_id)
        REFERENCES user_videos (id) ON DELETE CASCADE,
    -- One analysis per video and model version: a retry updates the row rather
    -- than piling up duplicates. A new model version gets a new row, so old
    -- and new results can be compared.
    CONSTRAINT ml_analysis_video_model_key UNIQUE (video_id, model_name, model_version),
    CONSTRAINT ml_analysis_celery_task_id_key UNIQUE (celery_task_id),
    CONSTRAINT ml_analysis_status_check CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
    CONSTRAINT ml_analysis_heart_rate_bpm_check CHECK (heart_rate_bpm BETWEEN 20 AND 300),
    -- BETWEEN also rejects 'NaN' (PostgreSQL orders NaN above every number).
    CONSTRAINT ml_analysis_confidence_check CHECK (confidence BETWEEN 0 AND 1),
    CONSTRAINT ml_analysis_result_check CHECK (jsonb_typeof(result) = 'object'),
    CONSTRAINT ml_analysis_output_s3_key_check CHECK (output_s3_key ~ '^analyzed/.+'),
    -- A succeeded analysis has a result and a completion time; a failed one
    -- says why. Enforced here so no worker bug can record a silent success.
    CONSTRAINT ml_analysis_succeeded_check CHECK (
        status <> 'succeeded' OR (result IS NOT NULL AND completed_at IS NOT NULL)),
    CONSTRAINT ml_analysis_failed_check CHECK (
        status <> 'failed' OR error_message IS NOT NULL),
    CONSTRAINT ml_analysis_completed_at_check CHECK (completed_at >= started_at)
);

-- No separate index on ml_analysis(video_id): the unique index of
-- ml_analysis_video_model_key leads with video_id and serves both
-- "analyses of a video" and the ON DELETE CASCADE lookup.

-- ---------------------------------------------------------------------------
-- render_jobs: one GPU render (Celery job) of a video.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS render_jobs (
    -- uuid: job ids are returned to clients to poll, must not be guessable.
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    -- ON DELETE RESTRICT, deliberately not CASCADE: a job may be running on a
    -- GPU worker, and its rendered/ object exists in S3. Deleting the video
    -- must not make the job row vanish beneath the worker or orphan the S3
    -- object without a record. The purge job cancels/deletes the video's
    -- jobs (and their S3 objects) first, then deletes the video.
    video_id        uuid        NOT NULL,
    celery_task_id  text,
    status          text        NOT NULL DEFAULT 'queued',
    -- Render settings as requested (resolution, fps, theme, overlays).
    render_params   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- Fraction done in [0, 1] (not percent: one unit across all tables).
    progress        real        NOT NULL DEFAULT 0,
    -- Celery retries reuse the row and bump the attempt counter.
    attempt         smallint    NOT NULL DEFAULT 1,
    worker_hostname text,
    output_s3_key   text,
    error_message   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    completed_at    timestamptz,

    CONSTRAINT render_jobs_pkey PRIMARY KEY (id),
    CONSTRAINT render_jobs_video_id_fkey FOREIGN KEY (video_id)
        REFERENCES user_videos (id) ON DELETE RESTRICT,
    CONSTRAINT render_jobs_celery_task_id_key UNIQUE (celery_task_id),
    CONSTRAINT render_jobs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    CONSTRAINT render_jobs_render_params_check CHECK (jsonb_typeof(render_params) = 'object'),
    CONSTRAINT render_jobs_progress_check CHECK (progress BETWEEN 0 AND 1),
    CONSTRAINT render_jobs_attempt_check CHECK (attempt BETWEEN 1 AND 100),
    CONSTRAINT render_jobs_output_s3_key_check CHECK (output_s3_key ~ '^rendered/.+'),
    CONSTRAINT render_jobs_succeeded_check CHECK (
        status <> 'succeeded' OR (output_s3_key IS NOT NULL AND completed_at IS NOT NULL AND progress = 1)),
    CONSTRAINT render_jobs_failed_check CHECK (
        status <> 'failed' OR error_message IS NOT NULL),
    CONSTRAINT render_jobs_completed_at_check CHECK (completed_at >= started_at)
);

-- Queue and dashboard: "jobs in status X, oldest first".
CREATE INDEX IF NOT EXISTS render_jobs_status_created_at_idx
    ON render_jobs (status, created_at);
-- "Jobs of a video". Also required by the foreign key: PostgreSQL does not
-- index the referencing side, and without it every DELETE on user_videos
-- would scan render_jobs to enforce ON DELETE RESTRICT.
CREATE INDEX IF NOT EXISTS render_jobs_video_id_created_at_idx
    ON render_jobs (video_id, created_at DESC);

-- ---------------------------------------------------------------------------
-- phase2_metrics: samples of the Phase 2 streaming render pipeline.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS phase2_metrics (
    -- Append-only time series, high volume: bigint identity.
    id                   bigint      GENERATED ALWAYS AS IDENTITY,
    -- Nullable with ON DELETE SET NULL: pipeline metrics outlive the job.
    -- When a user's video and jobs are purged, the performance history
    -- (no personal data in it) stays for capacity planning and regressions.
    render_job_id        uuid,
    recorded_at          timestamptz NOT NULL DEFAULT now(),
    -- All ratios are fractions in [0, 1], not percent.
    -- Useful bytes / allocated bytes of the frame buffers.
    memory_efficiency    real,
    peak_memory_bytes    bigint,
    frames_total         integer,
    frames_dropped       integer,
    frame_drop_rate      real,
    -- Fraction of the job completed at recorded_at.
    job_completion_ratio real,
    throughput_fps       real,
    -- Free-form extras (per-stage timings, GPU model, queue depth).
    details              jsonb       NOT NULL DEFAULT '{}'::jsonb,

    CONSTRAINT phase2_metrics_pkey PRIMARY KEY (id),
    CONSTRAINT phase2_metrics_render_job_id_fkey FOREIGN KEY (render_job_id)
        REFERENCES render_jobs (id) ON DELETE SET NULL,
    CONSTRAINT phase2_metrics_memory_efficiency_check CHECK (memory_efficiency BETWEEN 0 AND 1),
    CONSTRAINT phase2_metrics_peak_memory_bytes_check CHECK (peak_memory_bytes >= 0),
    CONSTRAINT phase2_metrics_frames_check CHECK (
        frames_total >= 0 AND frames_dropped >= 0 AND frames_dropped <= frames_total),
    CONSTRAINT phase2_metrics_frame_drop_rate_check CHECK (frame_drop_rate BETWEEN 0 AND 1),
    CONSTRAINT phase2_metrics_job_completion_ratio_check CHECK (job_completion_ratio BETWEEN 0 AND 1),
    -- The upper bound is not about speed: for real/numeric PostgreSQL orders
    -- 'NaN' above 'Infinity', so a bare ">= 0" would accept NaN and Infinity
    -- from a worker dividing by a zero duration.
    CONSTRAINT phase2_metrics_throughput_fps_check CHECK (throughput_fps >= 0 AND throughput_fps < 'Infinity'),
    -- A sample with no measurement at all is a bug in the reporter.
    CONSTRAINT phase2_metrics_has_measurement_check CHECK (
        num_nonnulls(memory_efficiency, peak_memory_bytes, frames_total, frame_drop_rate,
                     job_completion_ratio, throughput_fps) > 0),
    CONSTRAINT phase2_metrics_details_check CHECK (jsonb_typeof(details) = 'object')
);

-- "Samples of a job over time". Also indexes the foreign key, so ON DELETE
-- SET NULL on render_jobs does not scan the whole metrics table.
CREATE INDEX IF NOT EXISTS phase2_metrics_render_job_id_recorded_at_idx
    ON phase2_metrics (render_job_id, recorded_at);
-- Dashboards over time ranges across all jobs. BRIN, not B-tree: rows are
-- appended in recorded_at order, so a BRIN index is a few pages instead of a
-- B-tree the size of a column copy, and still prunes time ranges well.
CREATE INDEX IF NOT EXISTS phase2_metrics_recorded_at_brin_idx
    ON phase2_metrics USING brin (recorded_at);

INSERT INTO schema_migrations (version) VALUES ('001')
    ON CONFLICT (version) DO NOTHING;

COMMIT;
