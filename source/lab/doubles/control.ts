// The doubles' control endpoint: a small HTTP server on 127.0.0.1 through which a runbook's fault step
// (`hatui lab double stop mongo1`) stops and starts members of the wire-level doubles and asks for their
// state, the way `hatui lab crash` acts on the lab's real nodes. It is part of the doubles, not of any
// real server's API: MongoDB and Kafka have nothing like it. `hatui lab serve-doubles` serves it on the
// lab's port base + 135; a test serves it next to its own doubles (HATUI_DOUBLES_CONTROL names the URL).
//
//   GET  /state                      → {members: {<name>: {kind, up, role}}, mongo?: {primary, term}, kafka?: {controller, partitions}}
//   POST /members/<name or host:port>/stop|start  → {member, action, t0}   (t0: epoch ms just before the change)
//   POST /kafka/elect-preferred      → {moved: [{topic, partition, from, to}], t0}
import { createServer, type Server } from 'node:http';
import type { KafkaClusterDouble } from './kafka-wire.js';
import type { MongoReplicaSetDouble } from './mongo-wire.js';

export const CONTROL_OFFSET = 135;

export interface DoublesControlSpec {
  /** The replica set double; its members are `<mongoPrefix><n>` (default mongo1…). */
  mongo?: MongoReplicaSetDouble;
  mongoPrefix?: string;
  /** The Kafka double; its brokers are `<kafkaPrefix><n>` in broker order (default kafka1…). */
  kafka?: KafkaClusterDouble;
  kafkaPrefix?: string;
  port?: number;
}

interface Member {
  kind: 'mongodb' | 'kafka';
  up(): boolean;
  role(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export class DoublesControl {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(spec: DoublesControlSpec): Promise<DoublesControl> {
    const members = new Map<string, Member>();
    /** `host:port` → member name: a fault step may name the member by the address the cluster reports. */
    const aliases = new Map<string, string>();
    const { mongo, kafka } = spec;
    if (mongo) {
      mongo.hosts.forEach((host, i) => aliases.set(host, `${spec.mongoPrefix ?? 'mongo'}${i + 1}`));
      mongo.replMembers.forEach((m, i) =>
        members.set(`${spec.mongoPrefix ?? 'mongo'}${i + 1}`, {
          kind: 'mongodb',
          up: () => m.stopped !== true,
          role: () => m.state,
          stop: () => mongo.stop(i),
          start: () => mongo.restart(i),
        }),
      );
    }
    if (kafka) {
      kafka.addresses.forEach((address, i) => aliases.set(address, `${spec.kafkaPrefix ?? 'kafka'}${i + 1}`));
      kafka.brokerIds.forEach((id, i) =>
        members.set(`${spec.kafkaPrefix ?? 'kafka'}${i + 1}`, {
          kind: 'kafka',
          up: () => kafka.liveBrokers().includes(id),
          role: () => `broker ${id}${kafka.controller === id ? ' (controller)' : ''}`,
          stop: () => kafka.stopBroker(i),
          start: () => kafka.startBroker(i),
        }),
      );
    }
    const state = () => ({
      members: Object.fromEntries([...members].map(([name, m]) => [name, { kind: m.kind, up: m.up(), role: m.role() }])),
      ...(mongo ? { mongo: { primary: mongo.primaryIndex === null ? null : `${spec.mongoPrefix ?? 'mongo'}${mongo.primaryIndex + 1}`, term: mongo.term } } : {}),
      ...(kafka ? { kafka: { controller: kafka.controller, partitions: kafka.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr }))) } } : {}),
    });
    const server = createServer((req, res) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body) + '\n');
      };
      req.resume();
      const url = new URL(req.url ?? '/', 'http://control');
      void (async () => {
        if (req.method === 'GET' && url.pathname === '/state') return send(200, state());
        const action = /^\/members\/([^/]+)\/(stop|start)$/.exec(url.pathname);
        if (req.method === 'POST' && action) {
          const asked = decodeURIComponent(action[1]!);
          const name = aliases.get(asked) ?? asked;
          const member = members.get(name);
          if (!member) return send(404, { error: `no double member '${asked}' (members: ${[...members.keys()].join(', ')}, or their host:port)` });
          const t0 = Date.now();
          await (action[2] === 'stop' ? member.stop() : member.start());
          return send(200, { member: name, action: action[2], t0 });
        }
        if (req.method === 'POST' && url.pathname === '/kafka/elect-preferred') {
          if (!kafka) return send(404, { error: 'no Kafka double here' });
          const t0 = Date.now();
          return send(200, { moved: kafka.electPreferredLeaders(), t0 });
        }
        return send(404, { error: `no such control: ${req.method} ${url.pathname}` });
      })().catch((error: unknown) => send(500, { error: (error as Error).message }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port ?? 0, '127.0.0.1', () => resolve());
    });
    return new DoublesControl(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
