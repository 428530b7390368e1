// The first-frame build plugins (scripts/build-plugins.mjs) may change how dependencies load, never
// what they compute: widths stay string-width's own, Yoga still lays out, zod still speaks English.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { NARROW_CLASS, firstFramePlugins, patchStringWidth, patchYogaLoader } from '../../scripts/build-plugins.mjs';

const root = new URL('../../', import.meta.url).pathname;
const require = createRequire(import.meta.url);

describe('string-width fast path', () => {
  it('covers only characters string-width itself measures as one column', () => {
    const narrow = new RegExp(`^[${NARROW_CLASS}]$`);
    const wrong: string[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      const ch = String.fromCharCode(cp);
      if (narrow.test(ch) && stringWidth(ch) !== 1) wrong.push(`U+${cp.toString(16).padStart(4, '0')}=${stringWidth(ch)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('patches the installed string-width, and only for narrow ambiguous widths', () => {
    const patched = patchStringWidth(readFileSync(join(root, 'node_modules/string-width/index.js'), 'utf8'));
    expect(patched).toContain(`(ambiguousIsNarrow && /^[${NARROW_CLASS}]*$/.test(string))`);
    expect(() => patchStringWidth('export default () => 0;')).toThrow(/string-width changed/);
  });
});

describe('yoga loader without fetch', () => {
  it('finds both fetch tests in the installed loader', () => {
    const source = readFileSync(join(root, 'node_modules/yoga-layout/dist/binaries/yoga-wasm-base64-esm.js'), 'utf8');
    const patched = patchYogaLoader(source);
    expect(patched).not.toContain('"function"!=typeof fetch');
    expect(() => patchYogaLoader('fetch(x)')).toThrow(/yoga-layout changed/);
  });
});

describe('a bundle built with the plugins', () => {
  it('measures, lays out and validates like the unbundled modules, without loading undici first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hatui-build-plugins-'));
    const entry = join(dir, 'entry.mjs');
    // Every probe the plugins touch: widths of mixed lines, a Yoga layout, a zod error message, and
    // whether the Yoga load pulled in fetch (undici is loaded on first access to globalThis.fetch).
    writeFileSync(
      entry,
      `import stringWidth from 'string-width';
import Yoga from 'yoga-layout';
import { z } from 'zod';
const lines = ['enter open · / filter · ? help', '── runbooks (0/0)', 'reading runbooks…', 'a → b ✓ ✗ ▶ ⧗ ⊘ ↷ ‽ × −', '古い ·', '🙂 ok', 'e\\u0301', '\\u00ad', 'x\\u200by', '\\u25fd'];
const node = Yoga.Node.create(); node.setWidth(80); node.setHeight(24); node.calculateLayout();
const r = z.object({ a: z.string() }).safeParse({ a: 1 });
console.log(JSON.stringify({ widths: lines.map((l) => stringWidth(l)), wide: lines.map((l) => stringWidth(l, { ambiguousIsNarrow: false })), layout: node.getComputedWidth(), zod: r.error.issues[0].message, undici: Boolean(process.moduleLoadList?.some((m) => m.includes('undici'))) }));
`,
    );
    // Bundles live under node_modules so the externals-free bundles still resolve nothing outside it.
    mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
    const out = mkdtempSync(join(root, 'node_modules/.cache/hatui-build-plugins-'));
    const outfile = join(out, 'with-plugins.mjs');
    await build({ entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', plugins: firstFramePlugins, logLevel: 'silent', nodePaths: [join(root, 'node_modules')] });
    const bundled = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
    const plainOut = join(out, 'plain.mjs');
    await build({ entryPoints: [entry], outfile: plainOut, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent', nodePaths: [join(root, 'node_modules')] });
    const plain = JSON.parse(execFileSync(process.execPath, [plainOut], { encoding: 'utf8' }));
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    expect(bundled.widths).toEqual(plain.widths);
    expect(bundled.wide).toEqual(plain.wide);
    expect(bundled.layout).toBe(80);
    expect(bundled.zod).toBe(plain.zod);
    expect(bundled.zod).toMatch(/expected string/i);
    expect(bundled.undici).toBe(false);
    expect(plain.undici).toBe(true);
    expect(require.resolve('string-width')).toContain('node_modules/string-width/');
  });
});
