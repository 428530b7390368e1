// The MongoDB replica set double changes state under the real `mongodb` driver: replSetStepDown hands
// the primary to a secondary, replSetFreeze keeps a member from being elected, stopping the primary
// starts an election, and w:majority writes are acknowledged only while a majority is up, so a canary
// can count them across a failover. (A double, not MongoDB: see source/lab/doubles/mongo-replset.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { MongoReplicaSetDouble } from '../../source/lab/doubles/mongo-wire.js';

let double: MongoReplicaSetDouble | undefined;
const clients: MongoClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close(true).catch(() => undefined)));
  await double?.close();
});

async function until<T>(get: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function direct(address: string): MongoClient {
  const c = new MongoClient(`mongodb://${address}/`, { directConnection: true, serverSelectionTimeoutMS: 2000 });
  clients.push(c);
  return c;
}

async function start(): Promise<MongoReplicaSetDouble> {
  double = await MongoReplicaSetDouble.start('rs0', [{ state: 'PRIMARY' }, { state: 'SECONDARY', syncSource: 0 }, { state: 'SECONDARY', syncSource: 0 }]);
  return double;
}

describe('MongoDB replica set double (stateful)', () => {
  it('replSetStepDown: the primary steps down, is frozen for the given seconds, a secondary wins the election', async () => {
    const d = await start();
    const admin = direct(d.hosts[0]!).db('admin');
    await expect(direct(d.hosts[1]!).db('admin').command({ replSetStepDown: 60 })).rejects.toMatchObject({ codeName: 'NotWritablePrimary' });
    expect(await admin.command({ replSetStepDown: 60, secondaryCatchUpPeriodSecs: 10 })).toMatchObject({ ok: 1 });
    await until(() => d.primaryIndex !== null, 5000, 'a new primary');
    expect(d.primaryIndex).toBe(1);
    const status = await direct(d.hosts[2]!).db('admin').command({ replSetGetStatus: 1 });
    expect(status.members.map((m: { stateStr: string }) => m.stateStr)).toEqual(['SECONDARY', 'PRIMARY', 'SECONDARY']);
    expect(Number(status.term)).toBe(4);
  });

  it('replSetFreeze keeps a secondary from being elected; stopping the primary elects the other one', async () => {
    const d = await start();
    expect(await direct(d.hosts[1]!).db('admin').command({ replSetFreeze: 120 })).toMatchObject({ ok: 1 });
    await expect(direct(d.hosts[0]!).db('admin').command({ replSetFreeze: 120 })).rejects.toMatchObject({ codeName: 'NotSecondary' });
    await d.stop(0);
    await until(() => d.primaryIndex !== null, 5000, 'a new primary');
    expect(d.primaryIndex).toBe(2);
    // Through the driver: member 0 down for the others, member 2 primary.
    const status = await direct(d.hosts[1]!).db('admin').command({ replSetGetStatus: 1 });
    expect(status.members[0]).toMatchObject({ health: 0, stateStr: '(not reachable/healthy)' });
    const hello = await direct(d.hosts[2]!).db('admin').command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
  });

  it('counts w:majority writes through a replica-set client across a stop of the primary: every acknowledged write is on the new primary', async () => {
    const d = await start();
    const client = new MongoClient(`mongodb://${d.hosts.join(',')}/?replicaSet=rs0`, { serverSelectionTimeoutMS: 5000, heartbeatFrequencyMS: 500, retryWrites: false });
    clients.push(client);
    const coll = client.db('hatui').collection('canary');
    const acked: number[] = [];
    for (let seq = 1; seq <= 20; seq++) {
      await coll.insertOne({ seq }, { writeConcern: { w: 'majority' } });
      acked.push(seq);
    }
    await d.stop(0);
    await until(() => d.primaryIndex !== null, 5000, 'a new primary');
    let seq = 21;
    await until(async () => {
      try {
        await coll.insertOne({ seq }, { writeConcern: { w: 'majority' } });
        acked.push(seq++);
        return acked.length >= 30;
      } catch {
        return false;
      }
    }, 20_000, 'writes on the new primary');
    const present = (await direct(d.hosts[d.primaryIndex!]!).db('hatui').collection('canary').find({}).toArray()).map((doc) => doc.seq as number);
    expect(acked.filter((s) => !present.includes(s))).toEqual([]);
    // With two of three members stopped, a w:majority write is no longer acknowledged.
    await d.stop(d.primaryIndex === 1 ? 2 : 1);
    await expect(coll.insertOne({ seq: 999 }, { writeConcern: { w: 'majority' } })).rejects.toThrow();
  });
});
