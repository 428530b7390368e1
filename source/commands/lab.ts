// `hatui lab …`: the loopback HA lab (docs/lab.md).
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import {
  assertNode,
  defaultLabParts,
  labCrash,
  labFreezeRegion,
  labDown,
  labFreeze,
  labHeal,
  labPartition,
  labInstall,
  labLag,
  labParts,
  labRestart,
  labSettings,
  labStatus,
  labThaw,
  labUp,
  missingPackages,
  optionalParts,
  type LabPart,
  type LabStatus,
} from '../lab/index.js';
import { doublePorts, serveDoubles } from '../lab/doubles/lab-doubles.js';
import { recordEvent } from '../lab/events.js';
import type { LabSettings } from '../lab/settings.js';

const USAGE = `Usage: hatui lab <command>
  install [--check]       install the Debian packages the lab needs (idempotent; --check only reports)
  up [part…] [--doubles] [--regions 2]
                          start the lab (parts: ${labParts.join(', ')}; default all but ${optionalParts.join(', ')}) and wait until healthy;
                          --doubles also serves the wire-level MongoDB/mongos/Kafka/Weaviate doubles (not the real servers);
                          --regions 2 adds region B (DR: etcd-b, standby cluster pgb1/pgb2, redis-b, bind9)
  status [--json]         one row per node: pid, ports, role, health
  down [part…] [--keep-data]  stop everything the lab started (or only the parts named, \`doubles\` too); remove its files unless --keep-data
  crash <node>            power-off a node (freeze its cgroup, then kill it)
  restart <node>          start a node again
  freeze <node>           freeze a node's cgroup (a hung node); thaw <node> resumes it
  partition <node>        cut a node off the network: it runs on in its own network namespace
                          hatui-<port base>-<node> (restarted there); heal <node> brings it back
  lag <node> --for 1s     stop the leader's WAL senders (to <node>, or all if <node> leads) for a while
  region-freeze a         region A lost: freeze all its nodes (etcd, pg, haproxy, redis, sentinels) at once
  region-thaw a           bring region A back (thaw them all)
  double stop|start <member>  stop or start a member of the wire-level doubles (mongo1…3, kafka1…3; the
                          doubles' control endpoint: HATUI_DOUBLES_CONTROL, default port base + 135);
                          double state prints their state (JSON); double elect-preferred runs a preferred
                          leader election on the Kafka double
Environment: HATUI_LAB_DIR (default /var/tmp/hatui-lab), HATUI_LAB_PORT_BASE (default 55000),
  HATUI_LAB_TTL / _LOOP_WAIT / _RETRY_TIMEOUT / _SYNCHRONOUS_MODE / _FAILSAFE_MODE (Patroni DCS knobs at bootstrap)`;

const out = (line: string) => process.stdout.write(line + '\n');
const err = (line: string) => process.stderr.write(line + '\n');

export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!m) throw new HatuiError(`--for ${raw}: expected a duration like 500ms, 1s or 2m`, ExitCode.usage);
  const value = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000;
  if (ms <= 0 || ms > 600_000) throw new HatuiError(`--for ${raw}: must be more than 0 and at most 10m`, ExitCode.usage);
  return Math.round(ms);
}

export function formatStatus(status: LabStatus): string {
  const rows = status.nodes.map((n) => [n.node, n.pid === null ? '-' : String(n.pid), n.ports.join(','), n.role || '-', n.health, n.detail]);
  const header = ['NODE', 'PID', 'PORTS', 'ROLE', 'HEALTH', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [`lab ${status.dir} (ports from ${status.portBase})${status.running ? '' : ': nothing running'}`, line(header), ...rows.map(line)].join('\n');
}

/** `hatui lab double …`: asks the doubles' control endpoint (source/lab/doubles/control.ts). */
async function doubleControl(settings: LabSettings, positionals: string[]): Promise<number> {
  const [action, member, ...extra] = positionals;
  const usage = 'usage: hatui lab double stop|start <member> | state | elect-preferred';
  const base = (process.env.HATUI_DOUBLES_CONTROL || `http://127.0.0.1:${doublePorts(settings).control[0]}`).replace(/\/+$/, '');
  const ask = async (method: string, path: string): Promise<Record<string, unknown>> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new HatuiError(`the doubles' control endpoint ${base} does not answer (hatui lab up --doubles?): ${(error as Error).message}`, ExitCode.failed);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw new HatuiError(`${base}${path}: ${String(body.error ?? response.status)}`, ExitCode.failed);
    return body;
  };
  if ((action === 'stop' || action === 'start') && member && extra.length === 0) {
    const done = await ask('POST', `/members/${encodeURIComponent(member)}/${action}`);
    const t0 = Number(done.t0);
    // The fault record drills read T0 from (docs/drills.md), as `hatui lab crash` writes it for a real node.
    recordEvent(settings, { action: action === 'stop' ? 'crash' : 'restart', double: String(done.member ?? member) }, t0);
    out(`${action} ${String(done.member ?? member)} (wire-level double) at ${new Date(t0).toISOString()} (t0=${t0})`);
    return ExitCode.ok;
  }
  if (action === 'state' && !member) {
    out(JSON.stringify(await ask('GET', '/state')));
    return ExitCode.ok;
  }
  if (action === 'elect-preferred' && !member) {
    out(JSON.stringify(await ask('POST', '/kafka/elect-preferred')));
    return ExitCode.ok;
  }
  throw new HatuiError(usage, ExitCode.usage);
}

function oneNode(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new HatuiError(`usage: hatui lab ${command} <node>`, ExitCode.usage);
  const node = positionals[0]!;
  assertNode(node);
  return node;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    out(USAGE);
    return sub ? ExitCode.ok : ExitCode.usage;
  }
  const options = {
    json: { type: 'boolean' as const },
    'keep-data': { type: 'boolean' as const },
    for: { type: 'string' as const },
    check: { type: 'boolean' as const },
    doubles: { type: 'boolean' as const },
    regions: { type: 'string' as const },
    help: { type: 'boolean' as const, short: 'h' },
  };
  const { values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  if (values.help) {
    out(USAGE);
    return ExitCode.ok;
  }
  const allowed: Record<string, (keyof typeof options)[]> = {
    install: ['check'],
    up: ['doubles', 'regions'],
    'serve-doubles': [],
    status: ['json'],
    down: ['keep-data'],
    crash: [],
    restart: [],
    freeze: [],
    thaw: [],
    partition: [],
    heal: [],
    lag: ['for'],
    'region-freeze': [],
    'region-thaw': [],
    double: [],
  };
  const flags = allowed[sub];
  if (!flags) throw new HatuiError(`unknown lab command '${sub}'. Commands: ${Object.keys(allowed).filter((c) => c !== 'serve-doubles').join(', ')}`, ExitCode.usage);
  for (const key of Object.keys(values) as (keyof typeof options)[]) {
    if (key !== 'help' && !flags.includes(key)) throw new HatuiError(`hatui lab ${sub} does not take --${key}`, ExitCode.usage);
  }
  if (sub === 'install') {
    if (positionals.length) throw new HatuiError('usage: hatui lab install [--check]', ExitCode.usage);
    if (values.check) {
      const missing = missingPackages();
      out(missing.length ? `missing lab packages: ${missing.join(' ')}` : 'all lab packages are installed');
      return missing.length ? ExitCode.failed : ExitCode.ok;
    }
    await labInstall({ log: out });
    return ExitCode.ok;
  }
  const settings = labSettings();
  switch (sub) {
    case 'double':
      return doubleControl(settings, positionals);
    case 'serve-doubles': {
      // The background process `lab up --doubles` starts (not for operators): serves until SIGTERM.
      await serveDoubles(settings);
      return ExitCode.ok;
    }
    case 'up': {
      const bad = positionals.filter((p) => !(labParts as readonly string[]).includes(p));
      if (bad.length) throw new HatuiError(`unknown lab part '${bad[0]}'. Parts: ${labParts.join(', ')}`, ExitCode.usage);
      if (values.regions !== undefined && values.regions !== '1' && values.regions !== '2') throw new HatuiError(`--regions ${values.regions}: expected 1 or 2`, ExitCode.usage);
      const parts = positionals as LabPart[];
      if (values.regions === '2') parts.push(...(parts.length ? [] : defaultLabParts), 'region-b');
      const result = await labUp(settings, parts, { log: err, doubles: values.doubles === true });
      out(
        result.started.length
          ? `lab up in ${(result.durationMs / 1000).toFixed(1)} s (${result.parts.join(', ')}); inventory ${result.inventory}`
          : `lab already up (${result.parts.join(', ')}); inventory ${result.inventory}`,
      );
      return ExitCode.ok;
    }
    case 'status': {
      if (positionals.length) throw new HatuiError('usage: hatui lab status [--json]', ExitCode.usage);
      const status = await labStatus(settings);
      out(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return ExitCode.ok;
    }
    case 'down': {
      const badPart = positionals.find((p) => p !== 'doubles' && !(labParts as readonly string[]).includes(p));
      if (badPart) throw new HatuiError(`unknown lab part '${badPart}'. Parts: ${labParts.join(', ')}, doubles`, ExitCode.usage);
      const result = await labDown(settings, { keepData: values['keep-data'] === true, log: err, parts: positionals as (LabPart | 'doubles')[] });
      out(result.stopped.length ? `lab down: stopped ${result.stopped.length} nodes` : 'lab down: nothing was running');
      if (result.portsStillBusy.length) {
        err(`warning: lab ports still in use by processes the lab did not start: ${result.portsStillBusy.map((b) => `${b.port}${b.owner ? ` (${b.owner})` : ''}`).join(', ')}`);
      }
      return ExitCode.ok;
    }
    case 'crash':
    case 'restart':
    case 'freeze':
    case 'thaw':
    case 'partition':
    case 'heal': {
      const node = oneNode(positionals, sub);
      assertNode(node);
      const action = { crash: labCrash, restart: labRestart, freeze: labFreeze, thaw: labThaw, partition: labPartition, heal: labHeal }[sub];
      const fault = await action(settings, node);
      out(`${sub} ${node} at ${new Date(fault.t0).toISOString()} (t0=${fault.t0})`);
      return ExitCode.ok;
    }
    case 'region-freeze':
    case 'region-thaw': {
      if (positionals.length !== 1 || positionals[0] !== 'a') throw new HatuiError(`usage: hatui lab ${sub} a (region A is the one that can be lost)`, ExitCode.usage);
      const result = await labFreezeRegion(settings, sub === 'region-freeze');
      out(`${sub} a: ${result.nodes.join(', ') || 'nothing to change'} at ${new Date(result.t0).toISOString()} (t0=${result.t0})`);
      return ExitCode.ok;
    }
    case 'lag': {
      const node = oneNode(positionals, 'lag');
      assertNode(node);
      if (values.for === undefined) throw new HatuiError('usage: hatui lab lag <node> --for <duration>, e.g. --for 1s', ExitCode.usage);
      const ms = parseDuration(values.for);
      const result = await labLag(settings, node, ms);
      out(`lag: WAL senders ${result.pids.join(', ')} on leader ${result.leader} stopped for ${ms} ms from ${new Date(result.t0).toISOString()}`);
      return ExitCode.ok;
    }
  }
  throw new HatuiError(`unknown lab command '${sub}'`, ExitCode.usage);
}
