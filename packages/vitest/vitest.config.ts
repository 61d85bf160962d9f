import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The suites run vitest itself on fixture projects, in child processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
