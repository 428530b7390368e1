// Selector resolution with recorded response shapes (samples/ from the real lab servers) behind doubles:
// the lab tests cover the real servers; these cover mapping, majorities and error messages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { ROLES } from '../../source/core/inventory/roles.js';
import { createTargetResolver, LIVE_ROLES } from '../../source/services/resolve-target.js';

const SAMPLES = '/work/shared/samples';
const clusterSample = readFileSync(`${SAMPLES}/patroni/cluster.leader.json`, 'utf8');
const replicasSample = JSON.parse(readFileSync(`${SAMPLES}/redis/sentinel_replicas.json`, 'utf8')) as Array<Record<string, string>>;
// `SENTINEL replicas` over RESP is a flat key/value array per replica.
const replicasResp = replicasSample.map((r) => Object.entries(r).flat());

const inventory: Inventory = {
  environment: 'lab',
  hosts: {
    db1: { address: '10.0.0.1', transport: 'ssh', ssh: { port: 2222 } },
    db2: { address: '10.0.0.2', transport: 'ssh' },
    db3: { address: '10.0.0.3', transport: 'ssh' },
    r1: { address: '127.0.0.1', transport: 'ssh' },
    r2: { address: '127.0.0.1', transport: 'ssh' },
    r3: { address: '127.0.0.1', transport: 'ssh' },
    tools: { address: '127.0.0.1', transport: 'local' },
  },
  clusters: {
    pg: {
      kind: 'patroni',
      members: [
        { name: 'pg1', host: 'db1', endpoint: 'http://127.0.0.1:58001' },
        { name: 'pg2', host: 'db2', endpoint: 'http://127.0.0.1:58002' },
        { name: 'pg3', host: 'db3', endpoint: 'http://127.0.0.1:58003' },
      ],
    },
    redis: {
      kind: 'redis-sentinel',
      masterName: 'hatui-lab',
      sentinels: ['127.0.0.1:56390', '127.0.0.1:56391', '127.0.0.1:56392'],
      members: [
        { name: 'redis1', host: 'r1', endpoint: '127.0.0.1:56379' },
        { name: 'redis2', host: 'r2', endpoint: '127.0.0.1:56380' },
        { name: 'redis3', host: 'r3', port: 56381 },
      ],
    },
    kafka: { kind: 'kafka', members: [{ name: 'k1', host: 'db1' }] },
  },
};

function fakeFetch(answers: Record<string, () => Response>): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const f = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    const answer = answers[url];
    if (!answer) throw new TypeError(`fetch failed: connect ECONNREFUSED (${url})`);
    return answer();
  }) as typeof fetch & { calls: string[] };
  f.calls = calls;
  return f;
}

const json = (body: string, status = 200) => () => new Response(body, { status, headers: { 'content-type': 'application/json' } });

describe('roles: what validate accepts, the resolver answers', () => {
  it('every role in the selector table (validate, plan) besides members is a live role of the resolver', () => {
    for (const [kind, roles] of Object.entries(ROLES)) {
      for (const role of roles.filter((r) => r !== 'members')) expect(LIVE_ROLES[kind as keyof typeof ROLES] ?? [], `${kind}.${role}`).toContain(role);
    }
  });
});

describe('createTargetResolver', () => {
  it('resolves local, host names and member names without live state', async () => {
    const r = createTargetResolver(inventory, { fetch: fakeFetch({}) });
    expect(await r.resolve('local')).toEqual([{ selector: 'local', host: 'local' }]);
    expect(await r.resolve('db1')).toEqual([{ selector: 'db1', host: 'db1', address: '10.0.0.1:2222' }]);
    expect(await r.resolve('pg.pg2')).toEqual([{ selector: 'pg.pg2', host: 'db2', address: '10.0.0.2:22' }]);
    expect(await r.resolve('tools')).toEqual([{ selector: 'tools', host: 'tools' }]);
    expect((await r.resolve('pg.members')).map((t) => t.host)).toEqual(['db1', 'db2', 'db3']);
  });

  it('asks Patroni /cluster on the first member that answers, and maps roles to hosts', async () => {
    const f = fakeFetch({ 'http://127.0.0.1:58002/cluster': json(clusterSample) });
    const r = createTargetResolver(inventory, { fetch: f });
    expect((await r.resolve('pg.leader')).map((t) => t.host)).toEqual(['db3']);
    expect((await r.resolve('pg.replicas')).map((t) => t.host)).toEqual(['db1', 'db2']);
    expect((await r.resolve('pg.sync-standby')).map((t) => t.host)).toEqual(['db1']);
    expect(f.calls.slice(0, 2)).toEqual(['http://127.0.0.1:58001/cluster', 'http://127.0.0.1:58002/cluster']);
  });

  it('names the selector and every member tried when no Patroni member answers', async () => {
    const r = createTargetResolver(inventory, { fetch: fakeFetch({ 'http://127.0.0.1:58003/cluster': json('oops', 503) }) });
    const error = await r.resolve('pg.leader').catch((e: Error) => e);
    expect(String(error)).toContain('host=pg.leader: no Patroni member answered /cluster');
    expect(String(error)).toContain('http://127.0.0.1:58001/cluster');
    expect(String(error)).toContain('HTTP 503');
  });

  it("sends the cluster's auth credential to every Sentinel it asks, and names an unreadable one", async () => {
    const withAuth: Inventory = { ...inventory, clusters: { ...inventory.clusters, redis: { ...inventory.clusters.redis!, credentials: { auth: { env: 'HATUI_TEST_REDIS_AUTH' } } } } };
    const seen: Array<string | undefined> = [];
    const redisCommand = async (_endpoint: string, args: string[], _timeoutMs: number, auth?: string) => {
      seen.push(auth);
      return args[1] === 'replicas' ? replicasResp : ['127.0.0.1', '56379'];
    };
    const r = createTargetResolver(withAuth, { redisCommand, credentials: { env: { HATUI_TEST_REDIS_AUTH: 's3cret' }, readFile: () => '' } });
    expect((await r.resolve('redis.master')).map((t) => t.host)).toEqual(['r1']);
    expect(seen).toEqual(['s3cret', 's3cret', 's3cret']);
    const unset = createTargetResolver(withAuth, { redisCommand, credentials: { env: {}, readFile: () => '' } });
    await expect(unset.resolve('redis.master')).rejects.toThrow('clusters.redis.credentials.auth: environment variable HATUI_TEST_REDIS_AUTH is not set');
  });

  it('takes the master only from a majority of sentinels and maps replicas by endpoint or port', async () => {
    const replies: Record<string, unknown> = {
      '127.0.0.1:56390': ['127.0.0.1', '56379'],
      '127.0.0.1:56391': ['127.0.0.1', '56379'],
    };
    const redisCommand = async (endpoint: string, args: string[]) => {
      if (args[1] === 'replicas') return replicasResp;
      if (endpoint in replies) return replies[endpoint];
      throw new Error('connect ECONNREFUSED');
    };
    const r = createTargetResolver(inventory, { redisCommand });
    expect((await r.resolve('redis.master')).map((t) => t.host)).toEqual(['r1']);
    expect((await r.resolve('redis.replicas')).map((t) => t.host).sort()).toEqual(['r2', 'r3']);

    replies['127.0.0.1:56391'] = ['127.0.0.1', '56380'];
    const split = await r.resolve('redis.master').catch((e: Error) => e);
    expect(String(split)).toMatch(/no majority of sentinels \(2 of 3\)/);
    expect(String(split)).toContain('127.0.0.1:56392 → connect ECONNREFUSED');
  });

  it('refuses unknown clusters and roles with a message naming the selector', async () => {
    const r = createTargetResolver(inventory, { fetch: fakeFetch({}) });
    await expect(r.resolve('nope')).rejects.toThrow(/host=nope: no inventory host or cluster/);
    await expect(r.resolve('pg.primary')).rejects.toThrow(/host=pg.primary: 'primary' is not a role/);
    await expect(r.resolve('kafka.controller')).rejects.toThrow(/host=kafka.controller/);
  });

  it('adds the verified host-key fingerprint from the transport', async () => {
    const r = createTargetResolver(inventory, { hostKey: async (host) => ({ address: `${host}-addr:22`, fingerprint: `SHA256:${host}` }) });
    expect(await r.resolve('db2')).toEqual([{ selector: 'db2', host: 'db2', address: 'db2-addr:22', fingerprint: 'SHA256:db2' }]);
  });
});
