// Lab bring-up time from nothing (empty dir, no process): median of 3 runs, with its own port base and
// directory (HATUI_BENCH_LAB_PORT_BASE, default 56700; /tmp/hatui-bench-lab) so no other lab is touched.
// Target (issue 4): whole lab up in under 30 s after install. Also shows the parts side by side.
import { labDown, labSettings, labUp, type LabPart } from '../source/lab/index.js';

const settings = labSettings({
  HATUI_LAB_PORT_BASE: process.env.HATUI_BENCH_LAB_PORT_BASE ?? '56700',
  HATUI_LAB_DIR: process.env.HATUI_BENCH_LAB_DIR ?? '/tmp/hatui-bench-lab',
});
const runs = Number(process.env.HATUI_BENCH_LAB_RUNS ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(parts?: LabPart[]): Promise<{ up: number[]; down: number[]; marks: Record<string, number[]> }> {
  const up: number[] = [];
  const down: number[] = [];
  const marks: Record<string, number[]> = {};
  await labDown(settings);
  for (let i = 0; i < runs; i++) {
    const began = Date.now();
    const result = await labUp(settings, parts, {
      log: (line) => {
        const m = /^(\w+): .*\((\d+\.\d) s\)$/.exec(line);
        if (m) (marks[m[1]!] ??= []).push(Number(m[2]) * 1000);
      },
    });
    up.push(result.durationMs || Date.now() - began);
    const downBegan = Date.now();
    await labDown(settings);
    down.push(Date.now() - downBegan);
  }
  return { up, down, marks };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
try {
  const all = await measure();
  const rows: [string, string, string][] = [['whole lab up from nothing', fmt(median(all.up)), all.up.map(fmt).join(', ')]];
  for (const [part, values] of Object.entries(all.marks)) rows.push([`  ${part} healthy at`, fmt(median(values)), values.map(fmt).join(', ')]);
  rows.push(['lab down (remove data)', fmt(median(all.down)), all.down.map(fmt).join(', ')]);
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`lab bring-up, ${runs} runs, ports ${settings.portBase}+, ${settings.dir} (target < 30 s)\n`);
  process.stdout.write(`${'what'.padEnd(width)}  median   runs\n`);
  for (const [what, med, each] of rows) process.stdout.write(`${what.padEnd(width)}  ${med.padEnd(7)}  ${each}\n`);
  const ratio = median(all.up) / 30_000;
  process.stdout.write(`median / 30 s target = ${ratio.toFixed(2)}\n`);
} finally {
  await labDown(settings).catch(() => {});
}
