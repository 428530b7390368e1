// The etcd anchor (HATUI_ANCHOR_ETCD): every head also goes to an etcd key off the box, `audit verify`
// checks it and says so, and a run whose etcd anchor failed says it was anchored only locally.
// The etcd here is a stand-in for the v3 JSON gateway's /v3/kv/put and /v3/kv/range (the lab test
// test/lab/audit-anchor-etcd.test.ts uses the lab's real three-member etcd).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openAuditLog } from '../../source/adapters/audit-file/writer.js';
import { loadLog, verifyLoaded } from '../../source/adapters/audit-file/read.js';
import { anchorsPath } from '../../source/adapters/audit-file/paths.js';
import { checkEtcdAnchor, etcdAnchorKey, parseEtcdEndpoints, readEtcdAnchor } from '../../source/adapters/audit-file/anchor-etcd.js';
import { privateBundle, type Bundle } from './bundle.js';
import { sampleEvents } from './fixtures.js';

const kv = new Map<string, string>();
let puts = 0;
let server: Server;
let url: string;
let dir: string;
let bundle: Bundle;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const json = JSON.parse(body) as { key: string; value?: string };
      const key = Buffer.from(json.key, 'base64').toString('utf8');
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v3/kv/put') {
        puts++;
        kv.set(key, json.value!);
        res.end('{"header":{}}');
      } else if (req.url === '/v3/kv/range') {
        const value = kv.get(key);
        res.end(JSON.stringify(value === undefined ? { header: {} } : { header: {}, kvs: [{ key: json.key, value }], count: '1' }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'hatui-anchor-etcd-'));
  bundle = await privateBundle();
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
  bundle?.remove();
});

const event = (i: number) => ({ type: 'note', at: new Date().toISOString(), text: `record ${i}` }) as const;

async function writeRun(runId: string, stateDir: string, endpoints: string[] | null, records = 5) {
  const writer = await openAuditLog({ stateDir, runId, runbookId: 'demo', anchorCommand: null, etcdAnchor: endpoints ? { endpoints } : null });
  await writer.append(sampleEvents(runId)[0]!);
  for (let i = 1; i < records; i++) await writer.append(event(i));
  await writer.close();
  return writer;
}

/** Cuts the last `n` records off the log and off the local anchors file alike: what an attacker on the box can do. */
function cutBoth(log: string, stateDir: string, n: number) {
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  writeFileSync(log, lines.slice(0, -n).join('\n') + '\n');
  const anchors = readFileSync(anchorsPath(stateDir), 'utf8').trimEnd().split('\n');
  writeFileSync(anchorsPath(stateDir), anchors.slice(0, -n).join('\n') + '\n');
}

describe('etcd anchor', () => {
  it('puts the final head at hatui/anchors/<runId> and the run says it was anchored off the box', async () => {
    const stateDir = join(dir, 'a');
    const writer = await writeRun('etcd-a', stateDir, [url]);
    const head = writer.head()!;
    expect(await readEtcdAnchor({ endpoints: [url] }, 'etcd-a')).toEqual({ endpoint: url, key: etcdAnchorKey('etcd-a'), head });
    expect(writer.anchorSummary!()).toBe(`anchored off the box: etcd ${url} key hatui/anchors/etcd-a at head ${head.seq}:${head.hash} (and local anchors file ${anchorsPath(stateDir)})`);
  });

  it('tries the next member when the first does not answer', async () => {
    const dead = 'http://127.0.0.1:9'; // discard port: connection refused
    const writer = await writeRun('etcd-b', join(dir, 'b'), [dead, url]);
    expect((await readEtcdAnchor({ endpoints: [dead, url] }, 'etcd-b')).head).toEqual(writer.head());
  });

  it('a lost etcd does not stop the run: it says the run was anchored only locally from the failed record on', async () => {
    const writer = await writeRun('etcd-c', join(dir, 'c'), ['http://127.0.0.1:9']);
    expect(writer.failure()).toBeNull();
    expect(writer.head()!.seq).toBe(5);
    expect(writer.anchorSummary!()).toMatch(/^anchored only locally from seq 1 on \(local anchors file .*\): the etcd anchor failed: no etcd member took the anchor \(http:\/\/127\.0\.0\.1:9: /);
  });

  it('without an etcd anchor the run says plainly it was anchored only locally', async () => {
    const writer = await writeRun('etcd-d', join(dir, 'd'), null);
    expect(writer.anchorSummary!()).toMatch(/^anchored only locally \(local anchors file .*; no off-box anchor: set HATUI_ANCHOR_ETCD\)$/);
  });

  it('a tail cut from the log and the local anchors file together passes the local check but not the etcd one', async () => {
    const stateDir = join(dir, 'e');
    const writer = await writeRun('etcd-e', stateDir, [url]);
    cutBoth(writer.path, stateDir, 2);
    const log = loadLog(writer.path);
    expect(verifyLoaded(log, { stateDir }).status).toBe('intact');
    const offBox = await checkEtcdAnchor({ endpoints: [url] }, 'etcd-e');
    expect(offBox.checked).toBe(`etcd ${url} key hatui/anchors/etcd-e: head 5:${writer.head()!.hash}`);
    const report = verifyLoaded(log, { stateDir, offBoxHeads: offBox.heads });
    expect(report).toMatchObject({ status: 'tampered', kind: 'truncated' });
    expect(report.message).toContain('the log ends at seq 3 but the anchor records head 5:');
  });

  it('where the local anchors file and etcd disagree on a head, the log must match the etcd one', async () => {
    const stateDir = join(dir, 'f');
    const writer = await writeRun('etcd-f', stateDir, [url]);
    // Replace the whole local anchors file's heads for this run with a forged final hash.
    const forged = readFileSync(anchorsPath(stateDir), 'utf8').replaceAll(writer.head()!.hash, 'f'.repeat(64));
    writeFileSync(anchorsPath(stateDir), forged);
    const offBox = await checkEtcdAnchor({ endpoints: [url] }, 'etcd-f');
    // The etcd head wins over the forged local one at the same seq: the real log matches etcd.
    expect(verifyLoaded(loadLog(writer.path), { stateDir, offBoxHeads: offBox.heads }).status).toBe('intact');
    expect(verifyLoaded(loadLog(writer.path), { stateDir }).status).toBe('tampered');
  });

  it('hatui audit verify --anchor-etcd names the anchors it checked and fails a tail cut on the box', async () => {
    const stateDir = join(dir, 'g');
    const writer = await writeRun('etcd-g', join(stateDir, 'hatui'), [url]);
    // Async child: the stand-in etcd answers from this process's event loop.
    const verify = (...extra: string[]) =>
      new Promise<{ status: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [bundle.bin, 'audit', 'verify', writer.path, ...extra], { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: stateDir, XDG_CONFIG_HOME: join(stateDir, 'config') } }, (error, stdout, stderr) =>
          resolve({ status: error ? Number((error as { code?: number }).code) : 0, stdout: stdout + stderr }),
        );
      });
    const ok = await verify('--anchor-etcd', url);
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toContain(`anchor checked: local anchors file ${anchorsPath(join(stateDir, 'hatui'))}: 5 head(s) for this run`);
    expect(ok.stdout).toContain(`anchor checked: etcd ${url} key hatui/anchors/etcd-g: head 5:${writer.head()!.hash}`);
    const none = await verify();
    expect(none.stdout).toContain('anchor checked: no off-box anchor configured (HATUI_ANCHOR_ETCD unset): local anchors file only');
    cutBoth(writer.path, join(stateDir, 'hatui'), 1);
    const cut = await verify('--anchor-etcd', url);
    expect(cut.status).toBe(1);
    expect(cut.stdout).toContain('TAMPERED');
    expect(cut.stdout).toContain('truncated');
    expect((await verify('--anchor-etcd', 'ftp://x')).status).toBe(2);
  });

  it('parses member lists and rejects what is not http(s)', () => {
    expect(parseEtcdEndpoints(' http://a:2379/, https://b:2379 ', 'X')).toEqual(['http://a:2379', 'https://b:2379']);
    expect(() => parseEtcdEndpoints('a:2379', 'HATUI_ANCHOR_ETCD')).toThrow("HATUI_ANCHOR_ETCD: 'a:2379' is not");
    expect(puts).toBeGreaterThan(0);
  });
});
