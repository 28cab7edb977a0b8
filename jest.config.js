/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The offline Terraform lane has its own config and command (npm run test:terraform).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/terraform/"],
  // swc strips types only; `tsc` type-checks once in `npm test`.
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/tests/setup.ts"],
  // The shipped program, synthesized once for every test file that reads it (tests/stacks/synth.ts).
  globalSetup: "<rootDir>/tests/global-setup.ts",
  // Jest's default is one worker per core but one: on a 2-core machine that is one.
  // The test files are independent CPU-bound synths, so every core takes one.
  maxWorkers: "100%",
};
