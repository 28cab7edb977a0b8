/**
 * The Node.js runtime of the project's Lambda functions (lambda/*). nodejs20.x
 * was deprecated on 2026-04-30 and AWS then blocks creating functions on it
 * (AWS Lambda Developer Guide, "Lambda runtimes"); nodejs22.x ships the same
 * AWS SDK v3 the functions require at run time.
 */
export const LAMBDA_NODE_RUNTIME = "nodejs22.x";
