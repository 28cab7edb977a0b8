import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";

/** Every file below `dir`, as zip entry name (forward slashes) → content, sorted by name. */
function filesOf(dir: string, root = dir): [string, Buffer][] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory()
        ? filesOf(path, root)
        : [[relative(root, path).split("\\").join("/"), readFileSync(path)] as [string, Buffer]];
    });
}

/**
 * A deterministic zip of a folder (sorted entries, a fixed 1980-01-01 time,
 * no extra fields): the same code always makes the same bytes, so Lambda's
 * source_code_hash changes only when the code does. Built in-process:
 * cdktf's own ARCHIVE assets spawn a child process per stack at every synth.
 */
export function zipFolder(dir: string): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of filesOf(dir)) {
    const fileName = Buffer.from(name, "utf8");
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const header = (signature: number, central: boolean) => {
      const b = Buffer.alloc(central ? 46 : 30);
      b.writeUInt32LE(signature, 0);
      let o = 4;
      if (central) {
        b.writeUInt16LE(20, o); // made by: version 2.0
        o += 2;
      }
      b.writeUInt16LE(20, o); // needed to extract: 2.0
      b.writeUInt16LE(0x0800, o + 2); // UTF-8 names
      b.writeUInt16LE(8, o + 4); // deflate
      b.writeUInt16LE(0, o + 6); // time 00:00
      b.writeUInt16LE(0x21, o + 8); // date 1980-01-01
      b.writeUInt32LE(crc, o + 10);
      b.writeUInt32LE(compressed.length, o + 14);
      b.writeUInt32LE(data.length, o + 18);
      b.writeUInt16LE(fileName.length, o + 22);
      if (central) {
        b.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file, rw-r--r--
        b.writeUInt32LE(offset, 42);
      }
      return b;
    };
    const local = Buffer.concat([header(0x04034b50, false), fileName, compressed]);
    centrals.push(Buffer.concat([header(0x02014b50, true), fileName]));
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const zipped = new Map<string, { path: string; base64Sha256: string }>();

/**
 * Zips `dir` into the system's temp folder, once per process (every stack that
 * ships the code reuses it), and returns the file and its base64 SHA-256 (Lambda's
 * source_code_hash).
 */
export function zippedFolder(dir: string): { path: string; base64Sha256: string } {
  const known = zipped.get(dir);
  if (known) return known;
  const zip = zipFolder(dir);
  const hash = createHash("sha256").update(zip);
  const out = join(tmpdir(), "ecg-render-assets");
  mkdirSync(out, { recursive: true });
  const digest = hash.digest();
  const path = join(out, `${digest.toString("hex").slice(0, 16)}.zip`);
  // Written under a unique name, then renamed: another process synthesizing at
  // the same time (jest workers) may be hashing this very path, and must never
  // see it half-written (a rename replaces the file at once).
  const partial = `${path}.${process.pid}.${Date.now()}.partial`;
  writeFileSync(partial, zip);
  renameSync(partial, path);
  const result = { path, base64Sha256: digest.toString("base64") };
  zipped.set(dir, result);
  return result;
}
