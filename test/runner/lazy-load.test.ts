// `hatui run` over SSH must not pay for libraries only some runs use (issue 7's switchover benchmark:
// start-up is most of hatui's overhead). execa (local commands), ioredis (Redis locks and Sentinel
// selectors) and the mongodb/kafkajs drivers (probes) load on first use, so none may sit in the static
// import graph of the bundled `run`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateBundle, type Bundle } from '../support/bundle.js';

let bundle: Bundle;
beforeAll(async () => {
  bundle = await privateBundle({ label: 'lazy-load', probes: [['run', '--help']] });
}, 90_000);
afterAll(() => bundle?.remove());

/** node_modules packages bundled into a chunk, from its source map. */
function packagesOf(dist: string, chunk: string): Set<string> {
  const map = JSON.parse(readFileSync(join(dist, `${chunk}.map`), 'utf8')) as { sources: string[] };
  return new Set(map.sources.flatMap((s) => s.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)?.map((m) => m.slice('node_modules/'.length, -1)) ?? []));
}

/** Chunks a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`), transitively. */
function staticClosure(dist: string, entry: string): string[] {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const chunk = stack.pop()!;
    if (seen.has(chunk)) continue;
    seen.add(chunk);
    const source = readFileSync(join(dist, chunk), 'utf8');
    for (const m of source.matchAll(/(?:^|[;\n])\s*import\s*(?:[^'"()]*?\bfrom\s*)?["']\.\/([^"']+)["']/g)) stack.push(m[1]!);
  }
  return [...seen];
}

describe('bundle: what `hatui run` loads before its first command', () => {
  it('execa and ioredis are in the bundle but outside the static import graph of run', () => {
    const dist = join(bundle.bin, '..', '..', 'dist');
    const chunks = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const runChunk = chunks.find((f) => /^run-[A-Z0-9]+\.js$/.test(f));
    expect(runChunk).toBeDefined();
    const loaded = new Set(staticClosure(dist, runChunk!).flatMap((c) => [...packagesOf(dist, c)]));
    const everywhere = new Set(chunks.flatMap((c) => [...packagesOf(dist, c)]));
    // The graph really is read: run's own libraries show up in it.
    expect(loaded).toContain('yaml');
    expect(loaded).toContain('shell-quote');
    for (const lazy of ['execa', 'ioredis', 'ink', 'react']) {
      expect(everywhere).toContain(lazy);
      expect(loaded, `${lazy} is loaded statically by run`).not.toContain(lazy);
    }
  });

  it('the drivers left outside the bundle (mongodb, kafkajs) are imported dynamically, never by run\'s static graph', () => {
    const dist = join(bundle.bin, '..', '..', 'dist');
    const chunks = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const runChunk = chunks.find((f) => /^run-[A-Z0-9]+\.js$/.test(f))!;
    const staticText = staticClosure(dist, runChunk).map((c) => readFileSync(join(dist, c), 'utf8')).join('\n');
    const allText = chunks.map((c) => readFileSync(join(dist, c), 'utf8')).join('\n');
    // ssh2 (also external) is what run needs at once: the scan sees external static imports.
    expect(staticText).toMatch(/from\s*["']ssh2["']/);
    for (const driver of ['mongodb', 'kafkajs']) {
      expect(allText).toMatch(new RegExp(`import\\(["']${driver}["']\\)`));
      expect(staticText, `${driver} is imported statically by run`).not.toMatch(new RegExp(`from\\s*["']${driver}(/[^"']*)?["']`));
    }
  });
});
