// Bundles source/cli.ts into dist/ with code splitting, so `hatui --help` never loads Ink
// and the TUI loads it lazily (first frame ~230 ms instead of ~575 ms unbundled).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

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
  define: { 'process.env.HATUI_VERSION': JSON.stringify(pkg.version), 'process.env.DEV': '"false"' },
  // Native or optional modules stay outside the bundle and are loaded from node_modules.
  external: ['ssh2', 'cpu-features', 'pg-native', 'mongodb', 'kafkajs', 'react-devtools-core',
    '@mongodb-js/zstd', 'kerberos', 'snappy', 'socks', 'aws4', 'mongodb-client-encryption', 'gcp-metadata', '@aws-sdk/credential-providers'],
  banner: { js: "import { createRequire as __hatuiCreateRequire } from 'node:module'; const require = __hatuiCreateRequire(import.meta.url);" },
});
