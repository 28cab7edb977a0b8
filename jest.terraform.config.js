/** The offline Terraform lane (`npm run test:terraform`): real Terraform against moto on loopback. */
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/tests/terraform"],
  testPathIgnorePatterns: [],
  testTimeout: 20 * 60 * 1000,
  // In band, one file after the other: the lane starts its own processes in parallel.
  maxWorkers: 1,
};
