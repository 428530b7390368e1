// esbuild plugins that take work off the TUI's first frame (issue 7: first frame ≤ 200 ms more than
// `node -e ''`). Each one changes how a dependency loads, never what it computes; each is checked by
// test/ui/build-plugins.test.ts and fails the build loudly when the dependency's source changes shape.
// Measured with `node --cpu-prof` to the first frame (bench/ui.bench.ts marker), on the 2-core box:
//   yogaWithoutFetch      ~20 ms: Yoga's emscripten loader fetch()es its inline base64 wasm when fetch
//                         exists, and the first fetch loads undici; the sync base64 path needs nothing.
//   stringWidthFastPath   ~20 ms: string-width sends any non-ASCII line (`·`, `─`, `…` in the footer and
//                         panels) through Intl.Segmenter and the RGI-emoji regex, both costly on first use.
//   zodEnglishOnly        ~10 ms of parse: zod's `z.locales` namespace pulls all 40+ locales (366 KB) into
//                         the bundle; hatui uses the default English messages only.
import { readFileSync } from 'node:fs';

/**
 * Characters string-width 8 measures as exactly one column each (ambiguous-width ones as narrow, its
 * default): printable ASCII, Latin-1 except the soft hyphen, general punctuation without the zero-width
 * and separator code points, arrows and math operators, box drawing, blocks and geometric shapes up to
 * U+25FC (U+25FD/25FE are emoji, two columns). A line made only of these is one grapheme per code unit.
 */
export const NARROW_CLASS = '\\u0020-\\u007E\\u00A1-\\u00AC\\u00AE-\\u00FF\\u2010-\\u2027\\u2030-\\u205E\\u2190-\\u22FF\\u2500-\\u25FC';

const STRING_WIDTH_ANCHOR = 'if (/^[\\u0020-\\u007E]*$/.test(string)) {';
const YOGA_FETCH_TEST = '"function"!=typeof fetch';

/** string-width 8's source with the one-column fast path widened from ASCII to NARROW_CLASS. */
export function patchStringWidth(source) {
  if (!source.includes(STRING_WIDTH_ANCHOR) || !source.includes('ambiguousIsNarrow = true')) {
    throw new Error('string-width changed: its ASCII fast path was not found (scripts/build-plugins.mjs)');
  }
  return source.replace(STRING_WIDTH_ANCHOR, `if (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && /^[${NARROW_CLASS}]*$/.test(string))) {`);
}

/** Yoga's emscripten loader with `typeof fetch` tests answered "no fetch": it decodes the inline wasm. */
export function patchYogaLoader(source) {
  const count = source.split(YOGA_FETCH_TEST).length - 1;
  if (count !== 2) throw new Error(`yoga-layout changed: expected 2 fetch tests in its wasm loader, found ${count} (scripts/build-plugins.mjs)`);
  return source.replaceAll(YOGA_FETCH_TEST, 'true');
}

/** @type {import('esbuild').Plugin} */
export const stringWidthFastPath = {
  name: 'hatui-string-width-fast-path',
  setup(build) {
    // Only string-width 8 at the top of node_modules (Ink's); nested older copies keep their code.
    build.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, (args) => {
      if (/node_modules[\\/].+[\\/]node_modules[\\/]string-width/.test(args.path)) return undefined;
      return { contents: patchStringWidth(readFileSync(args.path, 'utf8')), loader: 'js' };
    });
  },
};

/** @type {import('esbuild').Plugin} */
export const yogaWithoutFetch = {
  name: 'hatui-yoga-without-fetch',
  setup(build) {
    build.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => ({
      contents: patchYogaLoader(readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').Plugin} */
export const zodEnglishOnly = {
  name: 'hatui-zod-english-only',
  setup(build) {
    // zod/v4/{classic/external,core/index}.js: `export * as locales from "../locales/index.js"`.
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: `${args.resolveDir}/../locales/en.js`, namespace: 'hatui-zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'hatui-zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: '/',
    }));
  },
};

export const firstFramePlugins = [yogaWithoutFetch, stringWidthFastPath, zodEnglishOnly];
