/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  // Snapshots as jest 27 writes them (action-destinations' version), so the destination's
  // .snap files drop into that repository unchanged.
  snapshotFormat: { escapeString: true, printBasicPrototype: true },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup-after-env.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }]
  }
}
