/** @type {import('jest').Config} */
const base = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  // Transpile only: type-checking is `tsc --noEmit`, run first by `npm test`.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
};

// The emulator's rules hold under every ECS behaviour profile (local/emulator/profiles/; tests/emulator/profiles.test.ts
// checks this list against the emulator's): its suite runs once per profile, the profile as the tests' default.
const ECS_PROFILES = ["service-page", "placement-page", "adversarial"];

module.exports = {
  // v8 coverage: babel/istanbul instrumentation would be serialized into the Lambda closure.
  coverageProvider: "v8",
  testTimeout: 60000,
  // Two workers, not jest's default of cores − 1: on CI's two cores that default runs every suite in band, in one
  // process, leaving a core idle while that process's heap grows with each suite's emulators (13 GB seen here).
  // A worker is replaced once it holds more than the limit after a suite.
  maxWorkers: 2,
  workerIdleMemoryLimit: "1536MB",
  collectCoverageFrom: ["rebalancer/**/*.ts", "infra/**/*.ts", "local/**/*.ts", "index.ts"],
  projects: [
    { ...base, displayName: "project", testMatch: ["**/*.test.ts"], testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/emulator/"] },
    ...ECS_PROFILES.map((profile) => ({
      ...base,
      displayName: `emulator (${profile})`,
      testMatch: ["<rootDir>/tests/emulator/**/*.test.ts"],
      globals: { ECS_PROFILE: profile },
    })),
  ],
};
