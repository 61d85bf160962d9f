import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Property tests write real SQLite files; give them room on a loaded 2-core machine.
    testTimeout: 60_000,
  },
});
