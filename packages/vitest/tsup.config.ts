import { defineConfig } from 'tsup';

export default defineConfig({
  // Two entry points: the fixture tests import (it runs in vitest's workers), and the plugin the
  // vitest config imports (it runs in vitest's main process). vitest stays external, a peer.
  entry: {
    index: 'src/index.ts',
    plugin: 'src/plugin.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
