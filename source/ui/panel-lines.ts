// Cluster state → panel lines (text segments with a colour name). Pure: the panel component renders
// them and tests read them without a terminal. Compact enough for 80×24 (one line per member).
import type { ClusterState, DnsState, EtcdState, RedisClusterState, HaproxyBackend, HaproxyState, KafkaPartition, KafkaState, MongodbState, PatroniState, RedisSentinelState, Stale, WeaviateState } from '../core/cluster-state.js';
import { NO_ANSWER_YET as NOT_YET, worstStale } from '../core/cluster-state.js';
import { assertNever } from '../core/outcome.js';
import { age, bytes, clock } from './format.js';

export type Tone = 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'magenta' | undefined;
export interface Segment {
  text: string;
  tone?: Tone;
  bold?: boolean;
}
export type Line = Segment[];

const seg = (text: string, tone?: Tone, bold?: boolean): Segment => ({ text, tone, bold });


function staleSeg(stale: Stale | null | undefined): Segment[] {
  if (!stale) return [];
  if (stale.error === NOT_YET) return [seg(' waiting for first answer', 'gray')];
  return [seg(` STALE ${age(stale.sinceMs)}`, 'yellow', true), seg(` (${stale.error})`, 'gray')];
}

function title(state: ClusterState, label: string): Segment[] {
  return [seg(state.name, undefined, true), seg(` ${label}`, 'gray')];
}

export function panelLines(state: ClusterState): Line[] {
  switch (state.kind) {
    case 'patroni':
      return patroniLines(state);
    case 'haproxy':
      return haproxyLines(state);
    case 'redis-sentinel':
      return redisLines(state);
    case 'etcd':
      return etcdLines(state);
    case 'mongodb':
      return mongoLines(state);
    case 'kafka':
      return kafkaLines(state);
    case 'weaviate':
      return weaviateLines(state);
    case 'redis-cluster':
      return redisClusterLines(state);
    case 'dns':
      return dnsLines(state);
    case 'no-probe':
      return [[...title(state, state.clusterKind), seg(`  no probe yet`, 'gray'), seg(state.members.length ? `  (${state.members.join(', ')})` : '', 'gray')]];
    default:
      return assertNever(state);
  }
}

/**
 * The last leader change to show. A failover or switchover passes through "no leader" (pg1→none, then
 * none→pg2): shown as the one change it is, pg1→pg2, with how long the cluster had no leader.
 */
export function lastLeaderChange(changes: PatroniState['leaderChanges']): { from: string | null; to: string | null; at: string; leaderlessMs?: number } | undefined {
  const last = changes.at(-1);
  if (!last) return undefined;
  const before = changes.at(-2);
  if (last.from === null && last.to !== null && before && before.to === null && before.from !== null) {
    return { from: before.from, to: last.to, at: last.at, leaderlessMs: Math.max(0, Date.parse(last.at) - Date.parse(before.at)) };
  }
  return last;
}

/** `changed pg1→pg2 12:00:03 (no leader 1.2s)` for the last change, or nothing. */
function changeSegs(changes: PatroniState['leaderChanges'], role: string): Segment[] {
  const change = lastLeaderChange(changes);
  if (!change) return [];
  return [seg(`  changed ${change.from ?? '-'}→${change.to ?? '-'} ${clock(change.at)}${change.leaderlessMs !== undefined ? ` (no ${role} ${age(change.leaderlessMs)})` : ''}`, 'magenta')];
}

function patroniLines(s: PatroniState): Line[] {
  const head: Line = [
    ...title(s, 'patroni'),
    seg('  leader '),
    s.leader ? seg(s.leader, 'green', true) : seg('NONE', 'red', true),
    seg('  sync '),
    seg(s.syncStandby ?? '-', s.syncStandby ? 'cyan' : 'gray'),
    seg('  DCS '),
    s.dcsReachable === null ? seg('?', 'yellow') : s.dcsReachable ? seg('ok', 'green') : seg('UNREACHABLE', 'red', true),
  ];
  head.push(...changeSegs(s.leaderChanges, 'leader'));
  const members = s.members.map((m): Line => {
    const roleTone: Tone = m.role === 'leader' ? 'green' : m.role === 'sync_standby' ? 'cyan' : m.role === 'unknown' ? 'yellow' : undefined;
    const lag = m.role === 'leader' ? '' : ` lag ${bytes(m.lagBytes)}${m.lagSeconds ? `/${m.lagSeconds.toFixed(1)}s` : ''}`;
    return [
      seg(`  ${m.name.padEnd(6)} `),
      seg(m.role.padEnd(13), roleTone, m.role === 'leader'),
      seg(`${(m.state ?? '?').padEnd(9)}`, m.state === 'running' ? undefined : 'yellow'),
      seg(` TL${m.timeline ?? '?'}${lag}`),
      m.apiReachable ? seg('') : seg(' api down', 'red'),
      ...staleSeg(m.stale),
    ];
  });
  const extra: Line[] = [];
  if (s.standby) extra.push(standbyLine(s.standby));
  if (s.archive) extra.push(archiveLine(s.archive, Date.parse(s.fetchedAt)));
  return [head, ...extra, ...members];
}

/** The leader's WAL archiver: the last segment archived and how long ago, and any failures. */
function archiveLine(a: NonNullable<PatroniState['archive']>, now: number): Line {
  if (a.lastArchivedWal === null && a.error !== null) return [seg('  archive '), seg('?', 'yellow', true), seg(` ${a.error}`, 'yellow')];
  const ageMs = a.lastArchivedAt ? Math.max(0, now - Date.parse(a.lastArchivedAt)) : null;
  const failedLater = a.lastFailedAt !== null && (a.lastArchivedAt === null || Date.parse(a.lastFailedAt) > Date.parse(a.lastArchivedAt));
  return [
    seg('  archive last '),
    seg(a.lastArchivedWal ?? 'none yet', a.lastArchivedWal ? 'green' : 'yellow'),
    seg(ageMs === null ? '' : ` ${age(ageMs)} ago`, 'gray'),
    seg(a.member ? ` on ${a.member}` : '', 'gray'),
    failedLater ? seg(`  FAILING: ${a.lastFailedWal ?? '?'} (${a.failedCount ?? '?'} failures)`, 'red', true) : seg(a.failedCount ? `  ${a.failedCount} earlier failures` : '', 'gray'),
    ...(a.error !== null ? [seg(` STALE (${a.error})`, 'yellow')] : []),
  ];
}

/** A standby cluster's delay behind its upstream leader: bytes and seconds, or why it is unknown. */
function standbyLine(st: NonNullable<PatroniState['standby']>): Line {
  if (st.delayBytes === null) return [seg(`  standby of ${st.of}: delay `), seg('?', 'yellow', true), seg(` ${st.error ?? ''}`, 'yellow')];
  const tone: Tone = st.delayBytes === 0 ? 'green' : (st.delaySeconds ?? 0) > 60 ? 'red' : 'yellow';
  const secs = st.delaySeconds === null ? '?s' : `${st.delaySeconds.toFixed(1)}s`;
  return [seg(`  standby of ${st.of}: behind ${st.upstreamLeader ?? '?'} `), seg(`${bytes(st.delayBytes)} / ${secs}`, tone, true)];
}

function backendSegs(label: string, b: HaproxyBackend | null): Segment[] {
  if (!b) return [seg(`  ${label} -`, 'gray')];
  return [
    seg(`  ${label} `),
    ...b.servers.flatMap((srv, i) => [seg(i ? ' ' : ''), seg(`${srv.name}:${srv.status === 'UP' ? 'UP' : srv.raw || srv.status}`, srv.status === 'UP' ? 'green' : srv.status === 'DOWN' ? 'red' : 'yellow', srv.status === 'UP')]),
  ];
}

function haproxyLines(s: HaproxyState): Line[] {
  return [[...title(s, 'haproxy'), ...backendSegs('rw', s.rw), ...backendSegs('ro', s.ro), ...staleSeg(worstStale(s))]];
}

function redisLines(s: RedisSentinelState): Line[] {
  const total = s.sentinels.length;
  const head: Line = [
    ...title(s, 'sentinel'),
    seg('  master '),
    s.master ? seg(s.master, 'green', true) : seg('NONE', 'red', true),
    seg(`  sentinels ${s.sentinelsReachable}/${total} `),
    s.agreement ? seg('agree', 'green') : seg('DISAGREE', 'red', true),
    seg(`  quorum ${s.quorum ?? '?'}`),
  ];
  const ck = s.sentinels.find((v) => v.stale === null)?.quorumReachable;
  if (ck !== undefined && ck !== null) head.push(ck ? seg(' ok', 'green') : seg(' NOT REACHABLE', 'red', true));
  const last = s.leaderChanges.at(-1);
  if (last) head.push(seg(`  changed ${clock(last.at)}`, 'magenta'));
  const views = s.sentinels.filter((v) => v.stale || v.master !== s.master);
  const lines: Line[] = [head];
  for (const v of views) lines.push([seg(`  sentinel ${v.address} says ${v.master ?? '?'}`, v.master !== s.master ? 'red' : undefined), ...staleSeg(v.stale)]);
  if (s.replicas.length)
    lines.push([
      seg('  replicas'),
      ...s.replicas.flatMap((r) => [
        seg(` ${r.address.replace(/^127\.0\.0\.1:/, ':')} `),
        seg(r.linkStatus ?? '?', r.linkStatus === 'up' || r.linkStatus === 'ok' ? 'green' : 'red'),
        seg(` lag ${bytes(r.offsetLag)}`),
        ...(r.stale && r.stale.error !== NOT_YET ? [seg(` STALE ${age(r.stale.sinceMs)}`, 'yellow', true)] : []),
      ]),
    ]);
  return lines;
}

/** `db.dr.lab. → a.dr.lab.:56030 (127.0.0.1, ttl 5s)` per name, as the authoritative server answers now. */
function dnsLines(s: DnsState): Line[] {
  const head: Line = [...title(s, 'dns'), seg(s.server ? `  @${s.server}` : '  no server answered', s.server ? 'gray' : 'red'), ...staleSeg(worstStale(s))];
  const names: Line[] = s.names.map((n) => [
    seg(`  ${n.name} `),
    n.error !== null
      ? seg(n.error, 'red', true)
      : seg(`→ ${n.srv ? `${n.srv.target}:${n.srv.port}` : n.addresses.join(' ') || '?'}`, 'green'),
    seg(n.error === null ? `${n.srv && n.addresses.length ? ` (${n.addresses.join(' ')})` : ''} ttl ${n.ttlSeconds ?? '?'}s` : '', 'gray'),
  ]);
  return [head, ...names];
}

function etcdLines(s: EtcdState): Line[] {
  const head: Line = [
    ...title(s, 'etcd'),
    seg(`  healthy ${s.healthyCount}/${s.members.length}`, s.healthyCount === s.members.length ? 'green' : 'red'),
    s.hasQuorum === null
      ? seg('  quorum ?', 'yellow')
      : s.hasQuorum
        ? seg(`  quorum ok`, 'green')
        : seg(`  NO QUORUM (needs ${s.quorumSize} healthy): Patroni cannot keep or take the leader key`, 'red', true),
  ];
  const key = s.leaderKey;
  if (key) {
    head.push(seg('  leader key '));
    if (key.holder === null) head.push(seg('NONE', 'red', true));
    else {
      const old = key.ageSeconds !== null && key.grantedTtlSeconds !== null && key.ageSeconds * 2 > key.grantedTtlSeconds;
      head.push(seg(key.holder, 'green'), seg(` refreshed ${key.ageSeconds ?? '?'}s ago (ttl ${key.grantedTtlSeconds ?? '?'}s)`, old ? 'yellow' : 'gray'));
    }
  }
  const members: Line = s.members.flatMap((m) => [
    seg(`  ${m.name} `),
    m.healthy === null ? seg('?', 'yellow') : m.healthy ? seg('ok', 'green') : seg('UNHEALTHY', 'red', true),
    seg(m.isLeader ? ' (leader)' : ''),
    ...staleSeg(m.stale),
  ]);
  return [head, members];
}

function seconds(value: number | null): string {
  return value === null ? '?' : `${value.toFixed(value < 10 ? 1 : 0)}s`;
}

/** 950, 12.3k, 4.5M: object counts in a few columns. */
function count(value: number | null): string {
  if (value === null) return '?';
  if (value < 1000) return String(value);
  const [unit, div] = value < 1e6 ? ['k', 1e3] : value < 1e9 ? ['M', 1e6] : ['G', 1e9];
  return `${(value / (div as number)).toFixed(1)}${unit}`;
}

/** A sharded cluster seen through its mongos routers: shards and the balancer, then the routers. */
function mongosLines(s: MongodbState, sh: NonNullable<MongodbState['sharding']>): Line[] {
  const head: Line = [
    ...title(s, 'mongodb sharded'),
    seg(`  mongos ${sh.routersAnswering}/${s.members.length}`, sh.routersAnswering === s.members.length ? 'green' : 'yellow'),
    seg(`  shards ${sh.shards.length}`),
    seg('  balancer '),
    sh.balancerMode === null ? seg('?', 'yellow') : seg(sh.balancerMode, sh.balancerMode === 'full' ? 'green' : 'yellow', sh.balancerMode !== 'full'),
    seg(sh.inBalancerRound === null ? '' : sh.inBalancerRound ? ' (balancing)' : ' (idle)', 'gray'),
  ];
  if (sh.error) head.push(seg(`  ${sh.error}`, 'red'));
  const shards = sh.shards.map((x): Line => [seg(`  ${x.id.padEnd(8)} `), seg(x.host, 'gray'), x.draining ? seg(' DRAINING', 'yellow', true) : seg('')]);
  const routers = s.members.filter((m) => m.stale).map((m): Line => [seg(`  ${m.name.padEnd(6)} `), seg('mongos', 'gray'), ...staleSeg(m.stale)]);
  return [head, ...shards, ...routers];
}

function mongoLines(s: MongodbState): Line[] {
  if (s.sharding) return mongosLines(s, s.sharding);
  const head: Line = [
    ...title(s, 'mongodb'),
    seg(`  set ${s.setName ?? '?'}`),
    seg('  primary '),
    s.primary ? seg(s.primary, 'green', true) : seg('NONE', 'red', true),
  ];
  if (s.view === 'hello') head.push(seg('  (hello only)', 'yellow'));
  head.push(...changeSegs(s.primaryChanges, 'primary'));
  const members = s.members.map((m): Line => {
    const state = m.stateStr ?? '?';
    const tone: Tone = state === 'PRIMARY' ? 'green' : state === 'SECONDARY' ? undefined : state === 'ARBITER' ? 'gray' : m.health === 0 ? 'red' : 'yellow';
    return [
      seg(`  ${m.name.padEnd(6)} `),
      seg(state.padEnd(10), tone, state === 'PRIMARY'),
      m.health === 0 && state !== '(not reachable/healthy)' ? seg(' DOWN', 'red', true) : seg(''),
      seg(state === 'PRIMARY' || state === 'ARBITER' ? '' : ` lag ${seconds(m.lagSeconds)}`),
      seg(m.syncSourceHost ? ` ← ${m.syncSourceHost}` : '', 'gray'),
      ...staleSeg(m.stale),
    ];
  });
  return [head, ...members];
}

function partitionsSeg(label: string, n: number | null, first: KafkaPartition[]): Segment[] {
  if (n === null) return [seg(`  ${label} ?`, 'yellow')];
  if (n === 0) return [seg(`  ${label} 0`, 'green')];
  const names = first.slice(0, 2).map((p) => `${p.topic}-${p.partition}`).join(' ');
  return [seg(`  ${label} ${n}`, 'red', true), seg(` (${names}${n > 2 ? ' …' : ''})`, 'red')];
}

function kafkaLines(s: KafkaState): Line[] {
  const listed = s.brokers.filter((b) => b.nodeId !== null).length;
  const head: Line = [
    ...title(s, 'kafka'),
    seg('  controller '),
    s.controller !== null ? seg(String(s.controller), 'green', true) : seg('NONE', 'red', true),
    seg(`  brokers ${listed}/${s.brokers.length}`, listed === s.brokers.length ? undefined : 'yellow'),
    ...partitionsSeg('URP', s.underReplicated, s.underReplicatedFirst),
    ...partitionsSeg('offline', s.offline, s.offlineFirst),
  ];
  const brokers = s.brokers.map((b): Line => [
    seg(`  ${b.name.padEnd(6)} `),
    b.nodeId !== null ? seg(`id ${b.nodeId}`.padEnd(6)) : seg('not in metadata', 'yellow'),
    seg(` ${b.address}`, 'gray'),
    b.controller ? seg(' controller', 'cyan') : seg(''),
    ...staleSeg(b.stale),
  ]);
  return [head, ...brokers];
}

function weaviateLines(s: WeaviateState): Line[] {
  const ready = s.members.filter((m) => m.ready === true).length;
  const head: Line = [
    ...title(s, 'weaviate'),
    seg(`  healthy ${s.healthyCount}/${s.nodes.length}`, s.nodes.length > 0 && s.healthyCount === s.nodes.length ? 'green' : 'red', s.healthyCount < s.nodes.length),
    seg(`  ready ${ready}/${s.members.length}`, ready === s.members.length ? 'green' : 'red'),
  ];
  if (s.nodesError) head.push(seg(`  /v1/nodes: ${s.nodesError}`, 'red'));
  const nodeSegs = (name: string): Segment[] => {
    const n = s.nodes.find((x) => x.name === name);
    if (!n) return [seg('not in /v1/nodes'.padEnd(10), 'yellow')];
    return [
      seg((n.status ?? '?').padEnd(10), n.status === 'HEALTHY' ? 'green' : 'red', n.status !== 'HEALTHY'),
      seg(` ${n.version ?? '?'} shards ${n.shardCount ?? '?'} objects ${count(n.objectCount)}`),
    ];
  };
  const members = s.members.map((m): Line => [
    seg(`  ${m.name.padEnd(6)} `),
    ...nodeSegs(m.name),
    m.ready === null ? seg('') : m.ready ? seg('  ready', 'green') : seg('  NOT READY', 'red', true),
    ...staleSeg(m.stale),
  ]);
  const others = s.nodes.filter((n) => !s.members.some((m) => m.name === n.name)).map((n): Line => [seg(`  ${n.name.padEnd(6)} `), ...nodeSegs(n.name), seg('  (no inventory member)', 'gray')]);
  return [head, ...members, ...others];
}

function redisClusterLines(s: RedisClusterState): Line[] {
  const okAll = s.slotsOk === s.totalSlots;
  const head: Line = [
    ...title(s, 'redis-cluster'),
    seg('  state '),
    s.clusterState === null ? seg('?', 'yellow') : s.clusterState === 'ok' ? seg('ok', 'green', true) : seg(s.clusterState.toUpperCase(), 'red', true),
    seg(`  slots ok ${s.slotsOk ?? '?'}/${s.totalSlots}`, okAll ? 'green' : 'red', !okAll),
  ];
  if (s.slotsAssigned !== null && s.slotsAssigned !== s.totalSlots) head.push(seg(` assigned ${s.slotsAssigned}`, 'red', true));
  if (s.slotsPfail) head.push(seg(` pfail ${s.slotsPfail}`, 'yellow', true));
  if (s.slotsFail) head.push(seg(` fail ${s.slotsFail}`, 'red', true));
  head.push(seg(`  epoch ${s.currentEpoch ?? '?'}`, 'gray'));
  const last = s.masterChanges.at(-1);
  if (last) head.push(seg(`  masters ${last.from ?? '-'}→${last.to ?? '-'} ${clock(last.at)}`, 'magenta'));
  const flagSegs = (flags: string[]) => (flags.length ? [seg(` ${flags.join(',')}`, 'red', true)] : []);
  const masters = s.masters.map((m): Line => [
    seg(`  ${m.name.padEnd(6)} `),
    seg('master ', 'green', true),
    seg(`${(m.slotRanges.join(',') || 'no slots').padEnd(11)} e${m.configEpoch}`),
    m.linkState === 'connected' ? seg('') : seg(` ${m.linkState}`, 'red', true),
    ...flagSegs(m.flags),
    ...(m.replicas.length === 0 ? [seg('  NO REPLICA', 'red', true)] : []),
    ...m.replicas.flatMap((r) => [
      seg(`  ← ${r.name} `),
      seg(r.masterLinkStatus ?? r.linkState, (r.masterLinkStatus ?? r.linkState) === 'up' || (r.masterLinkStatus === null && r.linkState === 'connected') ? 'green' : 'red'),
      seg(` lag ${bytes(r.offsetLag)}`),
      ...flagSegs(r.flags),
    ]),
  ]);
  const odd = s.nodes
    .filter((n) => n.stale || (n.clusterState !== null && n.clusterState !== 'ok'))
    .map((n): Line => [seg(`  ${n.name.padEnd(6)} `), n.clusterState && n.clusterState !== 'ok' ? seg(`says cluster_state ${n.clusterState}`, 'red') : seg(''), ...staleSeg(n.stale)]);
  return [head, ...masters, ...odd];
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
