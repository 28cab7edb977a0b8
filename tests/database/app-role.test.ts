import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startPostgres, type PostgresServer } from "./postgres";

// SEC-1 / RDS-5: 002_app_role.sql gives the Backend API a database user of its
// own that logs in through IAM (rds_iam, on RDS) and may only read and write rows.
const MIGRATIONS = join(__dirname, "..", "..", "database", "migrations");

let db: PostgresServer | undefined;
const pg = () => {
  if (!db) throw new Error("the PostgreSQL server did not start (see beforeAll)");
  return db;
};
const applyAll = async () => {
  for (const file of readdirSync(MIGRATIONS).sort()) await pg().psql({ file: join(MIGRATIONS, file) });
};
const asApp = (sql: string) => pg().psql(`SET ROLE ecg_app; ${sql}`);

beforeAll(async () => {
  db = await startPostgres();
  // Stands in for RDS's rds_iam role, which a plain server does not have.
  await pg().psql("CREATE ROLE rds_iam;");
  await applyAll();
}, 60_000);

afterAll(() => db?.stop());

describe("[SEC-1] the API's database user (002_app_role.sql)", () => {
  it("[RDS-5] applies after 001, in file order, and again without effect", async () => {
    expect(readdirSync(MIGRATIONS).sort()).toEqual(["001_initial_schema.sql", "002_app_role.sql"]);
    const grants =
      "SELECT string_agg(table_name || ':' || privilege_type, ',' ORDER BY table_name, privilege_type) FROM information_schema.role_table_grants WHERE grantee = 'ecg_app';";
    const before = await pg().psql(grants);
    await applyAll();
    expect(await pg().psql(grants)).toBe(before);
    expect(await pg().psql("SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations;")).toBe("001,002");
  });

  it("[SEC-1] logs in without a password of its own and is a member of rds_iam (IAM database authentication)", async () => {
    expect(
      await pg().psql("SELECT rolcanlogin::text || '|' || coalesce(rolpassword, 'none') FROM pg_authid WHERE rolname = 'ecg_app';"),
    ).toBe("true|none");
    expect(await pg().psql("SELECT pg_has_role('ecg_app', 'rds_iam', 'member')::text;")).toBe("true");
  });

  it("[SEC-1] reads, writes and deletes rows", async () => {
    const id = await asApp(`INSERT INTO user_videos (user_id, upload_s3_key, original_filename, size_bytes, content_type)
      VALUES ('user-1', 'uploads/user-1/a.mp4', 'a.mp4', 10, 'video/mp4') RETURNING id;`);
    expect(await asApp(`SELECT count(*) FROM user_videos WHERE id = '${id}';`)).toBe("1");
    expect(await asApp(`UPDATE user_videos SET size_bytes = 11 WHERE id = '${id}' RETURNING size_bytes;`)).toBe("11");
    await asApp(`DELETE FROM user_videos WHERE id = '${id}';`);
  });

  it.each([
    ["create a table", "CREATE TABLE intruder (id int);", /permission denied for schema public/],
    ["change a table", "ALTER TABLE render_jobs ADD COLUMN x int;", /must be owner of table render_jobs/],
    ["drop a table", "DROP TABLE phase2_metrics;", /must be owner of table phase2_metrics/],
    ["rewrite the migration ledger", "DELETE FROM schema_migrations;", /permission denied for table schema_migrations/],
  ])("[SEC-1] may not %s", async (_title, sql, error) => {
    await expect(asApp(sql)).rejects.toThrow(error);
  });
});
