// Audit log benchmark: records appended per second with fsync (write-ahead records) and without
// (output chunks, batched until the next durable record), and `verifyLog` time for a 100,000-record log.
// Side by side in one run: the raw cost of write+fsync of the same bytes, as the floor.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditLog } from '../source/adapters/audit-file/writer.js';
import { nextRecord, serializeRecord, type Head } from '../source/core/audit/record.js';
import { verifyLogText } from '../source/core/audit/verify.js';
import type { RunEvent } from '../source/core/engine/events.js';

const dir = mkdtempSync(join(process.env.HATUI_BENCH_DIR ?? tmpdir(), 'hatui-audit-bench-'));
const rows: [string, string][] = [];
const at = () => new Date().toISOString();
const started = (i: number): RunEvent => ({ type: 'command-started', at: at(), stepId: 's', commandIndex: i, target: { selector: 'local', host: 'local' }, command: `echo ${i}` });
const output = (i: number): RunEvent => ({ type: 'command-output', at: at(), stepId: 's', commandIndex: 0, stream: 'stdout', data: `line ${i} ${'x'.repeat(60)}\n` });

async function appendRate(label: string, count: number, make: (i: number) => RunEvent) {
  const writer = await openAuditLog({ stateDir: join(dir, label), runId: label, runbookId: 'bench', anchorCommand: null });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await writer.append(make(i));
  await writer.close();
  const ms = performance.now() - t0;
  return { perSecond: (count / ms) * 1000, ms };
}

function rawFsyncRate(count: number) {
  const path = join(dir, 'raw.log');
  const line = serializeRecord(nextRecord(null, started(0), at())) + '\n';
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const fd = openSync(path, 'a');
    writeSync(fd, line);
    fsyncSync(fd);
    closeSync(fd);
  }
  return (count / (performance.now() - t0)) * 1000;
}

const durable = await appendRate('durable', 500, started);
const raw = rawFsyncRate(500);
const batched = await appendRate('batched', 20_000, output);
rows.push(['append with fsync (write-ahead records)', `${durable.perSecond.toFixed(0)} records/s`]);
rows.push(['raw open+write+fsync+close, same bytes (floor)', `${raw.toFixed(0)} writes/s (audit = ${(raw / durable.perSecond).toFixed(2)}× slower: log + anchors file)`]);
rows.push(['append output chunks (no fsync until the finish record)', `${batched.perSecond.toFixed(0)} records/s`]);

// A 100,000-record log built in memory (chained like the writer does), then verified.
const N = 100_000;
let head: Head | null = null;
const lines: string[] = [];
for (let i = 0; i < N; i++) {
  const record = nextRecord(head, i % 5 === 0 ? started(i) : output(i), at());
  head = { seq: record.seq, hash: record.hash };
  lines.push(serializeRecord(record));
}
const text = lines.join('\n') + '\n';
const t0 = performance.now();
const report = verifyLogText(text, { anchorHead: head! });
const verifyMs = performance.now() - t0;
if (report.status !== 'intact') throw new Error(`bench log did not verify: ${report.message}`);
rows.push([`verify ${N.toLocaleString('en')} records (${(text.length / 1e6).toFixed(1)} MB)`, `${verifyMs.toFixed(0)} ms (${((N / verifyMs) * 1000).toFixed(0)} records/s)`]);

rmSync(dir, { recursive: true, force: true });
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
