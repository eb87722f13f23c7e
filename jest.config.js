/** @type {import('jest').Config} */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  // The monorepo toolchain of .ci/actions-monorepo (its own node_modules and package.json files).
  modulePathIgnorePatterns: ['<rootDir>/.ci/'],
  // Snapshots as jest 27 writes them (action-destinations' version), so the destination's
  // .snap files drop into that repository unchanged.
  snapshotFormat: { escapeString: true, printBasicPrototype: true },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }]
  }
}

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'destination',
      testMatch: ['<rootDir>/destinations/**/__tests__/**/*.test.ts'],
      // As in action-destinations: nock lets go of the HTTP modules after each file.
      setupFilesAfterEnv: ['<rootDir>/destinations/launchdarkly-events/__tests__/__helpers__/setup-after-env.ts']
    },
    { ...base, displayName: 'project', testMatch: ['<rootDir>/__tests__/**/*.test.ts'] }
  ]
}
