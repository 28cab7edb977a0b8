/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The offline Terraform lane has its own config and command (npm run test:terraform).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/terraform/"],
  // The test files run in worker threads that keep their modules from file to file (jest's own runner loads
  // cdktf, the provider classes and the program again for every file: half of the run's CPU). No test relies
  // on jest's module registry (no jest.mock). Run it as npm test does: `node -r @swc-node/register --import
  // ./tests/ts-as-commonjs.mjs node_modules/jest/bin/jest.js` (swc strips types; `tsc` type-checks once).
  runner: "jest-light-runner",
  // For globalSetup, which jest itself loads.
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/tests/setup.ts", "<rootDir>/tests/test-timeouts.ts"],
  // The shipped program, synthesized once for every test file that reads it (tests/stacks/synth.ts).
  globalSetup: "<rootDir>/tests/global-setup.ts",
  // Jest's default is one worker per core but one: on a 2-core machine that is one.
  // The test files are independent CPU-bound synths, so every core takes one.
  maxWorkers: "100%",
};
