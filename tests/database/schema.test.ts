import { join } from "node:path";
import { startPostgres, type PostgresServer } from "./postgres";

// RDS-5: the database schema as a versioned, idempotent SQL migration, applied
// to a real PostgreSQL 15 server (throwaway, loopback only; see ./postgres.ts).
const MIGRATION = join(__dirname, "..", "..", "database", "migrations", "001_initial_schema.sql");
const TABLES = ["ml_analysis", "phase2_metrics", "render_jobs", "schema_migrations", "user_videos"];

let db: PostgresServer | undefined;

function pg(): PostgresServer {
  if (!db) throw new Error("the PostgreSQL server did not start (see beforeAll)");
  return db;
}

const apply = () => pg().psql({ file: MIGRATION });

/**
 * Everything the migration defines, one line per object, sorted: relations
 * with their OIDs and file nodes (a DROP + CREATE or a table rewrite changes
 * them), columns, indexes, constraints, triggers (the foreign keys' internal
 * ones) and the migration ledger including applied_at.
 */
const CATALOGUE = `
SELECT line FROM (
  SELECT format('relation %s kind=%s oid=%s filenode=%s', c.relname, c.relkind, c.oid, c.relfilenode) AS line
    FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('column %s.%s #%s %s nullable=%s default=%s identity=%s', table_name, column_name,
                ordinal_position, data_type, is_nullable, coalesce(column_default, '-'), is_identity)
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL
  SELECT format('index %s %s', indexname, indexdef) FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL
  SELECT format('constraint %s.%s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('trigger %s.%s', t.tgrelid::regclass, t.tgname)
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('migration %s applied_at=%s', version, applied_at) FROM schema_migrations
) catalogue ORDER BY line;`;

const catalogue = async () => (await pg().psql(CATALOGUE)).split("\n");

/** Inserts a valid video (and, if asked, a render job of it); returns their ids. */
async function fixture(): Promise<{ videoId: string; jobId: string }> {
  const [videoId, jobId] = (
    await pg().psql(`
      WITH video AS (
        INSERT INTO user_videos (user_id, original_filename, upload_s3_key, content_type, size_bytes)
        VALUES ('fixture-user', 'fixture.mp4', 'uploads/fixture/' || gen_random_uuid() || '.mp4', 'video/mp4', 1024)
        RETURNING id)
      , job AS (INSERT INTO render_jobs (video_id) SELECT id FROM video RETURNING id, video_id)
      SELECT video_id || E'\\n' || id FROM job;`)
  ).split("\n");
  return { videoId, jobId };
}

beforeAll(async () => {
  db = await startPostgres();
  await apply();
}, 60_000);

afterAll(() => {
  db?.stop();
});

describe("[RDS-5] database schema migration 001_initial_schema.sql", () => {
  it("[RDS-5] runs against a real PostgreSQL 15+ server that listens on 127.0.0.1 only", async () => {
    const [versionNum, listen] = (
      await pg().psql("SELECT current_setting('server_version_num'), current_setting('listen_addresses');")
    ).split("|");
    expect(Number(versionNum)).toBeGreaterThanOrEqual(150000);
    expect(listen).toBe("127.0.0.1");
  });

  it("[RDS-5] creates the four tables, schema_migrations and the indexes for the obvious queries", async () => {
    const tables = await pg().psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;");
    expect(tables.split("\n")).toEqual(TABLES);

    const indexes = (await pg().psql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public';")).split("\n");
    // jobs by status and created_at, jobs of a video, videos by user, metrics by job and time.
    expect(indexes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ON public\.render_jobs USING btree \(status, created_at\)$/),
        expect.stringMatching(/ON public\.render_jobs USING btree \(video_id, created_at DESC\)$/),
        expect.stringMatching(/ON public\.user_videos USING btree \(user_id, created_at DESC\)$/),
        expect.stringMatching(/ON public\.phase2_metrics USING btree \(render_job_id, recorded_at\)$/),
        expect.stringMatching(/ON public\.phase2_metrics USING brin \(recorded_at\)$/),
        expect.stringMatching(/ON public\.ml_analysis USING btree \(video_id, model_name, model_version\)$/),
      ]),
    );
  });

  it("[RDS-5] declares the foreign keys with deliberate ON DELETE behaviour", async () => {
    const fks = await pg().psql(`
      SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
      WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1;`);
    expect(fks.split("\n")).toEqual([
      "ml_analysis FOREIGN KEY (video_id) REFERENCES user_videos(id) ON DELETE CASCADE",
      "phase2_metrics FOREIGN KEY (render_job_id) REFERENCES render_jobs(id) ON DELETE SET NULL",
      "render_jobs FOREIGN KEY (video_id) REFERENCES user_videos(id) ON DELETE RESTRICT",
    ]);
  });

  it("[RDS-5] is idempotent: a second application succeeds and leaves the catalogue unchanged", async () => {
    const before = await catalogue();
    // The comparison is only worth something if it sees the schema.
    const tables = before.flatMap((line) => /^relation (\w+) kind=r /.exec(line)?.[1] ?? []);
    expect(tables).toEqual(TABLES);
    expect(before.filter((line) => line.startsWith("constraint ")).length).toBeGreaterThan(30);
    expect(before.filter((line) => line.startsWith("index ")).length).toBeGreaterThanOrEqual(11);

    // Nothing on stdout but the advisory lock's void row (-q hides command tags; NOTICEs go to stderr).
    await expect(apply()).resolves.toBe("");

    expect(await catalogue()).toEqual(before);
  });

  it("[RDS-5] records version '001' in schema_migrations exactly once, however often it is applied", async () => {
    await apply();
    expect(await pg().psql("SELECT version || '|' || count(*) FROM schema_migrations GROUP BY version;")).toBe("001|1");
  });

  it("[RDS-5] stores a realistic upload → ML analysis → GPU render → Phase 2 metrics chain through the foreign keys", async () => {
    const videoId = await pg().psql(`
      WITH video AS (
        INSERT INTO user_videos (user_id, original_filename, upload_s3_key, content_type, size_bytes,
                                 duration_seconds, status, metadata)
        VALUES ('3f9c2a7e-1b4d-4e8f-9a6c-5d2e8b7f0a13', 'holter-lead-II-2024-05-14.mp4',
                'uploads/3f9c2a7e-1b4d-4e8f-9a6c-5d2e8b7f0a13/holter-lead-II-2024-05-14.mp4', 'video/mp4',
                48234112, 62.480, 'analyzed',
                '{"codec": "h264", "fps": 29.97, "width": 1920, "height": 1080, "audio_sample_rate": 44100}')
        RETURNING id)
      , analysis AS (
        INSERT INTO ml_analysis (video_id, celery_task_id, model_name, model_version, status, heart_rate_bpm,
                                 confidence, result, output_s3_key, started_at, completed_at)
        SELECT id, 'c1d2e3f4-0a1b-4c2d-8e3f-a4b5c6d7e8f9', 'ecg-audio-cnn', '2.3.1', 'succeeded', 72.5, 0.94,
               '{"rhythm": "sinus", "anomalies": [], "windows": 124}',
               'analyzed/' || id || '/ecg-audio-cnn-2.3.1.json', now() - interval '40 seconds', now()
        FROM video RETURNING video_id)
      , job AS (
        INSERT INTO render_jobs (video_id, celery_task_id, status, render_params, progress, worker_hostname,
                                 output_s3_key, started_at, completed_at)
        SELECT id, '9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d', 'succeeded',
               '{"resolution": "1920x1080", "fps": 30, "theme": "clinical-dark"}', 1, 'gpu-worker-g5-01',
               'rendered/' || id || '/render-1080p.mp4', now() - interval '95 seconds', now()
        FROM video RETURNING id)
      , metric AS (
        INSERT INTO phase2_metrics (render_job_id, memory_efficiency, peak_memory_bytes, frames_total,
                                    frames_dropped, frame_drop_rate, job_completion_ratio, throughput_fps, details)
        SELECT id, 0.87, 3221225472, 1875, 12, 0.0064, 1, 58.2, '{"gpu": "A10G", "stage_ms": {"decode": 412, "render": 31877}}'
        FROM job RETURNING render_job_id)
      SELECT video.id FROM video, analysis, metric;`);
    expect(videoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const row = await pg().psql(`
      SELECT v.user_id, v.status, v.metadata->>'fps', a.status, a.heart_rate_bpm, a.result->>'rhythm',
             j.status, j.output_s3_key LIKE 'rendered/%', m.memory_efficiency, m.frame_drop_rate,
             m.job_completion_ratio, m.throughput_fps, a.id > 0, m.recorded_at <= now()
      FROM user_videos v
      JOIN ml_analysis a ON a.video_id = v.id
      JOIN render_jobs j ON j.video_id = v.id
      JOIN phase2_metrics m ON m.render_job_id = j.id
      WHERE v.id = '${videoId}';`);
    expect(row).toBe("3f9c2a7e-1b4d-4e8f-9a6c-5d2e8b7f0a13|analyzed|29.97|succeeded|72.5|sinus|succeeded|t|0.87|0.0064|1|58.2|t|t");

    // "Videos by user" finds it.
    expect(await pg().psql(`SELECT count(*) FROM user_videos WHERE user_id = '3f9c2a7e-1b4d-4e8f-9a6c-5d2e8b7f0a13';`)).toBe("1");
  });

  describe("[RDS-5] constraints reject bad data (psql fails)", () => {
    const cases: [string, (ids: { videoId: string; jobId: string }) => string, RegExp][] = [
      [
        "a render job with an unknown status",
        ({ videoId }) => `INSERT INTO render_jobs (video_id, status) VALUES ('${videoId}', 'done');`,
        /violates check constraint "render_jobs_status_check"/,
      ],
      [
        "an ML analysis with an unknown status",
        ({ videoId }) => `INSERT INTO ml_analysis (video_id, model_name, model_version, status) VALUES ('${videoId}', 'm', '1', 'ok');`,
        /violates check constraint "ml_analysis_status_check"/,
      ],
      [
        "a negative throughput",
        ({ jobId }) => `INSERT INTO phase2_metrics (render_job_id, throughput_fps) VALUES ('${jobId}', -1);`,
        /violates check constraint "phase2_metrics_throughput_fps_check"/,
      ],
      [
        "a NaN throughput (NaN sorts above every number in PostgreSQL)",
        ({ jobId }) => `INSERT INTO phase2_metrics (render_job_id, throughput_fps) VALUES ('${jobId}', 'NaN');`,
        /violates check constraint "phase2_metrics_throughput_fps_check"/,
      ],
      [
        "a frame drop rate above 1",
        ({ jobId }) => `INSERT INTO phase2_metrics (render_job_id, frame_drop_rate) VALUES ('${jobId}', 1.5);`,
        /violates check constraint "phase2_metrics_frame_drop_rate_check"/,
      ],
      [
        "a negative memory efficiency",
        ({ jobId }) => `INSERT INTO phase2_metrics (render_job_id, memory_efficiency) VALUES ('${jobId}', -0.1);`,
        /violates check constraint "phase2_metrics_memory_efficiency_check"/,
      ],
      [
        "more dropped frames than frames",
        ({ jobId }) => `INSERT INTO phase2_metrics (render_job_id, frames_total, frames_dropped) VALUES ('${jobId}', 10, 11);`,
        /violates check constraint "phase2_metrics_frames_check"/,
      ],
      [
        "a metrics sample without any measurement",
        ({ jobId }) => `INSERT INTO phase2_metrics (render_job_id) VALUES ('${jobId}');`,
        /violates check constraint "phase2_metrics_has_measurement_check"/,
      ],
      [
        "an ML confidence above 1",
        ({ videoId }) => `INSERT INTO ml_analysis (video_id, model_name, model_version, confidence) VALUES ('${videoId}', 'm', '1', 1.2);`,
        /violates check constraint "ml_analysis_confidence_check"/,
      ],
      [
        "an upload key outside uploads/",
        () => `INSERT INTO user_videos (user_id, original_filename, upload_s3_key, content_type, size_bytes)
               VALUES ('u', 'a.mp4', 'rendered/a.mp4', 'video/mp4', 1);`,
        /violates check constraint "user_videos_upload_s3_key_check"/,
      ],
      [
        "a render output key outside rendered/",
        ({ videoId }) => `INSERT INTO render_jobs (video_id, output_s3_key) VALUES ('${videoId}', 'uploads/x.mp4');`,
        /violates check constraint "render_jobs_output_s3_key_check"/,
      ],
      [
        "a succeeded render job without an output object",
        ({ videoId }) => `INSERT INTO render_jobs (video_id, status, progress, completed_at) VALUES ('${videoId}', 'succeeded', 1, now());`,
        /violates check constraint "render_jobs_succeeded_check"/,
      ],
      [
        "a video without a user",
        () => `INSERT INTO user_videos (original_filename, upload_s3_key, content_type, size_bytes)
               VALUES ('a.mp4', 'uploads/nobody.mp4', 'video/mp4', 1);`,
        /null value in column "user_id" of relation "user_videos" violates not-null constraint/,
      ],
      [
        "a second video claiming the same S3 object",
        ({ videoId }) => `INSERT INTO user_videos (user_id, original_filename, upload_s3_key, content_type, size_bytes)
               SELECT 'u', 'a.mp4', upload_s3_key, 'video/mp4', 1 FROM user_videos WHERE id = '${videoId}';`,
        /duplicate key value violates unique constraint "user_videos_upload_s3_key_key"/,
      ],
      [
        "a render job of a video that does not exist (dangling foreign key)",
        () => `INSERT INTO render_jobs (video_id) VALUES (gen_random_uuid());`,
        /violates foreign key constraint "render_jobs_video_id_fkey"/,
      ],
      [
        "an ML analysis of a video that does not exist (dangling foreign key)",
        () => `INSERT INTO ml_analysis (video_id, model_name, model_version) VALUES (gen_random_uuid(), 'm', '1');`,
        /violates foreign key constraint "ml_analysis_video_id_fkey"/,
      ],
      [
        "metrics of a render job that does not exist (dangling foreign key)",
        () => `INSERT INTO phase2_metrics (render_job_id, throughput_fps) VALUES (gen_random_uuid(), 30);`,
        /violates foreign key constraint "phase2_metrics_render_job_id_fkey"/,
      ],
    ];

    it.each(cases)("[RDS-5] rejects %s", async (_title, sql, error) => {
      await expect(pg().psql(sql(await fixture()))).rejects.toThrow(error);
    });
  });

  it("[RDS-5] ON DELETE: a video with render jobs cannot be deleted, metrics outlive their job, analyses go with their video", async () => {
    const { videoId, jobId } = await fixture();
    const metricId = await pg().psql(`
      INSERT INTO ml_analysis (video_id, model_name, model_version) VALUES ('${videoId}', 'ecg-audio-cnn', '2.3.1');
      INSERT INTO phase2_metrics (render_job_id, throughput_fps) VALUES ('${jobId}', 30) RETURNING id;`);

    await expect(pg().psql(`DELETE FROM user_videos WHERE id = '${videoId}';`)).rejects.toThrow(
      /violates foreign key constraint "render_jobs_video_id_fkey" on table "render_jobs"/,
    );

    await pg().psql(`DELETE FROM render_jobs WHERE id = '${jobId}';`);
    expect(await pg().psql(`SELECT coalesce(render_job_id::text, 'NULL') FROM phase2_metrics WHERE id = ${metricId};`)).toBe("NULL");

    await pg().psql(`DELETE FROM user_videos WHERE id = '${videoId}';`);
    expect(await pg().psql(`SELECT count(*) FROM ml_analysis WHERE video_id = '${videoId}';`)).toBe("0");
  });
});
