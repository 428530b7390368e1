// Weaviate probe: one target per member (HTTP endpoint), over the run-path HTTP client. Each poll asks
// `/v1/.well-known/ready` (this member: 200 ready, 503 not) and `/v1/nodes?output=verbose` (every node's
// status, version, shard and object counts; the minimal output leaves the counts out). The cluster's
// `apiKey` credential, when the inventory names one, goes as `Authorization: Bearer …` and nowhere else.
import type { WeaviateMember, WeaviateNode, WeaviateState } from '../../core/cluster-state.js';
import type { Cluster } from '../../core/inventory/model.js';
import { WEAVIATE_API_KEY } from '../../core/inventory/credential-keys.js';
import { clusterCredential, type CredentialReader } from '../../core/secrets/credentials.js';
import { systemCredentialReader } from '../credential-reader.js';
import { httpFetch, type HttpResponse } from '../http-client.js';
import { describeError, fresh, hostPort, memberEndpoint, num, staleOf, str, targetStatuses } from './common.js';
import type { ClusterProbe, TargetResult } from './types.js';

export interface WeaviateObservation {
  ready: boolean;
  /** `/v1/nodes`, or null when it answered with an error (`nodesError`). */
  nodes: WeaviateNode[] | null;
  nodesError: string | null;
  /** Epoch ms the answer arrived. */
  at: number;
}

/** Parses `GET /v1/nodes` (`{"nodes": [{name, status, version, stats: {shardCount, objectCount}, shards}]}`). */
export function parseWeaviateNodes(json: unknown): WeaviateNode[] {
  const nodes = (json as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) throw new Error('/v1/nodes: no nodes array');
  return nodes.map((n: Record<string, unknown>) => {
    const stats = (n.stats ?? {}) as Record<string, unknown>;
    return { name: String(n.name), status: str(n.status), version: str(n.version), shardCount: num(stats.shardCount), objectCount: num(stats.objectCount) };
  });
}

async function get(url: string, signal: AbortSignal, headers: Record<string, string>): Promise<HttpResponse> {
  try {
    return await httpFetch(url, { headers, signal });
  } catch (error) {
    throw new Error(`${hostPort(url)}: ${describeError(error, signal)}`);
  }
}

async function askMember(base: string, signal: AbortSignal, headers: Record<string, string>): Promise<WeaviateObservation> {
  const [ready, nodes] = await Promise.all([get(`${base}/v1/.well-known/ready`, signal, headers), get(`${base}/v1/nodes?output=verbose`, signal, headers)]);
  const body = await nodes.text();
  if (!nodes.ok) return { ready: ready.ok, nodes: null, nodesError: `HTTP ${nodes.status} ${body.slice(0, 80).trim()}`.trim(), at: Date.now() };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`${hostPort(base)}: /v1/nodes is not JSON: ${body.slice(0, 60)}`);
  }
  return { ready: ready.ok, nodes: parseWeaviateNodes(json), nodesError: null, at: Date.now() };
}

export function combineWeaviate(name: string, cluster: Cluster, results: readonly TargetResult<WeaviateObservation>[], now: number): WeaviateState {
  const live = fresh(results);
  const newest = live.filter((f) => f.value.nodes !== null).reduce<WeaviateObservation | null>((best, f) => (!best || f.value.at > best.at ? f.value : best), null);
  const nodes = newest?.nodes ?? [];
  const members: WeaviateMember[] = results.map((r) => ({ name: r.id, endpoint: r.address, ready: r.error === null && r.last ? r.last.ready : null, stale: staleOf(r, now) }));
  void cluster;
  return {
    kind: 'weaviate',
    name,
    fetchedAt: new Date(now).toISOString(),
    targets: targetStatuses(results, now),
    nodes,
    nodesError: newest ? null : (live.find((f) => f.value.nodesError)?.value.nodesError ?? null),
    members,
    healthyCount: nodes.filter((n) => n.status === 'HEALTHY').length,
  };
}

/** The probe, reading the `apiKey` credential through `reader` (on first use; the value never leaves the header). */
export function createWeaviateProbe(reader: CredentialReader = systemCredentialReader()): ClusterProbe<WeaviateObservation> {
  return {
    kinds: ['weaviate'],
    targets(name, cluster, inventory) {
      let key: string | undefined;
      const headers = (): Record<string, string> => {
        key ??= clusterCredential(name, cluster, WEAVIATE_API_KEY, reader);
        return key === undefined ? {} : { authorization: `Bearer ${key}` };
      };
      return cluster.members.map((member) => {
        const base = memberEndpoint(member, inventory, 'http').replace(/\/+$/, '');
        return { id: member.name, address: base, fetch: async (signal) => askMember(base, signal, headers()) };
      });
    },
    combine: (name, cluster, results, _prev, now) => combineWeaviate(name, cluster, results, now),
  };
}

export const weaviateProbe = createWeaviateProbe();
