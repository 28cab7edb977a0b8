/**
 * Entry point of the bundled command (`npm run plan-summary -- ...`, built to
 * dist/plan-summary.js). Kept apart from main.ts so that importing the
 * command in tests runs nothing.
 */
import { main } from "./main";

process.exitCode = main(process.argv.slice(2));
