// The lab's Redis Cluster (part `rediscluster`): six redis-server nodes in cluster mode, joined once by
// `redis-cli --cluster create … --cluster-replicas 1` (the guide's recipe), and its health check. Every
// command authenticates with the lab Redis password (never on a command line: REDISCLI_AUTH / AUTH).
import { execFile } from 'node:child_process';
import { RespError, respPipeline, type RespValue } from '../adapters/probes/resp.js';
import { parseClusterNodes, parseInfo } from '../adapters/probes/redis-cluster-parse.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Check } from './health.js';
import { redisPassword } from './prepare.js';
import { redisClusterNodes, type LabSettings, type RedisClusterNode } from './settings.js';

export const CLUSTER_SLOTS = 16384;

/** Sends commands to one cluster node after AUTH; rejects on a connection problem or an error reply. */
export async function clusterNodeCommands(settings: LabSettings, node: RedisClusterNode, commands: string[][], timeoutMs = 1000): Promise<RespValue[]> {
  const address = `127.0.0.1:${settings.ports.redisCluster[node]}`;
  const [auth, ...replies] = await respPipeline(address, [['AUTH', redisPassword(settings)], ...commands], AbortSignal.timeout(timeoutMs));
  if (auth instanceof RespError) throw new Error(`${address}: AUTH: ${auth.message}`);
  replies.forEach((reply, i) => {
    if (reply instanceof RespError) throw new Error(`${address}: ${commands[i]!.join(' ')}: ${reply.message}`);
  });
  return replies;
}

async function clusterInfo(settings: LabSettings, node: RedisClusterNode) {
  const [info, nodes, replication] = await clusterNodeCommands(settings, node, [['CLUSTER', 'INFO'], ['CLUSTER', 'NODES'], ['INFO', 'replication']]);
  return { info: parseInfo(String(info)), nodes: parseClusterNodes(String(nodes)), replication: parseInfo(String(replication)) };
}

/** Every node answers, knows all six, serves all 16384 slots with cluster_state ok; 3 masters, each with an in-sync replica. */
export async function checkRedisCluster(settings: LabSettings): Promise<Check> {
  let views: Awaited<ReturnType<typeof clusterInfo>>[];
  try {
    views = await Promise.all(redisClusterNodes.map((n) => clusterInfo(settings, n)));
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
  for (const [i, v] of views.entries()) {
    const node = redisClusterNodes[i]!;
    if (v.info.cluster_state !== 'ok') return { ok: false, detail: `${node}: cluster_state ${v.info.cluster_state}` };
    if (v.info.cluster_slots_ok !== String(CLUSTER_SLOTS)) return { ok: false, detail: `${node}: cluster_slots_ok ${v.info.cluster_slots_ok}` };
    if (v.info.cluster_known_nodes !== String(redisClusterNodes.length)) return { ok: false, detail: `${node}: knows ${v.info.cluster_known_nodes} nodes` };
    if (v.replication.role === 'slave' && v.replication.master_link_status !== 'up') return { ok: false, detail: `${node}: link to its master ${v.replication.master_link_status}` };
  }
  const masters = views[0]!.nodes.filter((n) => n.flags.includes('master') && n.slots.length > 0);
  if (masters.length !== 3) return { ok: false, detail: `${masters.length} masters with slots` };
  const lonely = masters.filter((m) => !views[0]!.nodes.some((r) => r.masterId === m.id && r.flags.includes('slave') && r.linkState === 'connected'));
  if (lonely.length) return { ok: false, detail: `master ${lonely.map((m) => m.address).join(', ')} has no connected replica` };
  return { ok: true, detail: `cluster_state ok, ${CLUSTER_SLOTS} slots ok; masters ${[...masters].sort((a, b) => a.address.localeCompare(b.address)).map((m) => m.address.replace(/^127\.0\.0\.1:/, ':')).join(' ')} each with a replica` };
}

/** Every node answers AUTH + PING (started and listening). */
export async function checkRedisClusterNodesUp(settings: LabSettings): Promise<Check> {
  try {
    await Promise.all(redisClusterNodes.map((n) => clusterNodeCommands(settings, n, [['PING']])));
    return { ok: true, detail: 'all six nodes answer' };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

/**
 * Joins the six nodes with `redis-cli --cluster create` when no node has slots yet (a fresh part); a
 * part restarted from its nodes.conf is already a cluster and is left alone.
 */
export async function createRedisClusterOnce(settings: LabSettings, log: (line: string) => void): Promise<boolean> {
  const views = await Promise.all(redisClusterNodes.map((n) => clusterNodeCommands(settings, n, [['CLUSTER', 'INFO']]).then(([i]) => parseInfo(String(i)))));
  if (views.some((v) => Number(v.cluster_slots_assigned ?? 0) > 0 || Number(v.cluster_known_nodes ?? 1) > 1)) return false;
  const addresses = redisClusterNodes.map((n) => `127.0.0.1:${settings.ports.redisCluster[n]}`);
  log(`redis-cli --cluster create ${addresses.join(' ')} --cluster-replicas 1 --cluster-yes`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      '/usr/bin/redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'],
      { env: { PATH: '/usr/bin:/bin', REDISCLI_AUTH: redisPassword(settings) }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-6).join('\n');
        reject(new HatuiError(`redis-cli --cluster create failed: ${tail}`, ExitCode.failed));
      },
    );
  });
  return true;
}
