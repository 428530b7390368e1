// A host's `secretEnv` (inventory): read by hatui when a command starts; an unreadable one stops the
// command before anything is sent, naming the inventory path. (The lab test runs redis-cli with it.)
import { describe, expect, it } from 'vitest';
import { SshTransport } from '../../source/adapters/ssh/ssh-transport.js';
import { inventorySchema } from '../../source/core/inventory/model.js';

describe('host secretEnv over SSH', () => {
  it('fails the command before connecting when a secretEnv source cannot be read, naming hosts.<h>.secretEnv.<NAME>', async () => {
    const inventory = inventorySchema.parse({
      environment: 'lab',
      // Port 9 on loopback: nothing listens, so a connection attempt would fail differently.
      hosts: { r1: { address: '127.0.0.1', ssh: { port: 9 }, secretEnv: { REDISCLI_AUTH: { env: 'HATUI_TEST_UNSET_REDIS_PW' } } } },
    });
    const transport = new SshTransport(inventory, { credentials: { env: {}, readFile: () => '' } });
    try {
      const result = await transport.run({ host: 'r1', command: 'redis-cli ping', timeoutMs: 2000 });
      expect(result.outcome).toBe('failed');
      expect(result.exitCode).toBeNull();
      expect(result.message).toBe('hosts.r1.secretEnv.REDISCLI_AUTH: environment variable HATUI_TEST_UNSET_REDIS_PW is not set');
      expect(transport.stats.connects).toBe(0);
    } finally {
      await transport.close();
    }
  });
});
