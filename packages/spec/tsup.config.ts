import { defineConfig } from 'tsup';

export default defineConfig({
  // `sse` also on its own: a browser bundle (the report's page) takes it without node:crypto.
  entry: ['src/index.ts', 'src/sse.ts'],
  format: ['esm'],
  // Each entry whole, no shared chunk: the tests load a copy of dist/index.js on its own, as a
  // second installed copy of the package would be.
  splitting: false,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
