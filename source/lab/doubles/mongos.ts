// The mongos (query router) part of the MongoDB double: a member started as a router answers hello as a
// mongos does (`msg: "isdbgrid"`, no replica set fields) and the two commands hatui's probe asks of a
// sharded cluster. It is NOT mongos: no routing, no config servers behind it, the model is what you set.
//
// Shapes (https://www.mongodb.com/docs/manual/reference/command/): listShards → {shards: [{_id, host
// ("<rs>/<host:port,…>"), state: 1, topologyTime, draining?}], ok: 1}; balancerStatus → {mode: "full" |
// "off", inBalancerRound, numBalancerRounds, ok: 1}; hello on mongos → {isWritablePrimary: true, msg:
// "isdbgrid", maxWireVersion, …} without setName/hosts.
import { Long, Timestamp, type Document } from 'bson';

export interface MongosModel {
  shards: { id: string; host: string; draining?: boolean }[];
  balancer: { mode: 'full' | 'off'; inBalancerRound: boolean };
}

export function mongosCommand(model: MongosModel, name: string): Document | undefined {
  switch (name) {
    case 'listshards':
      return {
        shards: model.shards.map((s) => ({ _id: s.id, host: s.host, state: 1, topologyTime: new Timestamp({ t: 1764700000, i: 1 }), ...(s.draining ? { draining: true } : {}) })),
        ok: 1,
      };
    case 'balancerstatus':
      return { mode: model.balancer.mode, inBalancerRound: model.balancer.inBalancerRound, numBalancerRounds: Long.fromNumber(42), ok: 1 };
    case 'replsetgetstatus':
      return { ok: 0, errmsg: 'replSetGetStatus is not supported through mongos', code: 59, codeName: 'CommandNotFound' };
    default:
      return undefined;
  }
}
