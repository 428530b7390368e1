import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { combineRedisSentinel, createRedisSentinelProbe, parseInfo, parseSentinelReplies, type RedisObservation } from '../../source/adapters/probes/redis-sentinel.js';
import { encodeCommand, parseResp, respPipeline, RespError } from '../../source/adapters/probes/resp.js';
import type { TargetResult } from '../../source/adapters/probes/types.js';
import { redisSentinelStateSchema } from '../../source/core/cluster-state.js';
import { flatLines, sampleJson, sampleText } from './samples.js';

const masterPairs = flatLines('redis/sentinel_masters.txt');
const replicasJson = sampleJson('redis/sentinel_replicas.json') as Record<string, string>[];
const replicasFlat = replicasJson.map((r) => Object.entries(r).flat());

function sentinel(address: string, masterPort = '56379', at = 1000): TargetResult<RedisObservation> {
  const pairs = masterPairs.map((v, i) => (masterPairs[i - 1] === 'port' ? masterPort : v));
  return { id: `sentinel ${address}`, address, last: parseSentinelReplies(pairs, replicasFlat, 'OK 3 usable Sentinels. Quorum and failover authorization can be reached'), lastOkAt: at, error: null, startedAt: 0 };
}
function node(address: string, file: string): TargetResult<RedisObservation> {
  return { id: `node ${address}`, address, last: { type: 'node', info: parseInfo(sampleText(file)) }, lastOkAt: 1000, error: null, startedAt: 0 };
}
const cluster = { kind: 'redis-sentinel' as const, members: [], masterName: 'hatui-redis' };

describe('RESP codec', () => {
  it('round-trips arrays, bulk strings, nulls, integers and errors; waits for incomplete input', () => {
    const buf = Buffer.from('*4\r\n$3\r\nfoo\r\n:42\r\n$-1\r\n-ERR no\r\n');
    const parsed = parseResp(buf);
    expect(parsed?.value).toEqual(['foo', 42, null, new RespError('ERR no')]);
    expect(parseResp(Buffer.from('*2\r\n$3\r\nfoo\r\n'))).toBeUndefined();
    expect(encodeCommand(['SENTINEL', 'MASTER', 'é'])).toBe('*3\r\n$8\r\nSENTINEL\r\n$6\r\nMASTER\r\n$2\r\né\r\n');
  });

  let server: Server | undefined;
  afterAll(() => server?.close());
  it('gives up on a server that accepts but never answers (hung) when the signal fires', async () => {
    server = createServer(() => undefined);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await expect(respPipeline(`127.0.0.1:${port}`, [['PING']], AbortSignal.timeout(200))).rejects.toThrow(`127.0.0.1:${port}: timed out`);
  });
});

describe('redis-sentinel probe (samples from Redis 7.0.15)', () => {
  it('parses INFO replication of master and replica', () => {
    const m = parseInfo(sampleText('redis/info_replication.master.txt'));
    expect(m.role).toBe('master');
    expect(m.master_repl_offset).toBe('2503');
    const r = parseInfo(sampleText('redis/info_replication.replica-56380.txt'));
    expect([r.master_link_status, r.slave_repl_offset]).toEqual(['up', '2503']);
  });

  it('reports the master per Sentinel, quorum, agreement, replica links and offset lag', () => {
    const master = node('127.0.0.1:56379', 'redis/info_replication.master.txt');
    const replica = node('127.0.0.1:56380', 'redis/info_replication.replica-56380.txt');
    const state = combineRedisSentinel('redis', cluster, [sentinel('127.0.0.1:56390'), sentinel('127.0.0.1:56391'), master, replica], undefined, 1000);
    expect(redisSentinelStateSchema.parse(state)).toEqual(state);
    expect(state.master).toBe('127.0.0.1:56379');
    expect(state.agreement).toBe(true);
    expect(state.quorum).toBe(2);
    expect(state.sentinels.every((s) => s.quorumReachable === true)).toBe(true);
    expect(state.masterOffset).toBe(2503);
    const byAddress = Object.fromEntries(state.replicas.map((r) => [r.address, r]));
    // 56380 answered itself (INFO: link up, offset 2503); 56381 only via Sentinel (link ok, offset 1681).
    expect(byAddress['127.0.0.1:56380']).toMatchObject({ linkStatus: 'up', offset: 2503, offsetLag: 0 });
    expect(byAddress['127.0.0.1:56381']).toMatchObject({ linkStatus: 'ok', offset: 1681, offsetLag: 822 });
  });

  it('shows disagreement while Sentinels report different masters, and records the master change', () => {
    const before = combineRedisSentinel('redis', cluster, [sentinel('s1'), sentinel('s2')], undefined, 1000);
    const during = combineRedisSentinel('redis', cluster, [sentinel('s1', '56380'), sentinel('s2')], before, 2000);
    expect(during.agreement).toBe(false);
    const after = combineRedisSentinel('redis', cluster, [sentinel('s1', '56380'), sentinel('s2', '56380')], during, 3000);
    expect(after.agreement).toBe(true);
    expect(after.master).toBe('127.0.0.1:56380');
    expect(after.leaderChanges.at(-1)).toMatchObject({ from: '127.0.0.1:56379', to: '127.0.0.1:56380' });
  });

  it('treats a failed CKQUORUM as quorum not reachable, and a failed MASTER as an error', () => {
    expect(parseSentinelReplies(masterPairs, [], new RespError('NOQUORUM 1 usable Sentinels')).quorumOk).toBe(false);
    expect(() => parseSentinelReplies(new RespError('ERR No such master with that name'), [], null)).toThrow(/No such master/);
  });
});

/** A RESP server that, like Redis with `requirepass`, answers NOAUTH until AUTH with the right password. */
async function authServer(password: string): Promise<{ address: string; received: string[][]; close: () => void }> {
  const received: string[][] = [];
  const server = createServer((socket) => {
    let authed = false;
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (let parsed = parseResp(buf); parsed; parsed = parseResp(buf)) {
        buf = buf.subarray(parsed.next);
        const args = (parsed.value as string[]).map(String);
        received.push(args);
        const cmd = args.map((a) => a.toUpperCase()).slice(0, 2).join(' ');
        if (cmd.startsWith('AUTH')) {
          authed = args[1] === password;
          socket.write(authed ? '+OK\r\n' : '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
        } else if (!authed) socket.write('-NOAUTH Authentication required.\r\n');
        else if (cmd === 'SENTINEL MASTER') socket.write(encodeCommand(['name', 'm', 'ip', '127.0.0.1', 'port', '6379', 'quorum', '2', 'flags', 'master']));
        else if (cmd.startsWith('SENTINEL')) socket.write(cmd === 'SENTINEL CKQUORUM' ? '+OK 3 usable Sentinels\r\n' : '*0\r\n');
        else {
          const info = '# Replication\r\nrole:master\r\nmaster_repl_offset:7\r\n';
          socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${(server.address() as { port: number }).port}`, received, close: () => server.close() };
}

describe('redis-sentinel probe with auth (requirepass on Sentinels and nodes)', () => {
  it("sends the cluster's auth credential as AUTH first to Sentinels and data nodes; a wrong one names host:port", async () => {
    const srv = await authServer('s3cret');
    try {
      const cluster = { kind: 'redis-sentinel' as const, masterName: 'm', sentinels: [srv.address], members: [{ name: 'r1', host: 'r1', endpoint: srv.address }], credentials: { auth: { env: 'HATUI_TEST_REDIS_AUTH' } } };
      const inventory = { environment: 'lab' as const, hosts: { r1: { address: '127.0.0.1', transport: 'ssh' as const } }, clusters: { cache: cluster } };
      const targets = (env: Record<string, string>) => createRedisSentinelProbe({ env, readFile: () => '' }).targets('cache', cluster, inventory);
      const [sentinelTarget, nodeTarget] = targets({ HATUI_TEST_REDIS_AUTH: 's3cret' });
      const seen = await sentinelTarget!.fetch(AbortSignal.timeout(2000));
      expect(seen).toMatchObject({ type: 'sentinel', master: { ip: '127.0.0.1', port: '6379' }, quorumOk: true });
      expect(await nodeTarget!.fetch(AbortSignal.timeout(2000))).toMatchObject({ type: 'node', info: { role: 'master' } });
      expect(srv.received.filter((c) => c[0] === 'AUTH')).toEqual([['AUTH', 's3cret'], ['AUTH', 's3cret']]);

      const [wrong] = targets({ HATUI_TEST_REDIS_AUTH: 'nope' });
      await expect(wrong!.fetch(AbortSignal.timeout(2000))).rejects.toThrow(`${srv.address}: AUTH: WRONGPASS invalid username-password pair`);
      const [unset] = targets({});
      await expect(unset!.fetch(AbortSignal.timeout(2000))).rejects.toThrow('clusters.cache.credentials.auth: environment variable HATUI_TEST_REDIS_AUTH is not set');
    } finally {
      srv.close();
    }
  });
});
