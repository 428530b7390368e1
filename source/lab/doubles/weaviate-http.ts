// A Weaviate cluster double over HTTP: one node:http server per member on 127.0.0.1 answering the two
// endpoints hatui's probe asks, and (weaviate-backups.ts) a schema of classes with object counts, backups
// and restores that change state. It is NOT Weaviate: no objects, no vectors, one GraphQL query shape.
//
// Built from the documented shapes (no Weaviate could be run here):
//  - GET /v1/.well-known/ready: 200 with an empty body when the node is ready, 503 otherwise; no auth
//    (https://docs.weaviate.io/deploy/configuration/status, "Liveness and readiness")
//  - GET /v1/nodes?output=minimal|verbose → {"nodes": [NodeStatus]}: name, status (HEALTHY, UNHEALTHY,
//    UNAVAILABLE, INDEXING), version, gitHash, batchStats {queueLength, ratePerSecond}, operationalMode, and
//    with `verbose` only: stats {shardCount, objectCount} and shards [{name, class, objectCount,
//    vectorIndexingStatus, vectorQueueLength, compressed, loaded}]
//    (https://docs.weaviate.io/deploy/configuration/nodes; OpenAPI NodesStatusResponse / NodeStatus / NodeStats)
//  - with API-key authentication on, a request without the right `Authorization: Bearer <key>` gets 401
//    {"code": 401, "message": …} (https://docs.weaviate.io/deploy/configuration/authentication)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackListener, LoopbackSet } from './loopback.js';
import { WeaviateData } from './weaviate-backups.js';

export interface WeaviateNodeSpec {
  name: string;
  status?: 'HEALTHY' | 'UNHEALTHY' | 'UNAVAILABLE' | 'INDEXING';
  version?: string;
  shards?: { class: string; objectCount: number }[];
}

interface Member {
  index: number;
  ready: boolean;
  listener: LoopbackListener;
}

export interface WeaviateRequest {
  member: number;
  path: string;
  authorization: string | undefined;
}

export class WeaviateClusterDouble extends LoopbackSet<Member> {
  /** Every request, in order, with the Authorization header it carried. */
  readonly requests: WeaviateRequest[] = [];

  private constructor(
    public nodes: WeaviateNodeSpec[],
    /** When set, `/v1/nodes` and the data routes want `Authorization: Bearer <apiKey>`. */
    public apiKey: string | null,
    /** Classes, object counts, backups: one store for the whole cluster. */
    readonly data: WeaviateData,
  ) {
    super();
  }

  static async start(spec: { nodes: WeaviateNodeSpec[]; members?: number; apiKey?: string; classes?: Record<string, number>; ports?: readonly number[] }): Promise<WeaviateClusterDouble> {
    const double = new WeaviateClusterDouble(spec.nodes, spec.apiKey ?? null, new WeaviateData(spec.classes));
    for (let index = 0; index < (spec.members ?? spec.nodes.length); index++) {
      const member: Member = { index, ready: true, listener: new LoopbackListener(() => createServer((req, res) => double.serve(member, req, res))) };
      double.members.push(member);
      member.listener.port = spec.ports?.[index] ?? 0;
      await member.listener.start();
    }
    return double;
  }

  /** `http://127.0.0.1:<port>` of every member, in order. */
  get urls(): string[] {
    return this.members.map((m) => `http://${m.listener.address}`);
  }

  /** The API-key check (an auth layer in front of every route but readiness); true when it answered 401. */
  private refused(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.apiKey === null || req.headers.authorization === `Bearer ${this.apiKey}`) return false;
    const message = req.headers.authorization ? 'invalid api key: key not found' : 'anonymous access not enabled, please provide an auth scheme such as OIDC';
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 401, message }));
    return true;
  }

  private serve(member: Member, req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => this.route(member, req, body, res));
  }

  private route(member: Member, req: IncomingMessage, body: string, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://double');
    this.requests.push({ member: member.index, path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    if (member.listener.mode !== 'answer') return; // hung: the request stays open, unanswered
    if (req.method === 'GET' && url.pathname === '/v1/.well-known/ready') {
      res.writeHead(member.ready ? 200 : 503).end();
      return;
    }
    if (this.refused(req, res)) return;
    if (this.data.handle(req, url, body, res)) return;
    if (req.method === 'GET' && url.pathname === '/v1/nodes') {
      const verbose = url.searchParams.get('output') === 'verbose';
      const nodes = this.nodes.map((n) => {
        const shards = (n.shards ?? []).map((s, i) => ({ name: `shard${i}`, class: s.class, objectCount: s.objectCount, vectorIndexingStatus: 'READY', vectorQueueLength: 0, compressed: false, loaded: true }));
        return {
          name: n.name,
          status: n.status ?? 'HEALTHY',
          version: n.version ?? '1.25.6',
          gitHash: 'a1b2c3d',
          batchStats: { queueLength: 0, ratePerSecond: 0 },
          operationalMode: 'ReadWrite',
          ...(verbose ? { stats: { shardCount: shards.length, objectCount: shards.reduce((sum, s) => sum + s.objectCount, 0) }, shards } : {}),
        };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ nodes }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 404, message: `path ${url.pathname} was not found` }));
  }
}
