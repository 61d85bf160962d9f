import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Property tests build tapes with bodies of a few megabytes; give them room on a loaded
    // 2-core machine.
    testTimeout: 60_000,
  },
});
