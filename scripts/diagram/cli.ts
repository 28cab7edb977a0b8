/**
 * Entry point of the bundled command (`npm run diagram`, built to
 * dist/diagram.js): reads every synthesized stack and writes
 * docs/architecture/<stack>.md for those with a picture.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { architectureDocuments, GENERATED_NOTE, type StackJson } from ".";

const STACKS = join("cdktf.out", "stacks");
const PAGES = join("docs", "architecture");

const stacks: Record<string, StackJson> = Object.fromEntries(
  readdirSync(STACKS).map((name) => [name, JSON.parse(readFileSync(join(STACKS, name, "cdk.tf.json"), "utf8"))]),
);
const pages = architectureDocuments(stacks);
mkdirSync(PAGES, { recursive: true });
for (const [file, page] of pages) writeFileSync(join(PAGES, file), page);
// The page of a stack that is gone (or lost its network) goes too; pages written by hand stay.
const stale = readdirSync(PAGES).filter((file) => !pages.has(file) && readFileSync(join(PAGES, file), "utf8").includes(GENERATED_NOTE));
for (const file of stale) rmSync(join(PAGES, file));
console.log(`${PAGES}: ${[...pages.keys()].join(", ")}${stale.length > 0 ? `; removed ${stale.join(", ")}` : ""}`);
