import { defineConfig } from 'vitest/config';

// Two projects: `unit` (no servers, runs in parallel) and `lab` (real servers from the loopback lab,
// brought up once by the global setup, files run one at a time). `npm test` runs unit, then lab.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/lab/**', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts', 'test/lab/**/*.test.tsx'],
          globalSetup: ['test/lab/global-setup.ts'],
          // Files one at a time: one fork runs them in order (`fileParallelism` is not a per-project option in vitest 3).
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
