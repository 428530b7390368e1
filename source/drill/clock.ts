// One clock for a drill: epoch milliseconds that advance with the monotonic clock (anchored once),
// so durations between drill times never jump with NTP, yet line up with the lab's Date.now() T0.
import { performance } from 'node:perf_hooks';

export interface DrillClock {
  /** Monotonic-derived epoch ms. */
  now(): number;
  /** Wall clock epoch ms. */
  wall(): number;
}

export function drillClock(): DrillClock {
  const wallAnchor = Date.now();
  const monoAnchor = performance.now();
  return {
    now: () => wallAnchor + (performance.now() - monoAnchor),
    wall: () => Date.now(),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
