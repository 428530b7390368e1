// `lab status`: one row per node: pid, ports, role, health. Read-only and quick (short probe timeouts).
import { existsSync } from 'node:fs';
import { etcdMemberHealth, labRedisAuth, patroniState, sshLogin } from './health.js';
import { checkStateFile } from './preflight.js';
import { probeRegionBNode } from './region-b.js';
import { redisCommand, redisInfo } from './resp.js';
import { clusterNodeCommands } from './redis-cluster.js';
import { parseInfo } from '../adapters/probes/redis-cluster-parse.js';
import { labNodes, labPaths, nodePorts, optionalParts, partOf, type LabNode, type LabSettings } from './settings.js';
import { cgroupFrozen, runningPid } from './supervise.js';
import type { LabNodeStatus, LabStatus } from './types.js';

async function probe(settings: LabSettings, node: LabNode): Promise<{ role: string; healthy: boolean; detail: string }> {
  const p = settings.ports;
  switch (node) {
    case 'etcd1':
    case 'etcd2':
    case 'etcd3': {
      const check = await etcdMemberHealth(settings, node, 700);
      return { role: 'member', healthy: check.ok, detail: check.ok ? 'health true' : check.detail };
    }
    case 'pg1':
    case 'pg2':
    case 'pg3': {
      const view = await patroniState(settings, node, 700);
      if (!view) return { role: '', healthy: false, detail: 'no Patroni REST answer' };
      const leader = view.role === 'master' || view.role === 'primary';
      const streaming = (view.replication ?? []).filter((r) => r.state === 'streaming').map((r) => r.application_name);
      const detail = leader ? `${view.state}; streaming to ${streaming.join(', ') || 'nobody'}` : `${view.state}; timeline ${view.timeline ?? '?'}`;
      return { role: leader ? 'leader' : (view.role ?? ''), healthy: view.state === 'running', detail };
    }
    case 'haproxy': {
      try {
        const r = await fetch(`http://127.0.0.1:${p.haproxyStats}/;csv`, { signal: AbortSignal.timeout(700) });
        const text = await r.text();
        const rw = text
          .split('\n')
          .filter((l) => l.startsWith('pg_rw,') && !l.includes(',FRONTEND,') && !l.includes(',BACKEND,'))
          .filter((l) => l.split(',')[17]?.startsWith('UP'))
          .map((l) => l.split(',')[1]);
        return { role: 'proxy', healthy: rw.length === 1, detail: `pg_rw → ${rw.join(', ') || 'none'}` };
      } catch (error) {
        return { role: 'proxy', healthy: false, detail: (error as Error).message };
      }
    }
    case 'redis1':
    case 'redis2':
    case 'redis3': {
      try {
        const info = await redisInfo(p.redis[node], 'replication', 700, labRedisAuth(settings));
        const role = info.role === 'slave' ? 'replica' : (info.role ?? '');
        const detail = role === 'replica' ? `of :${info.master_port}, link ${info.master_link_status}` : `${info.connected_slaves} replicas`;
        return { role, healthy: role === 'master' || info.master_link_status === 'up', detail };
      } catch (error) {
        return { role: '', healthy: false, detail: (error as Error).message };
      }
    }
    case 'sentinel1':
    case 'sentinel2':
    case 'sentinel3': {
      try {
        const reply = await redisCommand(p.sentinel[node], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', settings.masterName], 700, labRedisAuth(settings));
        const master = Array.isArray(reply) ? reply.join(':') : '';
        return { role: 'sentinel', healthy: Boolean(master), detail: `master ${master || 'unknown'}` };
      } catch (error) {
        return { role: 'sentinel', healthy: false, detail: (error as Error).message };
      }
    }
    case 'sshd':
    case 'sshd-jump': {
      const result = await sshLogin(settings, node === 'sshd' ? p.sshd : p.sshdJump);
      return { role: node === 'sshd' ? 'ssh' : 'jump', healthy: result.ok, detail: result.detail };
    }
    case 'rc1':
    case 'rc2':
    case 'rc3':
    case 'rc4':
    case 'rc5':
    case 'rc6': {
      try {
        const [info, repl] = (await clusterNodeCommands(settings, node, [['CLUSTER', 'INFO'], ['INFO', 'replication']], 700)).map((r) => parseInfo(String(r)));
        const role = repl!.role === 'slave' ? 'replica' : (repl!.role ?? '');
        const link = role === 'replica' ? `; of :${repl!.master_port}, link ${repl!.master_link_status}` : '';
        return { role, healthy: info!.cluster_state === 'ok' && (role === 'master' || repl!.master_link_status === 'up'), detail: `cluster_state ${info!.cluster_state}${link}` };
      } catch (error) {
        return { role: '', healthy: false, detail: (error as Error).message };
      }
    }
    case 'prometheus':
    case 'alertmanager':
    case 'redis-exporter':
    case 'pg-exporter1':
    case 'pg-exporter2':
    case 'pg-exporter3': {
      const port = nodePorts(settings, node)[0]!;
      const path = node === 'prometheus' || node === 'alertmanager' ? '/-/ready' : '/metrics';
      try {
        const r = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(700) });
        return { role: 'monitoring', healthy: r.ok, detail: `${path} HTTP ${r.status}` };
      } catch (error) {
        return { role: 'monitoring', healthy: false, detail: (error as Error).message };
      }
    }
    default:
      return probeRegionBNode(settings, node);
  }
}

export async function labStatus(settings: LabSettings): Promise<LabStatus> {
  if (existsSync(labPaths(settings).dir)) checkStateFile(settings);
  // Nodes of a part started only on request (the Redis Cluster) are listed while they run.
  const listed = labNodes.filter((n) => !optionalParts.includes(partOf(n)) || runningPid(settings, n) !== null);
  const nodes: LabNodeStatus[] = await Promise.all(
    listed.map(async (node): Promise<LabNodeStatus> => {
      const pid = runningPid(settings, node);
      const base = { node, part: partOf(node), pid, ports: nodePorts(settings, node) };
      if (pid === null) return { ...base, role: '', health: 'down', detail: '' };
      if (cgroupFrozen(settings, node)) return { ...base, role: '', health: 'frozen', detail: 'cgroup frozen (lab thaw to resume)' };
      const result = await probe(settings, node);
      return { ...base, role: result.role, health: result.healthy ? 'healthy' : 'running', detail: result.detail };
    }),
  );
  return { dir: settings.dir, portBase: settings.portBase, nodes, running: nodes.some((n) => n.pid !== null) };
}
