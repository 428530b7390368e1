import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../source/cli.js';
import { answersFor } from '../../source/commands/drill.js';
import type { CanaryLog } from '../../source/core/drill/model.js';
import type { Canary } from '../../source/drill/canary.js';
import type { DrillClock } from '../../source/drill/clock.js';
import { runDrill } from '../../source/drill/orchestrate.js';
import { renderMarkdown } from '../../source/core/drill/render-markdown.js';
import { renderTerminalChart } from '../../source/core/drill/render-terminal.js';

/** A canary double: acks every 10 ms of the fake timeline except inside the outage. */
function fakeCanary(clock: DrillClock, outage: { from: number; to: number }) {
  const calls: string[] = [];
  const start = clock.now();
  const logUntil = (end: number): CanaryLog => {
    const log: CanaryLog = { system: 'postgresql', target: 'fake', firstSeq: 1, attempted: [], acks: [], errors: [], startedAtMs: start, stoppedAtMs: end };
    let seq = 1;
    for (let t = start; t < end; t += 10, seq++) {
      log.attempted.push(seq);
      if (t >= outage.from && t < outage.to) log.errors.push({ seq, atMs: t, wallMs: t, message: 'down' });
      else log.acks.push({ seq, atMs: t, wallMs: t });
    }
    return log;
  };
  const canary: Canary = {
    target: 'fake',
    acked: () => 0,
    snapshot: () => logUntil(clock.now()),
    async stop() {
      calls.push('stop');
      return logUntil(clock.now());
    },
    async verify() {
      calls.push('verify');
      return (await this.stop()).acks.map((a) => a.seq);
    },
    async close() {
      calls.push('close');
    },
  };
  return { canary, calls };
}

describe('runDrill', () => {
  it('starts the canary, runs the steps, stops, verifies, closes, and measures from the lab T0', async () => {
    let now = 1_000_000;
    const clock: DrillClock = { now: () => now, wall: () => now };
    let fake: ReturnType<typeof fakeCanary> | undefined;
    const out = await runDrill({
      runbook: { id: 'x', title: 'X', path: 'x.md', targets: { rtoMs: 5_000, rpoMs: 0 }, drill: { system: 'postgresql', fault: 'primary-crash' } },
      system: 'postgresql',
      clock,
      warmupMs: 1,
      settleMs: 1,
      startCanary: async (c) => {
        fake = fakeCanary(c, { from: 1_002_000, to: 1_004_000 });
        return fake.canary;
      },
      async runSteps() {
        now += 10_000;
        return { outcome: 'ok', steps: [{ id: 'fault', outcome: 'ok' }], marks: [], faultStartedAtMs: 1_001_500 };
      },
      faultTime: (from, to) => (from <= 1_002_000 && 1_002_000 <= to ? 1_002_000 : null),
    });
    expect(fake!.calls).toEqual(['stop', 'verify', 'stop', 'close']);
    expect(out.report.t0).toBe(new Date(1_002_000).toISOString());
    expect(out.report.rto_ms).toBe(2_000);
    expect(out.report.rpo_lost_writes).toBe(0);
    expect(out.report.fault).toBe('primary-crash');
    expect(out.report.pass).toBe(true);
  });

  it('falls back to the fault step start when the lab recorded no fault, and closes the canary when steps throw', async () => {
    let now = 2_000_000;
    const clock: DrillClock = { now: () => now, wall: () => now };
    const out = await runDrill({
      runbook: { id: 'y', title: 'Y', path: 'y.md', targets: {} },
      system: 'redis',
      clock,
      warmupMs: 1,
      settleMs: 1,
      startCanary: async (c) => fakeCanary(c, { from: 2_003_000, to: 2_003_500 }).canary,
      async runSteps() {
        now += 5_000;
        return { outcome: 'ok', steps: [], marks: [], faultStartedAtMs: 2_002_900 };
      },
      faultTime: () => null,
    });
    expect(out.report.t0).toBe(new Date(2_002_900).toISOString());
    expect(out.report.rto_ms).toBe(600);

    let fake: ReturnType<typeof fakeCanary> | undefined;
    await expect(
      runDrill({
        runbook: { id: 'z', title: 'Z', path: 'z.md', targets: {} },
        system: 'redis',
        clock,
        warmupMs: 1,
        startCanary: async (c) => (fake = fakeCanary(c, { from: 0, to: 0 })).canary,
        runSteps: async () => {
          throw new Error('runner broke');
        },
      }),
    ).rejects.toThrow('runner broke');
    expect(fake!.calls).toEqual(['close']);
  });

  it('still builds the report when the read-back fails after a failed run: writes lost not counted, why in the RPO verdict and every rendering', async () => {
    let now = 3_000_000;
    const clock: DrillClock = { now: () => now, wall: () => now };
    let fake: ReturnType<typeof fakeCanary> | undefined;
    const said: string[] = [];
    const out = await runDrill({
      runbook: { id: 'r', title: 'R', path: 'r.md', targets: { rtoMs: 300_000, rpoMs: 60_000 }, drill: { system: 'postgresql', fault: 'region-loss' } },
      system: 'postgresql',
      clock,
      warmupMs: 1,
      settleMs: 1,
      progress: (line) => said.push(line),
      startCanary: async (c) => {
        fake = fakeCanary(c, { from: 3_001_000, to: 4_000_000 });
        fake.canary.verify = async () => {
          throw new Error('canary: cannot read back hatui_canary from via db.example (DNS 127.0.0.1:53): timeout expired');
        };
        return fake.canary;
      },
      async runSteps() {
        now += 10_000;
        return { outcome: 'failed', steps: [{ id: 'fault', outcome: 'ok' }, { id: 'activate', outcome: 'failed' }], marks: [], faultStartedAtMs: 3_001_000 };
      },
    });
    expect(out.present).toBeNull();
    expect(out.report.rpo_lost_writes).toBeNull();
    expect(out.report.canary.present).toBeNull();
    expect(out.report.verdicts.rpo.status).toBe('fail');
    expect(out.report.verdicts.rpo.reason).toContain('read back failed (canary: cannot read back hatui_canary from via db.example (DNS 127.0.0.1:53): timeout expired)');
    expect(out.report.pass).toBe(false);
    expect(said.some((l) => l.startsWith('read-back failed: canary: cannot read back'))).toBe(true);
    expect(fake!.calls).toContain('close');
    const md = renderMarkdown(out.report);
    expect(md).toMatch(/\| `rpo_lost_writes` \| acknowledged writes lost \| null \| not counted \|/);
    expect(md).toContain('present afterwards not read back');
    expect(renderTerminalChart(out.report)).toContain('not counted');
  });
});

describe('hatui drill command', () => {
  const stderr: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    stderr.length = 0;
  });
  const capture = () => {
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  };

  it('exits 2 for usage errors and unknown flags', async () => {
    capture();
    expect(await main(['drill'])).toBe(2);
    expect(stderr.join('')).toMatch(/exactly one runbook file, or --all/);
    expect(await main(['drill', 'a.md', '--bogus'])).toBe(2);
    expect(await main(['drill', '--help'])).toBe(0);
  });

  it('refuses a runbook without a drill scenario, naming it', async () => {
    capture();
    const dir = mkdtempSync(join(tmpdir(), 'hatui-drill-cmd-'));
    writeFileSync(join(dir, 'inv.yaml'), 'environment: lab\nhosts: {}\nclusters: {}\n');
    writeFileSync(join(dir, 'plain.md'), '---\nid: plain\ntitle: Plain\n---\n\n## One\n\n```sh {host=local}\ntrue\n```\n');
    expect(await main(['drill', join(dir, 'plain.md'), '--inventory', join(dir, 'inv.yaml')])).toBe(2);
    expect(stderr.join('')).toMatch(/plain\.md: not a drill runbook/);
  });

  it('picks per-runbook sections of an answers file, or the whole file', () => {
    const text = 'drill-a:\n  fault: pg\n  prepare: { checklist: all }\ndrill-b:\n  fault: redis\n';
    expect(answersFor('drill-a', { path: 'a.yaml', text })).toEqual({ fault: { confirm: 'pg' }, prepare: { checklist: 'all' } });
    expect(answersFor('drill-b', { path: 'a.yaml', text }).fault).toEqual({ confirm: 'redis' });
    expect(answersFor('other', { path: 'a.yaml', text: 'fault: pg\n' })).toEqual({ fault: { confirm: 'pg' } });
    expect(answersFor('other', { path: '', text: '' })).toEqual({});
  });
});
