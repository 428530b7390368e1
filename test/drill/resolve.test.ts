// Drill steps resolve hosts with the run's resolver: same roles, the host's own address, and the verified
// host-key fingerprint (the drill resolver used to default Redis members to 127.0.0.1 and carry no key).
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../source/core/inventory/model.js';
import { drillResolver } from '../../source/drill/resolve.js';
import { nodeAnswer, probeDoubles, sentinelAnswer } from '../support/probe-doubles.js';

const inventory: Inventory = {
  environment: 'lab',
  hosts: {
    r1: { address: '10.0.0.1', transport: 'ssh' },
    r2: { address: '10.0.0.2', transport: 'ssh', ssh: { port: 2222 } },
  },
  clusters: {
    redis: {
      kind: 'redis-sentinel',
      masterName: 'm',
      sentinels: ['10.0.0.1:26379', '10.0.0.2:26379', '[::1]:26379'],
      members: [
        { name: 'redis1', host: 'r1', port: 6379 },
        { name: 'redis2', host: 'r2', port: 6379 },
      ],
    },
  },
};

const deps = {
  // Every sentinel names redis2 by its host's address (no member endpoint: the address comes from the host).
  probeFor: probeDoubles({
    '10.0.0.1:26379': sentinelAnswer('10.0.0.2:6379'),
    '10.0.0.2:26379': sentinelAnswer('10.0.0.2:6379'),
    '[::1]:26379': sentinelAnswer('10.0.0.2:6379'),
    '10.0.0.2:6379': nodeAnswer({ role: 'master' }),
  }),
  hostKey: async (host: string) => ({ address: `${inventory.hosts[host]!.address}:22`, fingerprint: `SHA256:${host}` }),
};
const fallback = async (selector: string) => [{ selector, host: selector }];

describe('drill resolver', () => {
  it('resolves the master through the run resolver: the host address, its fingerprint, the selector as written', async () => {
    const resolve = drillResolver(inventory, fallback, deps);
    expect(await resolve('redis.master')).toEqual([{ selector: 'redis.master', host: 'r2', address: '10.0.0.2:22', fingerprint: 'SHA256:r2' }]);
    // The drill's old spelling for the leader reads as the run's role name.
    expect(await resolve('redis.leader')).toEqual([{ selector: 'redis.leader', host: 'r2', address: '10.0.0.2:22', fingerprint: 'SHA256:r2' }]);
    expect((await resolve('redis.all')).map((t) => t.host)).toEqual(['r1', 'r2']);
  });

  it('without a host-key source still uses the inventory address and port, never 127.0.0.1', async () => {
    const resolve = drillResolver(inventory, fallback, { probeFor: deps.probeFor });
    expect(await resolve('redis.master')).toEqual([{ selector: 'redis.master', host: 'r2', address: '10.0.0.2:2222' }]);
  });

  it('replicas while the Sentinels agree on no master: every member the probe reaches (the drill’s own acceptance)', async () => {
    // No Sentinel answers; redis1's node answers, redis2's refuses.
    const probeFor = probeDoubles({ '10.0.0.1:6379': nodeAnswer({ role: 'slave', master_host: '10.0.0.2', master_port: '6379', master_link_status: 'down' }) });
    const resolve = drillResolver(inventory, fallback, { ...deps, probeFor });
    expect(await resolve('redis.replicas')).toEqual([{ selector: 'redis.replicas', host: 'r1', address: '10.0.0.1:22', fingerprint: 'SHA256:r1' }]);
    await expect(resolve('redis.master')).rejects.toThrow(/no majority of sentinels/);
  });

  it('hands selectors that name no cluster to the fallback', async () => {
    expect(await drillResolver(inventory, fallback, deps)('local')).toEqual([{ selector: 'local', host: 'local' }]);
  });
});
