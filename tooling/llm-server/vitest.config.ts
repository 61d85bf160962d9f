import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Real servers and both SDKs (with their retry back-offs) on a loaded 2-core machine.
    testTimeout: 60_000,
  },
});
