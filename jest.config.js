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
