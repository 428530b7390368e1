// Bundles source/cli.ts into dist/ with code splitting, so `hatui --help` never loads Ink
// and the TUI loads it lazily (first frame ~230 ms instead of ~575 ms unbundled).
// NODE_ENV is "production" inside the bundle (React, its reconciler and the scheduler ship only their
// production builds: 800 KB less to parse before the first frame); the environment commands run with is
// untouched. The plugins (scripts/build-plugins.mjs) take more start-up work off the first frame.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { firstFramePlugins } from './build-plugins.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'source/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  jsx: 'automatic',
  logLevel: 'warning',
  plugins: firstFramePlugins,
  define: { 'process.env.NODE_ENV': '"production"', 'process.env.HATUI_VERSION': JSON.stringify(pkg.version), 'process.env.DEV': '"false"' },
  // Native or optional modules stay outside the bundle and are loaded from node_modules.
  external: ['ssh2', 'cpu-features', 'pg-native', 'mongodb', 'kafkajs', 'react-devtools-core',
    '@mongodb-js/zstd', 'kerberos', 'snappy', 'socks', 'aws4', 'mongodb-client-encryption', 'gcp-metadata', '@aws-sdk/credential-providers'],
  banner: { js: "import { createRequire as __hatuiCreateRequire } from 'node:module'; const require = __hatuiCreateRequire(import.meta.url);" },
});
