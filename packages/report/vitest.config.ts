import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Property tests do real work (hundreds of runs, real servers and stores); CI runs every
    // package's suite at once on 2 cores, where the 5-second default is too short.
    testTimeout: 60_000,
  },
});
