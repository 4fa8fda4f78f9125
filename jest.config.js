/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // Transpile only: type-checking is `tsc --noEmit`, run first by `npm test`.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // v8 coverage: babel/istanbul instrumentation would be serialized into the Lambda closure.
  coverageProvider: "v8",
  collectCoverageFrom: ["rebalancer/**/*.ts", "infra/**/*.ts", "local/**/*.ts", "index.ts"],
  testTimeout: 60000,
};
