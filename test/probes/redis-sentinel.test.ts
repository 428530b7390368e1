import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { combineRedisSentinel, parseInfo, parseSentinelReplies, type RedisObservation } from '../../source/adapters/probes/redis-sentinel.js';
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
