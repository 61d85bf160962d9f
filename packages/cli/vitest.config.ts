import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Builds the stores the tests run the built binary against (real runs of the example agent).
    globalSetup: ['src/__tests__/global-setup.ts'],
    testTimeout: 60_000,
  },
});
