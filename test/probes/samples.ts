// Reads the captured server answers in /work/shared/samples (real shapes from the lab's servers).
import { readFileSync } from 'node:fs';

export const SAMPLES = '/work/shared/samples';
export function sampleText(path: string): string {
  return readFileSync(`${SAMPLES}/${path}`, 'utf8');
}
export function sampleJson(path: string): unknown {
  return JSON.parse(sampleText(path));
}
/** redis-cli's plain output of a flat array of pairs → RESP-like flat array. */
export function flatLines(path: string): string[] {
  return sampleText(path).split('\n').filter((l) => l !== '');
}
