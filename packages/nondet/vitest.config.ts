import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Some tests spawn Node processes and run fast-check properties; on a loaded 2-core machine the
    // 5 s default can expire before they finish. No test asserts how long anything takes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
