// Types for scripts/build-plugins.mjs (imported by test/ui/build-plugins.test.ts).
import type { Plugin } from 'esbuild';
export declare const NARROW_CLASS: string;
export declare function patchStringWidth(source: string): string;
export declare function patchYogaLoader(source: string): string;
export declare const stringWidthFastPath: Plugin;
export declare const yogaWithoutFetch: Plugin;
export declare const zodEnglishOnly: Plugin;
export declare const firstFramePlugins: Plugin[];
