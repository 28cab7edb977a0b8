// cdktf's matchers (toHaveResourceWithProperties, ...) and their type declarations.
import { setupJest } from "cdktf/lib/testing/adapters/jest";
import { recordTokenTraces } from "../stacks/support/cdktf-internals";

setupJest();
// The module tests build their stacks outside withoutTokenTraces: cdktf's per-token traces,
// each formatted through the source maps of the TypeScript, would be a large share of the run.
if (!process.env.ECG_TOKEN_TRACES) recordTokenTraces(false);
