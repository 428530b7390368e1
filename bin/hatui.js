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
const code = await main(process.argv.slice(2));
// Exit once the command is done: every audit record is fsynced before main returns, and stdout/stderr
// writes to files and pipes are synchronous on Linux. Without this, a connection left open by a probe or
// transport on some paths (seen after a headless run stopped at a blocked pre-flight) kept the process alive.
process.exit(code);
