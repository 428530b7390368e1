// The stateful part of the MongoDB replica set double: step-down, freeze, elections after a member stops,
// and writes/reads with a write concern, so a canary through the real driver can count acknowledged
// w:majority writes across a failover. It is NOT MongoDB's replication: every member that is up gets
// each write at once (no lag), an election picks the first eligible secondary after `electionDelayMs`,
// and only `insert` and `find` (equality filters) touch data.
//
// Shapes (https://www.mongodb.com/docs/manual/reference/command/): replSetStepDown {replSetStepDown: secs,
// secondaryCatchUpPeriodSecs} → {ok: 1} on the primary, NotWritablePrimary (10107, "not primary")
// elsewhere; replSetFreeze {replSetFreeze: secs} → {ok: 1} on a secondary (0 unfreezes), NotSecondary (95)
// on the primary; insert {insert, documents, writeConcern: {w}} → {n, ok: 1}, NotWritablePrimary on a
// secondary, writeConcernError {code: 100, codeName: UnsatisfiableWriteConcern} when too few members are
// up for `w`; find {find, filter} → {cursor: {firstBatch, id: 0, ns}, ok: 1}.
import { Long, type Document } from 'bson';

export interface ReplMember {
  index: number;
  state: string;
  health?: 0 | 1;
  /** Epoch ms until which the member cannot be elected (replSetStepDown / replSetFreeze). */
  frozenUntil?: number;
  /** The member's copy of the data: collection → documents. */
  data?: Map<string, Document[]>;
  /** Stopped: not listening, seen as down by the others. */
  stopped?: boolean;
}

export interface ReplSet {
  readonly replMembers: ReplMember[];
  term: number;
  /** Bumped on every role change (hello topologyVersion.counter). */
  topologyCounter: number;
  electionDelayMs: number;
  /** Role changes, oldest first: `{term, primary}` (primary index or null). */
  readonly history: { term: number; primary: number | null }[];
  /** Documents whose insert was acknowledged (no error, no writeConcernError), per write concern `w` (`majority`, `1`, …). */
  readonly acknowledged: Record<string, number>;
}

const notPrimary = { ok: 0, errmsg: 'not primary', code: 10107, codeName: 'NotWritablePrimary' };
const up = (m: ReplMember) => !m.stopped && m.health !== 0;
const dataBearing = (set: ReplSet) => set.replMembers.filter((m) => m.state !== 'ARBITER');

function setPrimary(set: ReplSet, next: ReplMember | null): void {
  for (const m of set.replMembers) if (m.state === 'PRIMARY' && m !== next) m.state = 'SECONDARY';
  if (next) {
    next.state = 'PRIMARY';
    set.term++;
  }
  set.topologyCounter++;
  set.history.push({ term: set.term, primary: next?.index ?? null });
}

/** Elects the first eligible secondary (up, not frozen) when a majority of voters is up; false when none can win. */
export function elect(set: ReplSet, now = Date.now()): boolean {
  const voters = set.replMembers.filter(up).length;
  if (voters <= set.replMembers.length / 2) return false;
  const candidate = set.replMembers.find((m) => m.state === 'SECONDARY' && up(m) && (m.frozenUntil ?? 0) <= now);
  if (!candidate) return false;
  setPrimary(set, candidate);
  return true;
}

/** Keeps trying to elect (every electionDelayMs) until there is a primary or `until` passes. */
export function scheduleElection(set: ReplSet, until = Date.now() + 60_000): void {
  const tick = () => {
    if (set.replMembers.some((m) => m.state === 'PRIMARY' && up(m))) return;
    if (elect(set) || Date.now() > until) return;
    setTimeout(tick, set.electionDelayMs).unref();
  };
  setTimeout(tick, set.electionDelayMs).unref();
}

/** A member stops: the others see it down; a stopped primary loses its role and an election follows. */
export function stopMember(set: ReplSet, member: ReplMember): void {
  member.stopped = true;
  if (member.state === 'PRIMARY') {
    member.state = 'SECONDARY';
    setPrimary(set, null);
    scheduleElection(set);
  }
}

/** A stopped member comes back as a secondary and catches up with the primary's data. */
export function startMember(set: ReplSet, member: ReplMember): void {
  member.stopped = false;
  member.state = 'SECONDARY';
  const primary = set.replMembers.find((m) => m.state === 'PRIMARY');
  if (primary?.data) member.data = new Map([...primary.data].map(([k, v]) => [k, [...v]]));
  set.topologyCounter++;
  if (!primary) scheduleElection(set);
}

/** The replica set commands above; undefined when `name` is not one of them. */
export function replSetCommand(set: ReplSet, member: ReplMember, name: string, command: Document, now = Date.now()): Document | undefined {
  switch (name) {
    case 'replsetstepdown': {
      if (member.state !== 'PRIMARY') return notPrimary;
      const secs = Number(command.replSetStepDown ?? 60);
      const others = dataBearing(set).filter((m) => m !== member && up(m) && (m.frozenUntil ?? 0) <= now);
      if (others.length === 0) return { ok: 0, errmsg: 'No electable secondaries caught up as of ' + new Date(now).toISOString(), code: 262, codeName: 'ExceededTimeLimit' };
      member.frozenUntil = now + secs * 1000;
      member.state = 'SECONDARY';
      setPrimary(set, null);
      scheduleElection(set);
      return { ok: 1 };
    }
    case 'replsetfreeze': {
      if (member.state === 'PRIMARY') return { ok: 0, errmsg: 'cannot freeze node when primary or running for election. state: Primary', code: 95, codeName: 'NotSecondary' };
      const secs = Number(command.replSetFreeze ?? 0);
      member.frozenUntil = secs > 0 ? now + secs * 1000 : 0;
      return { ok: 1, ...(secs === 0 ? { info: 'unfreezing' } : {}) };
    }
    case 'insert': {
      if (member.state !== 'PRIMARY') return notPrimary;
      const coll = String(command.insert);
      const docs = (command.documents as Document[] | undefined) ?? [];
      const w = (command.writeConcern as Document | undefined)?.w ?? 1;
      const reached = dataBearing(set).filter(up);
      for (const m of reached) {
        m.data ??= new Map();
        m.data.set(coll, [...(m.data.get(coll) ?? []), ...docs]);
      }
      const majority = Math.floor(dataBearing(set).length / 2) + 1;
      const needed = w === 'majority' ? majority : Number(w);
      if (reached.length < needed) {
        return { n: docs.length, writeConcernError: { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: `Not enough data-bearing nodes (${reached.length} of ${needed})` }, ok: 1 };
      }
      set.acknowledged[String(w)] = (set.acknowledged[String(w)] ?? 0) + docs.length;
      return { n: docs.length, ok: 1 };
    }
    case 'find': {
      const coll = String(command.find);
      const filter = (command.filter as Document | undefined) ?? {};
      const docs = (member.data?.get(coll) ?? []).filter((d) => Object.entries(filter).every(([k, v]) => JSON.stringify(d[k]) === JSON.stringify(v)));
      return { cursor: { firstBatch: docs, id: Long.ZERO, ns: `${String(command.$db ?? 'test')}.${coll}` }, ok: 1 };
    }
    default:
      return undefined;
  }
}
