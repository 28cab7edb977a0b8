/** Entry point of the bundled command (`npm run drift-summary -- ...`, built to dist/drift-summary.js). */
import { main } from "./main";

process.exitCode = main(process.argv.slice(2));
