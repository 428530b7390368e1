// A MongoDB replica set double on the wire: one TCP server per member on 127.0.0.1, speaking the
// MongoDB wire protocol with BSON (the `bson` package the driver itself uses), so the real `mongodb`
// driver connects, handshakes and runs commands against it. It is NOT a MongoDB server: it answers
// hello/isMaster, ping, buildInfo, replSetGetStatus and endSessions from a configurable model, the
// stateful replica set commands of mongo-replset.ts (replSetStepDown, replSetFreeze, insert, find;
// elections after `stop`), and any other command with a CommandNotFound error. With `auth`, it REQUIRES a
// SCRAM-SHA-256 login (the SASL conversation server side, saslStart/saslContinue, RFC 5802/7677 with
// node:crypto) before any command but the handshake ones (hello, ping, buildInfo, endSessions), as mongod
// with `security.authorization: enabled` does: one layer in front of the state; with `tls` it listens with TLS only.
//
// Built from the documented shapes (no MongoDB could be run here):
//  - framing: MongoDB Wire Protocol, https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
//    (MsgHeader; OP_MSG 2013 with flagBits and kind-0/kind-1 sections; legacy OP_QUERY 2004 answered
//    by OP_REPLY 1, which driver 7 still uses for its first `ismaster` handshake: cmap/connect.js)
//  - hello: https://www.mongodb.com/docs/manual/reference/command/hello/ (isWritablePrimary, secondary,
//    arbiterOnly, setName, hosts, arbiters, primary, me, lastWrite, topologyVersion, wire versions…)
//  - replSetGetStatus: https://www.mongodb.com/docs/manual/reference/command/replSetGetStatus/ (set, myState,
//    term, syncSourceHost, optimes, members[] with _id, name, health, state, stateStr, optime {ts, t},
//    optimeDate, syncSourceHost, self; a member others cannot reach: health 0, state 8,
//    "(not reachable/healthy)", optime {ts: Timestamp(0, 0), t: -1}, optimeDate 1970)
//  - errors: {ok: 0, errmsg, code, codeName}; Unauthorized is code 13, AuthenticationFailed 18,
//    MechanismUnavailable 334, CommandNotFound code 59 (https://www.mongodb.com/docs/manual/reference/error-codes/)
//  - SCRAM: https://www.mongodb.com/docs/manual/core/security-scram/, RFC 5802 (SCRAM) and RFC 7677
//    (SCRAM-SHA-256): hello's saslSupportedMechs; saslStart {mechanism, payload} → {conversationId, done,
//    payload}; saslContinue {conversationId, payload}; `options.skipEmptyExchange` ends after the server proof
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Binary, deserialize, Long, ObjectId, serialize, Timestamp, type Document } from 'bson';
import { LoopbackListener, LoopbackSet } from './loopback.js';
import { mongosCommand, type MongosModel } from './mongos.js';
import { replSetCommand, startMember, stopMember, type ReplMember, type ReplSet } from './mongo-replset.js';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

/** Replica set member states (replSetGetStatus `state` → `stateStr`). */
export const MEMBER_STATES = { STARTUP: 0, PRIMARY: 1, SECONDARY: 2, RECOVERING: 3, STARTUP2: 5, UNKNOWN: 6, ARBITER: 7, DOWN: 8, ROLLBACK: 9, REMOVED: 10 } as const;
export type MemberStateName = keyof typeof MEMBER_STATES;

export interface MongoMemberSpec {
  state: MemberStateName;
  /** Last applied optime, epoch seconds (default: the set's `now`). */
  optimeSeconds?: number;
  /** Health as the other members' heartbeats see this one (0: they report it "(not reachable/healthy)"). */
  health?: 0 | 1;
  /** Index of the member it replicates from. */
  syncSource?: number;
  /** false: replSetGetStatus is refused with Unauthorized (code 13), as without the clusterMonitor role. */
  statusAllowed?: boolean;
}

export interface MongoDoubleOptions {
  /** Require a SCRAM-SHA-256 login as this user (authSource admin) before replSetGetStatus. */
  auth?: { username: string; password: string };
  /** Listen with TLS only (PEM key and certificate). */
  tls?: { key: string; cert: string };
}

/** One client connection's login state. */
interface Session {
  user: string | null;
  scram?: { clientFirstBare: string; serverFirst: string; nonce: string; user: string; salt: Buffer };
}

const SCRAM_ITERATIONS = 4096;
/** Commands mongod answers before a login (the handshake, the SASL conversation, liveness). */
const OPEN_COMMANDS = new Set(['hello', 'ismaster', 'saslstart', 'saslcontinue', 'ping', 'buildinfo', 'endsessions']);
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

interface Member extends Omit<MongoMemberSpec, 'state'>, ReplMember {
  state: MemberStateName;
  index: number;
  host: string;
  listener: LoopbackListener;
}

/** MsgHeader (messageLength, requestID, responseTo, opCode), then the op's fields and the document. */
function reply(responseTo: number, opCode: number, fields: Buffer, document: Uint8Array): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + fields.length + document.length, 0);
  header.writeInt32LE(responseTo + 1_000_000, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, fields, document]);
}

export class MongoReplicaSetDouble extends LoopbackSet<Member> implements ReplSet {
  /** Commands received per member (first key of each command document), in order. */
  readonly received: string[][] = [];
  /** Epoch seconds the model treats as "now" for default optimes. */
  now = Math.floor(Date.now() / 1000);
  term = 3;
  topologyCounter = 0;
  /** Delay before a secondary wins an election (MongoDB: electionTimeoutMillis, 10 s by default). */
  electionDelayMs = 200;
  readonly history: { term: number; primary: number | null }[] = [];
  readonly acknowledged: Record<string, number> = {};
  private readonly processId = new ObjectId();
  private connectionIds = 0;

  /** Logins per member: `ok <user>` or `failed <user>`, in order. */
  readonly logins: string[][] = [];
  private readonly salt = randomBytes(16);

  private constructor(
    readonly setName: string,
    private readonly options: MongoDoubleOptions,
    /** Set: every member is a mongos router answering for this sharded cluster model (mongos.ts). */
    public router: MongosModel | null = null,
  ) {
    super();
  }

  static async start(setName: string, specs: MongoMemberSpec[], options: MongoDoubleOptions & { router?: MongosModel; ports?: readonly number[] } = {}): Promise<MongoReplicaSetDouble> {
    const double = new MongoReplicaSetDouble(setName, options, options.router ?? null);
    const tls = options.tls;
    for (const [index, spec] of specs.entries()) {
      const create = (): Server =>
        tls ? createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => double.serve(member, socket)) : createServer((socket) => double.serve(member, socket));
      const member: Member = { ...spec, index, host: '', listener: new LoopbackListener(create) };
      double.members.push(member);
      double.received.push([]);
      member.listener.port = options.ports?.[index] ?? 0;
      double.logins.push([]);
      member.host = (await member.listener.start()).address;
    }
    return double;
  }

  /** Stops a member (not listening, down for the others); a stopped primary is replaced by an election. */
  async stop(index: number): Promise<void> {
    const member = this.members[index]!;
    stopMember(this, member);
    await member.listener.setMode('closed');
  }

  /** Starts a stopped member again: it rejoins as a secondary with the primary's data. */
  async restart(index: number): Promise<void> {
    const member = this.members[index]!;
    await member.listener.setMode('answer');
    startMember(this, member);
  }

  get replMembers(): ReplMember[] {
    return this.members;
  }

  /** Index of the primary, or null. */
  get primaryIndex(): number | null {
    return this.members.find((m) => m.state === 'PRIMARY')?.index ?? null;
  }

  /** `host:port` of every member, in order (what the replica set config names them). */
  get hosts(): string[] {
    return this.members.map((m) => m.host);
  }

  private serve(member: Member, socket: Socket): void {
    const connectionId = ++this.connectionIds;
    const session: Session = { user: null };
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= buffer.readInt32LE(0)) {
        const message = buffer.subarray(0, buffer.readInt32LE(0));
        buffer = buffer.subarray(message.length);
        if (member.listener.mode !== 'answer') continue; // hung: read everything, answer nothing
        const reply = this.answer(member, message, connectionId, session);
        if (reply) socket.write(reply);
      }
    });
  }

  /** One request message → its reply (OP_REPLY for OP_QUERY, OP_MSG for OP_MSG). */
  private answer(member: Member, message: Buffer, connectionId: number, session: Session): Buffer | undefined {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // flags int32, fullCollectionName cstring, numberToSkip int32, numberToReturn int32, query document
      const nameEnd = message.indexOf(0, 20);
      const query = deserialize(message.subarray(nameEnd + 9), { allowObjectSmallerThanBufferSize: true });
      // OP_REPLY: responseFlags 0, cursorID 0 (int64), startingFrom 0, numberReturned 1, the document
      const fields = Buffer.alloc(20);
      fields.writeInt32LE(1, 16);
      return reply(requestId, OP_REPLY, fields, serialize(this.command(member, query, connectionId, session)));
    }
    if (opCode === OP_MSG) {
      const flagBits = message.readUInt32LE(16);
      const end = flagBits & 1 ? message.length - 4 : message.length; // checksumPresent
      let command: Document = {};
      // Sections: kind 0 (one body document) or kind 1 (int32 size, cstring identifier, documents: skipped)
      for (let at = 20; at < end; at += 1 + message.readInt32LE(at + 1)) {
        if (message[at] === 0) command = deserialize(message.subarray(at + 1, at + 1 + message.readInt32LE(at + 1)));
      }
      // OP_MSG: flagBits 0, one kind-0 section
      return reply(requestId, OP_MSG, Buffer.alloc(5), serialize(this.command(member, command, connectionId, session)));
    }
    return undefined; // OP_COMPRESSED is never sent: this double advertises no compressors
  }

  private command(member: Member, command: Document, connectionId: number, session: Session): Document {
    const name = Object.keys(command)[0] ?? '';
    this.received[member.index]!.push(name);
    // The auth layer: with `auth`, nothing but the handshake and the login reaches the state behind it.
    if (this.options.auth && session.user === null && !OPEN_COMMANDS.has(name.toLowerCase())) {
      return { ok: 0, errmsg: `command ${name} requires authentication`, code: 13, codeName: 'Unauthorized' };
    }
    const routed = this.router ? mongosCommand(this.router, name.toLowerCase()) : undefined;
    if (routed) return routed;
    switch (name.toLowerCase()) {
      case 'hello':
      case 'ismaster': {
        const hello = this.hello(member, name !== 'hello', connectionId);
        // A client naming its user (`saslSupportedMechs: "admin.<user>"`) learns which mechanisms that user has.
        if (this.options.auth && typeof command.saslSupportedMechs === 'string') hello.saslSupportedMechs = ['SCRAM-SHA-256'];
        return hello;
      }
      case 'saslstart':
        return this.saslStart(member, command, session);
      case 'saslcontinue':
        return this.saslContinue(member, command, session);
      case 'ping':
      case 'endsessions':
        return { ok: 1 };
      case 'buildinfo':
        return { version: '7.0.14', gitVersion: 'ce59cfc6a3c5e5c067dca0d30697edd68d4f5188', versionArray: [7, 0, 14, 0], bits: 64, debug: false, maxBsonObjectSize: 16777216, ok: 1 };
      case 'replsetgetstatus':
        if (member.statusAllowed === false) return { ok: 0, errmsg: 'command replSetGetStatus requires authentication', code: 13, codeName: 'Unauthorized' };
        return this.status(member);
      default:
        return replSetCommand(this, member, name.toLowerCase(), command) ?? { ok: 0, errmsg: `no such command: '${name}'`, code: 59, codeName: 'CommandNotFound' };
    }
  }

  /** SCRAM step 1: client-first `n,,n=<user>,r=<nonce>` → server-first `r=<nonce+ours>,s=<salt>,i=<iterations>`. */
  private saslStart(member: Member, command: Document, session: Session): Document {
    if (command.mechanism !== 'SCRAM-SHA-256') {
      this.logins[member.index]!.push(`refused mechanism ${String(command.mechanism)}`);
      return { ok: 0, errmsg: `Received authentication for mechanism ${String(command.mechanism)} which is not enabled`, code: 334, codeName: 'MechanismUnavailable' };
    }
    const clientFirst = payloadText(command.payload);
    const match = /^n,,(n=([^,]*),r=([^,]+))$/.exec(clientFirst);
    if (!match) return { ok: 0, errmsg: 'Invalid SCRAM client-first message', code: 17, codeName: 'ProtocolError' };
    const nonce = match[3]! + randomBytes(18).toString('base64');
    const serverFirst = `r=${nonce},s=${this.salt.toString('base64')},i=${SCRAM_ITERATIONS}`;
    session.scram = { clientFirstBare: match[1]!, serverFirst, nonce, user: match[2]!.replace(/=2C/g, ',').replace(/=3D/g, '='), salt: this.salt };
    return { conversationId: 1, done: false, payload: new Binary(Buffer.from(serverFirst)), ok: 1 };
  }

  /** SCRAM step 2: check the client proof against the user's stored key, answer with the server signature. */
  private saslContinue(member: Member, command: Document, session: Session): Document {
    const scram = session.scram;
    const auth = this.options.auth;
    if (!scram || !auth) return { ok: 0, errmsg: 'No SASL session state found', code: 17, codeName: 'ProtocolError' };
    session.scram = undefined;
    const clientFinal = payloadText(command.payload);
    const match = /^(c=biws,r=([^,]+)),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    const salted = pbkdf2Sync(auth.password.normalize('NFKC'), scram.salt, SCRAM_ITERATIONS, 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${match?.[1] ?? ''}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(match?.[3] ?? '', 'base64');
    const recovered = proof.length === signature.length ? Buffer.from(proof.map((b, i) => b ^ signature[i]!)) : Buffer.alloc(32);
    const ok = match?.[2] === scram.nonce && scram.user === auth.username && timingSafeEqual(createHash('sha256').update(recovered).digest(), storedKey);
    this.logins[member.index]!.push(`${ok ? 'ok' : 'failed'} ${scram.user}`);
    if (!ok) return { ok: 0, errmsg: 'Authentication failed.', code: 18, codeName: 'AuthenticationFailed' };
    session.user = scram.user;
    const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    return { conversationId: 1, done: command.options?.skipEmptyExchange !== false, payload: new Binary(Buffer.from(`v=${serverSignature}`)), ok: 1 };
  }

  private optime(m: Member): { ts: Timestamp; t: Long } {
    return { ts: new Timestamp({ t: m.optimeSeconds ?? this.now, i: 1 }), t: Long.fromNumber(this.term) };
  }

  private hello(member: Member, legacy: boolean, connectionId: number): Document {
    if (this.router) {
      return { ...(legacy ? { ismaster: true, helloOk: true } : { isWritablePrimary: true }), msg: 'isdbgrid', topologyVersion: { processId: this.processId, counter: Long.fromNumber(0) }, maxBsonObjectSize: 16777216, maxMessageSizeBytes: 48000000, maxWriteBatchSize: 100000, localTime: new Date(), logicalSessionTimeoutMinutes: 30, connectionId, minWireVersion: 0, maxWireVersion: 21, readOnly: false, ok: 1 };
    }
    const primary = this.members.find((m) => m.state === 'PRIMARY');
    const isPrimary = member.state === 'PRIMARY';
    const arbiters = this.members.filter((m) => m.state === 'ARBITER').map((m) => m.host);
    // Simplified: the majority-committed point is the primary's optime.
    const majority = primary ?? member;
    return {
      topologyVersion: { processId: this.processId, counter: Long.fromNumber(this.topologyCounter) },
      hosts: this.members.filter((m) => m.state !== 'ARBITER').map((m) => m.host),
      ...(arbiters.length ? { arbiters } : {}),
      setName: this.setName,
      setVersion: 1,
      ...(legacy ? { ismaster: isPrimary } : { isWritablePrimary: isPrimary }),
      secondary: member.state === 'SECONDARY',
      ...(member.state === 'ARBITER' ? { arbiterOnly: true } : {}),
      ...(primary ? { primary: primary.host } : {}),
      me: member.host,
      ...(isPrimary ? { electionId: new ObjectId(`7fffffff${this.term.toString(16).padStart(16, '0')}`) } : {}),
      // An arbiter holds no data: no lastWrite.
      ...(member.state === 'ARBITER' ? {} : { lastWrite: { opTime: this.optime(member), lastWriteDate: new Date((member.optimeSeconds ?? this.now) * 1000), majorityOpTime: this.optime(majority), majorityWriteDate: new Date((majority.optimeSeconds ?? this.now) * 1000) } }),
      maxBsonObjectSize: 16777216,
      maxMessageSizeBytes: 48000000,
      maxWriteBatchSize: 100000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId,
      minWireVersion: 0,
      maxWireVersion: 21,
      readOnly: false,
      ...(legacy ? { helloOk: true } : {}),
      ok: 1,
    };
  }

  /** replSetGetStatus as `self` sees the set: other members through its heartbeats (their `health`). */
  private status(self: Member): Document {
    const members = this.members.map((m) => {
      const isSelf = m === self;
      const down = !isSelf && (m.health === 0 || m.stopped === true);
      const sync = m.syncSource === undefined ? undefined : this.members[m.syncSource];
      const entry: Document = {
        _id: m.index,
        name: m.host,
        health: down ? 0 : 1,
        state: down ? MEMBER_STATES.DOWN : MEMBER_STATES[m.state],
        stateStr: down ? '(not reachable/healthy)' : m.state,
        uptime: 3600,
      };
      if (m.state !== 'ARBITER') {
        const optime = down ? { ts: new Timestamp({ t: 0, i: 0 }), t: Long.fromNumber(-1) } : this.optime(m);
        const date = new Date(down ? 0 : (m.optimeSeconds ?? this.now) * 1000);
        Object.assign(entry, isSelf ? { optime, optimeDate: date } : { optime, optimeDurable: optime, optimeDate: date, optimeDurableDate: date });
        entry.lastAppliedWallTime = date;
        entry.lastDurableWallTime = date;
      }
      if (!isSelf) Object.assign(entry, { lastHeartbeat: new Date(), lastHeartbeatRecv: new Date(), pingMs: Long.fromNumber(0), lastHeartbeatMessage: down ? `Error connecting to ${m.host} :: caused by :: Connection refused` : '' });
      Object.assign(entry, { syncSourceHost: !down && sync ? sync.host : '', syncSourceId: !down && sync ? sync.index : -1, infoMessage: '', configVersion: 1, configTerm: this.term });
      if (m.state === 'PRIMARY' && !down) Object.assign(entry, { electionTime: new Timestamp({ t: this.now - 600, i: 1 }), electionDate: new Date((this.now - 600) * 1000) });
      if (isSelf) entry.self = true;
      return entry;
    });
    const ownSync = self.syncSource === undefined ? undefined : this.members[self.syncSource];
    const applied = this.optime(self);
    return {
      set: this.setName,
      date: new Date(),
      myState: MEMBER_STATES[self.state],
      term: Long.fromNumber(this.term),
      syncSourceHost: ownSync?.host ?? '',
      syncSourceId: ownSync?.index ?? -1,
      heartbeatIntervalMillis: Long.fromNumber(2000),
      majorityVoteCount: Math.floor(this.members.length / 2) + 1,
      writeMajorityCount: Math.floor(this.members.length / 2) + 1,
      votingMembersCount: this.members.length,
      writableVotingMembersCount: this.members.filter((m) => m.state !== 'ARBITER').length,
      optimes: { lastCommittedOpTime: applied, readConcernMajorityOpTime: applied, appliedOpTime: applied, durableOpTime: applied },
      members,
      ok: 1,
    };
  }
}

/** A SASL payload (BSON binary) as text. */
function payloadText(payload: unknown): string {
  if (payload instanceof Binary) return Buffer.from(payload.buffer).toString('utf8');
  if (payload instanceof Uint8Array) return Buffer.from(payload).toString('utf8');
  return String(payload ?? '');
}
