// Back to the lab's one-region state after a DR activation (tests, benchmarks): region A thawed, region B's
// promoted members discarded (the next `lab up region-b` clones a fresh standby cluster from region A), and
// region A's Sentinels told to forget redis-b (SENTINEL RESET: they re-learn the replicas that answer),
// and the inventory written again without region B's clusters (their nodes are gone).
import { rmSync, writeFileSync } from 'node:fs';
import { labFreezeRegion } from './faults.js';
import { checkPart, labRedisAuth, waitHealthy } from './health.js';
import { labInventoryYaml, runningInventoryOptions } from './inventory.js';
import { redisCommand } from './resp.js';
import { labPaths, regionBNodes, type LabSettings } from './settings.js';
import { killNode } from './supervise.js';

export async function labResetRegions(settings: LabSettings, timeoutMs = 90_000): Promise<void> {
  await labFreezeRegion(settings, false);
  await Promise.all(regionBNodes.map((n) => killNode(settings, n)));
  for (const n of regionBNodes) rmSync(labPaths(settings).nodeDir(n), { recursive: true, force: true });
  for (const port of Object.values(settings.ports.sentinel)) await redisCommand(port, ['SENTINEL', 'RESET', settings.masterName], 2000, labRedisAuth(settings));
  writeFileSync(labPaths(settings).inventory, labInventoryYaml(settings, runningInventoryOptions(settings)));
  const deadline = Date.now() + timeoutMs;
  for (const part of ['pg', 'redis'] as const) {
    const check = await waitHealthy(() => checkPart(settings, part), deadline, () => null);
    if (!check.ok) throw new Error(`lab: ${part} not healthy ${timeoutMs} ms after region A came back: ${check.detail}`);
  }
}
