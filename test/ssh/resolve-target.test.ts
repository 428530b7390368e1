// Selector resolution from the probes' snapshot: the shipped probes' targets and combine, each target answered with
// recorded response shapes (test/fixtures/samples/ from the real lab servers), so the resolver's roles are the
// probe's by construction. The lab tests cover the real servers; these cover mapping, majorities and messages.
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { ROLES } from '../../source/core/inventory/roles.js';
import { createTargetResolver, LIVE_ROLES } from '../../source/services/resolve-target.js';
import { sampleJson, sampleText } from '../probes/samples.js';
import { etcdAnswer, nodeAnswer, patroniAnswer, probeDoubles, REAL, sentinelAnswer } from '../support/probe-doubles.js';
import { snapshotCluster } from '../../source/services/snapshot.js';

const clusterSample = sampleText('patroni/cluster.leader.json');
const replicasSample = sampleJson('redis/sentinel_replicas.json') as Array<Record<string, string>>;
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

const primaryRole = JSON.stringify({ members: [{ name: 'pg1', role: 'replica', state: 'streaming', host: '127.0.0.1', port: 55431, lag: 0 }, { name: 'pg2', role: 'primary', state: 'running', host: '127.0.0.1', port: 55432 }, { name: 'pg3', role: 'sync_standby', state: 'streaming', host: '127.0.0.1', port: 55433, lag: 0 }] });
const nodeOf = (masterPort: string) => nodeAnswer({ role: 'slave', master_host: '127.0.0.1', master_port: masterPort, master_link_status: 'up', slave_repl_offset: '10' });

describe('roles: what validate accepts, the resolver answers', () => {
  it('every role in the selector table (validate, plan) besides members is a live role of the resolver', () => {
    for (const [kind, roles] of Object.entries(ROLES)) {
      for (const role of roles.filter((r) => r !== 'members')) expect(LIVE_ROLES[kind as keyof typeof ROLES] ?? [], `${kind}.${role}`).toContain(role);
    }
  });
});

describe('createTargetResolver', () => {
  it('resolves local, host names and member names without live state', async () => {
    const seen: string[] = [];
    const r = createTargetResolver(inventory, { probeFor: probeDoubles({}, { seen }) });
    expect(await r.resolve('local')).toEqual([{ selector: 'local', host: 'local' }]);
    expect(await r.resolve('db1')).toEqual([{ selector: 'db1', host: 'db1', address: '10.0.0.1:2222' }]);
    expect(await r.resolve('pg.pg2')).toEqual([{ selector: 'pg.pg2', host: 'db2', address: '10.0.0.2:22' }]);
    expect(await r.resolve('tools')).toEqual([{ selector: 'tools', host: 'tools' }]);
    expect((await r.resolve('pg.members')).map((t) => t.host)).toEqual(['db1', 'db2', 'db3']);
    expect(seen).toEqual([]);
  });

  it("takes Patroni roles from the probe's snapshot (one member answering is enough) and maps them to hosts", async () => {
    const r = createTargetResolver(inventory, { probeFor: probeDoubles({ 'http://127.0.0.1:58002': patroniAnswer(JSON.parse(clusterSample)) }) });
    expect((await r.resolve('pg.leader')).map((t) => t.host)).toEqual(['db3']);
    expect((await r.resolve('pg.replicas')).map((t) => t.host)).toEqual(['db1', 'db2']);
    expect((await r.resolve('pg.sync-standby')).map((t) => t.host)).toEqual(['db1']);
  });

  it("agrees with the Patroni probe when Patroni reports role 'primary'", async () => {
    const probeFor = probeDoubles({ 'http://127.0.0.1:58001': patroniAnswer(JSON.parse(primaryRole)) });
    const state = await snapshotCluster('pg', inventory.clusters.pg!, inventory, { probeFor });
    expect(state.kind === 'patroni' && state.leader).toBe('pg2');
    const r = createTargetResolver(inventory, { probeFor });
    expect((await r.resolve('pg.leader')).map((t) => t.host)).toEqual(['db2']);
    expect((await r.resolve('pg.replicas')).map((t) => t.host)).toEqual(['db1', 'db3']);
  });

  it('names the selector and every member tried when no Patroni member answers', async () => {
    const r = createTargetResolver(inventory, { probeFor: probeDoubles({ 'http://127.0.0.1:58003': () => { throw new Error('HTTP 503'); } }) });
    const error = await r.resolve('pg.leader').catch((e: Error) => e);
    expect(String(error)).toContain('host=pg.leader: no Patroni member answered /cluster');
    expect(String(error)).toContain('http://127.0.0.1:58001 → connect ECONNREFUSED');
    expect(String(error)).toContain('HTTP 503');
  });

  it("names an unreadable auth credential of the cluster (the Sentinel probe reads it before it connects)", async () => {
    const withAuth: Inventory = { ...inventory, clusters: { ...inventory.clusters, redis: { ...inventory.clusters.redis!, credentials: { auth: { env: 'HATUI_TEST_REDIS_AUTH' } } } } };
    const real = Object.fromEntries(['127.0.0.1:56390', '127.0.0.1:56391', '127.0.0.1:56392'].map((a) => [a, () => REAL]));
    const unset = createTargetResolver(withAuth, { probeFor: probeDoubles(real, { credentials: { env: {}, readFile: () => '' } }) });
    await expect(unset.resolve('redis.master')).rejects.toThrow('clusters.redis.credentials.auth: environment variable HATUI_TEST_REDIS_AUTH is not set');
  });

  it('takes the master only from a majority of sentinels and maps replicas by endpoint or port', async () => {
    const answers: Record<string, () => unknown> = {
      '127.0.0.1:56390': sentinelAnswer('127.0.0.1:56379', replicasResp),
      '127.0.0.1:56391': sentinelAnswer('127.0.0.1:56379', replicasResp),
      '127.0.0.1:56379': nodeAnswer({ role: 'master', master_repl_offset: '10' }),
      '127.0.0.1:56380': nodeOf('56379'),
      '127.0.0.1:56381': nodeOf('56379'),
    };
    const r = createTargetResolver(inventory, { probeFor: probeDoubles(answers) });
    expect((await r.resolve('redis.master')).map((t) => t.host)).toEqual(['r1']);
    expect((await r.resolve('redis.replicas')).map((t) => t.host).sort()).toEqual(['r2', 'r3']);

    // Sentinels disagree: the probe still names the most-named master, the resolver needs a majority of all three.
    answers['127.0.0.1:56391'] = sentinelAnswer('127.0.0.1:56380', replicasResp);
    const probeFor = probeDoubles(answers);
    const state = await snapshotCluster('redis', inventory.clusters.redis!, inventory, { probeFor });
    expect(state.kind === 'redis-sentinel' && state.agreement).toBe(false);
    const split = await createTargetResolver(inventory, { probeFor }).resolve('redis.master').catch((e: Error) => e);
    expect(String(split)).toMatch(/no majority of sentinels \(2 of 3\)/);
    expect(String(split)).toContain('127.0.0.1:56392 → connect ECONNREFUSED');
  });

  it("takes the etcd leader from the etcd probe's snapshot", async () => {
    const etcd: Inventory = { ...inventory, clusters: { dcs: { kind: 'etcd', members: [{ name: 'e1', host: 'db1', endpoint: 'http://127.0.0.1:52379' }, { name: 'e2', host: 'db2', endpoint: 'http://127.0.0.1:52381' }] } } };
    const r = createTargetResolver(etcd, { probeFor: probeDoubles({ 'http://127.0.0.1:52379': etcdAnswer(false), 'http://127.0.0.1:52381': etcdAnswer(true) }) });
    expect((await r.resolve('dcs.leader')).map((t) => t.host)).toEqual(['db2']);
    const none = createTargetResolver(etcd, { probeFor: probeDoubles({ 'http://127.0.0.1:52379': etcdAnswer(false) }) });
    await expect(none.resolve('dcs.leader')).rejects.toThrow(/no etcd member reports itself leader \(http:\/\/127.0.0.1:52381 → connect ECONNREFUSED/);
  });

  it('refuses unknown clusters and roles with a message naming the selector', async () => {
    const r = createTargetResolver(inventory, { probeFor: probeDoubles({}) });
    await expect(r.resolve('nope')).rejects.toThrow(/host=nope: no inventory host or cluster/);
    await expect(r.resolve('pg.primary')).rejects.toThrow(/host=pg.primary: 'primary' is not a role/);
    await expect(r.resolve('kafka.controller')).rejects.toThrow(/host=kafka.controller/);
  });

  it('adds the verified host-key fingerprint from the transport', async () => {
    const r = createTargetResolver(inventory, { hostKey: async (host) => ({ address: `${host}-addr:22`, fingerprint: `SHA256:${host}` }) });
    expect(await r.resolve('db2')).toEqual([{ selector: 'db2', host: 'db2', address: 'db2-addr:22', fingerprint: 'SHA256:db2' }]);
  });
});
