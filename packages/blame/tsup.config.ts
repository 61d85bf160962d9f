import { defineConfig } from 'tsup';

export default defineConfig({
  // The engine, and the validation suite at its own subpath: importing `@trace/blame` does not
  // load the fixture agents or the scripted model server bundled with them.
  entry: { index: 'src/index.ts', 'validation/index': 'src/validation/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
