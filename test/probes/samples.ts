// Reads the captured server answers in test/fixtures/samples (real shapes from the lab's servers, copied into the
// repository so a fresh clone's tests need nothing outside it).
import { readFileSync } from 'node:fs';

export const SAMPLES = new URL('../fixtures/samples/', import.meta.url);
export function sampleText(path: string): string {
  return readFileSync(new URL(path, SAMPLES), 'utf8');
}
export function sampleJson(path: string): unknown {
  return JSON.parse(sampleText(path));
}
/** redis-cli's plain output of a flat array of pairs → RESP-like flat array. */
export function flatLines(path: string): string[] {
  return sampleText(path).split('\n').filter((l) => l !== '');
}
