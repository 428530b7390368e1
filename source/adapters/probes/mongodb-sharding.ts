// The sharded-cluster part of the MongoDB probe: a member that answers hello as a mongos router
// (`msg: "isdbgrid"`) is asked `listShards` and `balancerStatus`; the routers' answers make the
// cluster's shard list and balancer state. Pure parsing and folding; the asking is one callback.
import type { MongoSharding } from '../../core/cluster-state.js';
import { str } from './common.js';

export interface RouterView {
  shards: { id: string; host: string; state: number | null; draining: boolean }[];
  balancerMode: string | null;
  inBalancerRound: boolean | null;
  /** Why listShards / balancerStatus failed (Unauthorized without clusterMonitor…); null when both answered. */
  error: string | null;
}

export function isRouter(hello: Record<string, unknown>): boolean {
  return hello.msg === 'isdbgrid';
}

type Command = (doc: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** listShards and balancerStatus through one router; a refused command is recorded, not thrown. */
export async function askRouter(command: Command): Promise<RouterView> {
  const errors: string[] = [];
  const attempt = async (doc: Record<string, unknown>) => {
    try {
      return await command(doc);
    } catch (error) {
      const e = error as { name?: string; codeName?: string; message?: string };
      if (e.name !== 'MongoServerError') throw error;
      errors.push(`${Object.keys(doc)[0]}: ${e.codeName ?? 'error'}: ${e.message ?? ''}`.trim());
      return null;
    }
  };
  const shards = await attempt({ listShards: 1 });
  const balancer = await attempt({ balancerStatus: 1 });
  return {
    shards: Array.isArray(shards?.shards)
      ? (shards.shards as Record<string, unknown>[]).map((s) => ({ id: String(s._id), host: String(s.host ?? ''), state: typeof s.state === 'number' ? s.state : null, draining: s.draining === true }))
      : [],
    balancerMode: str(balancer?.mode),
    inBalancerRound: typeof balancer?.inBalancerRound === 'boolean' ? balancer.inBalancerRound : null,
    error: errors.length ? errors.join('; ') : null,
  };
}

/** The sharding view from the routers that answered (the first with a shard list); null when none is a router. */
export function combineSharding(routers: RouterView[]): MongoSharding | null {
  if (routers.length === 0) return null;
  const best = routers.find((r) => r.shards.length > 0) ?? routers[0]!;
  return {
    routersAnswering: routers.length,
    shards: best.shards.map((s) => ({ id: s.id, host: s.host, draining: s.draining })),
    balancerMode: best.balancerMode,
    inBalancerRound: best.inBalancerRound,
    error: best.error,
  };
}
