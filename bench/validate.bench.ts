// Issue 3 benchmark 6: validate 200 generated runbooks of 50 steps each (goal: < 1 s total) and compare with
// plain remark parsing (same plugins) of the same texts in the same run (goal: validate ≤ 2× remark).
import { performance } from 'node:perf_hooks';
import { parseMarkdown } from '../source/core/runbook/document.js';
import { parseRunbook } from '../source/core/runbook/parse.js';

const RUNBOOKS = 200;
const STEPS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function generate(n: number): string {
  const lines = [
    '---',
    `id: generated-${n}`,
    `title: Generated runbook ${n}`,
    'tags: [bench]',
    'clusters: [pg]',
    'vars:',
    '  target: {default: pg2, description: candidate}',
    '  mode: {default: planned, choices: [planned, crash]}',
    '  token: {secret: true}',
    'targets: {rto: 5m, rpo: 0}',
    '---',
    '',
    `# Generated ${n}`,
    '',
  ];
  for (let s = 0; s < STEPS; s++) {
    const attrs = [`#s${s}`, s % 5 === 0 ? `when="vars.mode == 'planned'"` : '', s % 7 === 0 ? 'confirm=yes' : '', s % 3 === 0 ? 'on-fail=rollback' : '', s % 4 === 0 ? 'retries=2 timeout=2m' : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`## Step ${s} of runbook ${n} {${attrs}}`, '', `Prose for step ${s}: check the **leader** and the replicas before going on.`, '');
    if (s % 6 === 0) lines.push('> [!WARNING]', '> This step touches the cluster.', '');
    if (s % 4 === 1) lines.push('- [ ] tell the team', '- [ ] open the ticket', '');
    if (s % 5 === 2) lines.push('```preflight', `clusters.pg.members.all(m, m.lag < 1000)`, '```', '');
    lines.push('```sh {host=local capture=c' + s + ' timeout=30s}', `echo {{ target }} {{ token }} step-${s}`, s > 0 ? `echo {{ captures.c${s - 1}.stdout }}` : 'true', '```', '');
    lines.push('```check', `captures.c${s}.exitCode == 0`, `captures.c${s}.stdout != "" && vars.target == 'pg2'`, '```', '');
  }
  lines.push('## Roll back {#rollback}', '', '```sh {host=local}', 'echo rollback {{ target }}', '```', '');
  return lines.join('\n');
}

const texts = Array.from({ length: RUNBOOKS }, (_, i) => generate(i));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

// Sanity: the generated runbooks are valid (a benchmark of failing validation would measure the wrong thing).
const sample = parseRunbook(texts[0]!, 'gen-0.md');
if (!sample.runbook) {
  console.error(sample.problems.slice(0, 5));
  process.exit(1);
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

// Warm up both paths once (JIT).
time(() => texts.slice(0, 20).forEach((t) => parseMarkdown(t)));
time(() => texts.slice(0, 20).forEach((t, i) => parseRunbook(t, `w${i}.md`)));

// Side by side at fine grain: each text is parsed by remark and validated back to back, alternating which
// goes first, so load from other work on this shared machine falls on both sides alike.
const remark: number[] = [];
const validate: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  let rSum = 0;
  let vSum = 0;
  texts.forEach((t, i) => {
    if ((i + r) % 2 === 0) {
      rSum += time(() => parseMarkdown(t));
      vSum += time(() => parseRunbook(t, `gen-${i}.md`));
    } else {
      vSum += time(() => parseRunbook(t, `gen-${i}.md`));
      rSum += time(() => parseMarkdown(t));
    }
  });
  remark.push(rSum);
  validate.push(vSum);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rm = median(remark);
const vm = median(validate);
const ratio = vm / rm;
console.log(`validate: ${RUNBOOKS} runbooks × ${STEPS} steps (${(bytes / 1024 / 1024).toFixed(1)} MiB), median of ${ROUNDS} rounds`);
console.log(`  plain remark parse (same plugins)  ${rm.toFixed(0).padStart(6)} ms`);
console.log(`  parse + validate                   ${vm.toFixed(0).padStart(6)} ms   (goal < 1000 ms: ${vm < 1000 ? 'met' : 'MISSED'})`);
console.log(`  ratio validate / remark            ${ratio.toFixed(2).padStart(6)} ×   (goal ≤ 2×: ${ratio <= 2 ? 'met' : 'MISSED'})`);
