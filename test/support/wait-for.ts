// Waiting on a condition instead of sleeping a fixed time: tests on a shared, noisy machine must not depend on
// how fast anything runs, only on what eventually happens (with a deadline so a broken condition fails clearly).

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls fn until it returns a truthy value (returned) or deadlineMs passes (throws, naming `what`
 * and the last value or error seen).
 */
export async function waitFor<T>(fn: () => Promise<T> | T, deadlineMs: number, what = 'condition', intervalMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}
