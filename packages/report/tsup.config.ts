import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: what Node imports.
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    // The page's bundle is built beside it, into dist/client, by the second config.
    clean: ['!client/**'],
    sourcemap: true,
    target: 'node20',
  },
  {
    // The page's code, one IIFE that the report generator inlines into every report.
    entry: { 'report-client': 'src/client/main.tsx' },
    outDir: 'dist/client',
    format: ['iife'],
    platform: 'browser',
    target: 'es2022',
    clean: true,
    minify: true,
    // The bundle is inlined into pages; a source map there would only add weight.
    sourcemap: false,
    dts: false,
    loader: { '.css': 'text' },
  },
]);
