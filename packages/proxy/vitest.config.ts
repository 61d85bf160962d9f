import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests start real servers and child processes (Node and Python) on a loaded 2-core machine.
    testTimeout: 60_000,
  },
});
