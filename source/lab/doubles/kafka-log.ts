// The Kafka double's partition logs: one log per replica of each partition, holding the record batches
// producers sent, as Kafka stores them (a batch is kept as sent, with its base offset and leader epoch
// assigned by the leader). It is NOT Kafka's replication: a batch the leader appends is appended at once
// to every in-sync replica that is up (no follower fetch, no lag), so with acks=-1 an acknowledged batch
// is on every ISR member and a new leader (always taken from the ISR, kafka-cluster-state.ts) has every
// acknowledged record. A broker that comes back copies its partitions' leader logs (truncate + catch up).
//
// Record batch v2 header (https://kafka.apache.org/documentation/#recordbatch): baseOffset int64,
// batchLength int32, partitionLeaderEpoch int32, magic int8 (2), crc uint32 (CRC-32C from attributes to the
// end; baseOffset and the leader epoch are outside it, which is why a broker can assign them), attributes
// int16, lastOffsetDelta int32, firstTimestamp int64, maxTimestamp int64, producerId int64, producerEpoch
// int16, baseSequence int32, records count int32, then the records.

export interface StoredBatch {
  baseOffset: bigint;
  /** baseOffset + lastOffsetDelta. */
  lastOffset: bigint;
  bytes: Buffer;
}

export interface ReplicaLog {
  batches: StoredBatch[];
  /** Log end offset: the next offset to assign. */
  end: bigint;
}

const HEADER = 61;

/** The record batches in a record set (a produce request's `records` bytes); throws on a malformed set. */
export function splitBatches(recordSet: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < recordSet.length; ) {
    if (recordSet.length - at < HEADER) throw new Error('truncated record batch');
    const total = 12 + recordSet.readInt32BE(at + 8);
    if (total < HEADER || at + total > recordSet.length) throw new Error('truncated record batch');
    out.push(Buffer.from(recordSet.subarray(at, at + total)));
    at += total;
  }
  return out;
}

/** The batch's magic byte (2 for record batches; 0/1 are the old message sets). */
export const batchMagic = (batch: Buffer): number => batch.readInt8(16);

export class PartitionLogs {
  private readonly logs = new Map<string, Map<number, ReplicaLog>>();

  private replica(topic: string, partition: number, broker: number): ReplicaLog {
    const key = `${topic}/${partition}`;
    let byBroker = this.logs.get(key);
    if (!byBroker) this.logs.set(key, (byBroker = new Map()));
    let log = byBroker.get(broker);
    if (!log) byBroker.set(broker, (log = { batches: [], end: 0n }));
    return log;
  }

  /** The log of `broker`'s replica of the partition. */
  log(topic: string, partition: number, broker: number): ReplicaLog {
    return this.replica(topic, partition, broker);
  }

  /**
   * Appends batches on the leader: each gets the leader's next offset and `epoch`, and is copied to
   * every replica in `followers` (the in-sync replicas that are up). Returns the first batch's base offset.
   */
  append(topic: string, partition: number, leader: number, followers: readonly number[], batches: Buffer[], epoch: number): bigint {
    const log = this.replica(topic, partition, leader);
    const first = log.end;
    for (const raw of batches) {
      const bytes = Buffer.from(raw);
      bytes.writeBigInt64BE(log.end, 0);
      bytes.writeInt32BE(epoch, 12);
      const lastOffset = log.end + BigInt(bytes.readInt32BE(23));
      const stored = { baseOffset: log.end, lastOffset, bytes };
      log.batches.push(stored);
      log.end = lastOffset + 1n;
      for (const id of followers) {
        if (id === leader) continue;
        const copy = this.replica(topic, partition, id);
        copy.batches.push(stored);
        copy.end = log.end;
      }
    }
    return first;
  }

  /** `broker`'s replica becomes a copy of `leader`'s (a restarted follower truncating and catching up). */
  catchUp(topic: string, partition: number, broker: number, leader: number): void {
    const from = this.replica(topic, partition, leader);
    const to = this.replica(topic, partition, broker);
    to.batches = [...from.batches];
    to.end = from.end;
  }

  /** The stored batches from the one holding `offset` on, at most `maxBytes` (at least one batch, as Kafka). */
  read(topic: string, partition: number, broker: number, offset: bigint, maxBytes: number): Buffer {
    const log = this.replica(topic, partition, broker);
    const parts: Buffer[] = [];
    let size = 0;
    for (const b of log.batches) {
      if (b.lastOffset < offset) continue;
      if (parts.length > 0 && size + b.bytes.length > maxBytes) break;
      parts.push(b.bytes);
      size += b.bytes.length;
    }
    return Buffer.concat(parts);
  }
}
