// Per-test clean-up for tests that start doubles and make files: register as you go, all undone after each test.
import { afterEach, vi } from 'vitest';

/** Returns `later(fn)`: fn runs after the current test (last registered first); stubbed env vars are restored too. */
export function cleanupAfterEach(): (fn: () => unknown) => void {
  const pending: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of pending.splice(0).reverse()) await fn();
    vi.unstubAllEnvs();
  });
  return (fn) => void pending.push(fn);
}
