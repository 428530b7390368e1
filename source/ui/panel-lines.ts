// Cluster state → panel lines (text segments with a colour name). Pure: the panel component renders
// them and tests read them without a terminal. Compact enough for 80×24 (one line per member).
import type { ClusterState, EtcdState, HaproxyBackend, HaproxyState, PatroniState, RedisSentinelState, Stale } from '../core/cluster-state.js';
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
  const change = lastLeaderChange(s.leaderChanges);
  if (change) head.push(seg(`  changed ${change.from ?? '-'}→${change.to ?? '-'} ${clock(change.at)}${change.leaderlessMs !== undefined ? ` (no leader ${age(change.leaderlessMs)})` : ''}`, 'magenta'));
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
  return [head, ...members];
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

function etcdLines(s: EtcdState): Line[] {
  return [
    [
      ...title(s, 'etcd'),
      seg(`  healthy ${s.healthyCount}/${s.members.length}`, s.healthyCount === s.members.length ? 'green' : 'red'),
      ...s.members.flatMap((m) => [
        seg(`  ${m.name} `),
        m.healthy === null ? seg('?', 'yellow') : m.healthy ? seg('ok', 'green') : seg('UNHEALTHY', 'red', true),
        seg(m.isLeader ? ' (leader)' : ''),
        ...staleSeg(m.stale),
      ]),
    ],
  ];
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
