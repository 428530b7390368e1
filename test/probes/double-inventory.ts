// Inventories over the wire doubles (test/doubles/): every member on the one local host 127.0.0.1.
import type { Cluster } from '../../source/core/inventory/model.js';
import { inventorySchema, type Inventory } from '../../source/core/inventory/model.js';

/** Clusters by name, each a kind and its members' endpoints (named `<prefix>1`, `<prefix>2`…). */
/** `extra`: more cluster settings (username, authMechanism, tls…). */
export function doubleInventory(
  clusters: Record<string, { kind: Cluster['kind']; prefix: string; endpoints: readonly string[]; credentials?: Cluster['credentials']; extra?: Partial<Cluster> }>,
): Inventory {
  return inventorySchema.parse({
    environment: 'lab',
    hosts: { local: { address: '127.0.0.1', transport: 'local' } },
    clusters: Object.fromEntries(
      Object.entries(clusters).map(([name, c]) => [
        name,
        { kind: c.kind, members: c.endpoints.map((endpoint, i) => ({ name: `${c.prefix}${i + 1}`, host: 'local', endpoint })), ...(c.credentials ? { credentials: c.credentials } : {}), ...c.extra },
      ]),
    ),
  });
}
