import { tracePlugin } from '@trace/vitest/plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // @trace/vitest: `vitest -u` re-records the tapes of src/trip.vitest.test.mjs, and tapes no test
  // takes any more are reported at the end of the run.
  plugins: [tracePlugin()],
  test: {
    include: ['src/**/*.test.mjs'],
    testTimeout: 120_000,
  },
});
