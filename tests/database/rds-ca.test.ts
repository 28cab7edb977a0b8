import { createHash, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RDS_CA_DIR } from "../../stacks/support/paths";

/** Each bundle's SHA-256 (database/rds-ca/README.md): as AWS publishes it, or as assembled from its published roots. */
const BUNDLES: Record<string, string> = {
  "ap-northeast-1": "d1df75221341812a657d7c7b070ff61ce78824fbf05acf499f7e394f5ff58d50",
  "ap-northeast-2": "913fb5b814f17af79d4c1622584a8d0ceddf5b0d76fe353d0c7d1186cdd6b229",
  "ap-southeast-1": "8bc8a2e16f8bb2bbc7dbcf0384762a86b122cb210928a8e2aeb9cf0f4053c0e5",
};

const certificates = (pem: string) =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c));

describe("[#17] the RDS CA bundles the migration task verifies the database with", () => {
  it("holds one bundle per region it lists, nothing else", () => {
    expect(
      readdirSync(RDS_CA_DIR)
        .filter((f) => f.endsWith(".pem"))
        .sort(),
    ).toEqual(
      Object.keys(BUNDLES)
        .map((r) => `${r}-bundle.pem`)
        .sort(),
    );
  });

  it.each(Object.entries(BUNDLES))(
    "%s: the recorded bytes (SHA-256), three self-signed RDS roots of the region, all valid today",
    (region, sha256) => {
      const pem = readFileSync(join(RDS_CA_DIR, `${region}-bundle.pem`), "utf8");
      expect(createHash("sha256").update(pem).digest("hex")).toBe(sha256);
      const certs = certificates(pem);
      expect(certs).toHaveLength(3);
      for (const cert of certs) {
        expect(cert.subject).toContain(`CN=Amazon RDS ${region} Root CA`);
        expect(cert.issuer).toBe(cert.subject);
        expect(cert.verify(cert.publicKey)).toBe(true);
        expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
      }
    },
  );
});
