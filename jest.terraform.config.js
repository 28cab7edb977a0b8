/** The offline Terraform lane (`npm run test:terraform`): real Terraform against moto on loopback. */
// jest's own runner (not the unit tests' light runner): the lane's reaper listens for SIGINT and SIGTERM,
// which worker threads never receive, and its files load in jest's usual way (swc, no register hook).
const { runner: _unitTestRunner, ...base } = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/tests/terraform"],
  testPathIgnorePatterns: [],
  testTimeout: 20 * 60 * 1000,
  // In band, one file after the other: the lane starts its own processes in parallel.
  maxWorkers: 1,
  // jest's runner times its tests itself (testTimeout).
  setupFilesAfterEnv: ["<rootDir>/tests/setup.ts"],
};
