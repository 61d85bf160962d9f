import { defineConfig } from 'tsup';

export default defineConfig({
  // Three entry points: the model and store seam, the kit for store backends, and the
  // conformance suite (which alone needs vitest and fast-check, kept external as peers).
  entry: {
    index: 'src/index.ts',
    backend: 'src/backend.ts',
    conformance: 'src/conformance/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
