#!/usr/bin/env node
// Loads the esbuild bundle; `npm run build` (run by `npm test` and `npm run demo`) makes it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('hatui: the bundle dist/cli.js is missing; run `npm run build` first.\n');
  process.exit(2);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
