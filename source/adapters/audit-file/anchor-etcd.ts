// The etcd anchor: the run's head is also PUT to an etcd cluster (off the box that holds the logs), at
// key `hatui/anchors/<runId>`, so whoever can rewrite a log and the local anchors file still cannot
// rewrite the head the cluster holds. One step to set up: HATUI_ANCHOR_ETCD=<member URL>[,<member URL>...]
// (or the `audit.anchorEtcd` setting), e.g. the cluster's own etcd members from the inventory.
// A failed PUT does not stop a run (an emergency failover must not wait on the anchor store); the run
// output then says the run was anchored only locally from that record on.
import { existsSync } from 'node:fs';
import type { Head } from '../../core/audit/record.js';
import { type AnchorLine, anchorLine } from './anchors.js';
import { settingsFile } from './anchor-command.js';

export interface EtcdAnchorTarget {
  endpoints: string[];
}

export const ETCD_ANCHOR_PREFIX = 'hatui/anchors/';
const TIMEOUT_MS = 2000;

export function etcdAnchorKey(runId: string): string {
  return ETCD_ANCHOR_PREFIX + runId;
}

/** Parses `http://a:2379,http://b:2379`; throws naming the bad entry. */
export function parseEtcdEndpoints(value: string, source: string): string[] {
  const endpoints = value
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const e of endpoints) {
    let url: URL;
    try {
      url = new URL(e);
    } catch {
      throw new Error(`${source}: '${e}' is not a URL (want http(s)://host:port)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${source}: '${e}' is not http(s)://host:port`);
  }
  return endpoints;
}

export async function resolveEtcdAnchor(env: NodeJS.ProcessEnv = process.env): Promise<EtcdAnchorTarget | null> {
  if (env.HATUI_ANCHOR_ETCD !== undefined) {
    const endpoints = parseEtcdEndpoints(env.HATUI_ANCHOR_ETCD, 'HATUI_ANCHOR_ETCD');
    return endpoints.length ? { endpoints } : null;
  }
  if (!existsSync(settingsFile())) return null;
  try {
    const { default: Conf } = await import('conf');
    const value = new Conf<Record<string, unknown>>({ projectName: 'hatui' }).get('audit.anchorEtcd');
    const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
    const endpoints = parseEtcdEndpoints(text, `audit.anchorEtcd in ${settingsFile()}`);
    return endpoints.length ? { endpoints } : null;
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('audit.anchorEtcd')) throw error;
    return null;
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

async function post(endpoint: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${new URL(endpoint).host}: HTTP ${response.status} ${text.slice(0, 120)}`);
  return JSON.parse(text) as unknown;
}

/** Tries each member in turn; resolves with the member that took the PUT, rejects naming every failure. */
async function eachMember<T>(target: EtcdAnchorTarget, call: (endpoint: string) => Promise<T>): Promise<{ endpoint: string; value: T }> {
  const errors: string[] = [];
  for (const endpoint of target.endpoints) {
    try {
      return { endpoint, value: await call(endpoint) };
    } catch (error) {
      errors.push(`${endpoint}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no etcd member took the anchor (${errors.join('; ')})`);
}

/** PUTs the head; the value is the anchor line (canonical JSON). */
export async function putEtcdAnchor(target: EtcdAnchorTarget, anchor: AnchorLine): Promise<string> {
  const done = await eachMember(target, (endpoint) => post(endpoint, '/v3/kv/put', { key: b64(etcdAnchorKey(anchor.runId)), value: b64(anchorLine(anchor).trim()) }));
  return done.endpoint;
}

export interface EtcdAnchorRead {
  endpoint: string;
  key: string;
  head: Head | null;
}

/** Reads the run's head from etcd (a linearizable read on the first member that answers). */
export async function readEtcdAnchor(target: EtcdAnchorTarget, runId: string): Promise<EtcdAnchorRead> {
  const key = etcdAnchorKey(runId);
  const done = await eachMember(target, (endpoint) => post(endpoint, '/v3/kv/range', { key: b64(key) }));
  return { endpoint: done.endpoint, key, head: parseEtcdAnchorRange(done.value) };
}

export function parseEtcdAnchorRange(json: unknown): Head | null {
  const kvs = (json as { kvs?: { value?: string }[] } | null)?.kvs;
  const value = kvs?.[0]?.value;
  if (!value) return null;
  const line = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Partial<AnchorLine>;
  if (typeof line.seq !== 'number' || typeof line.hash !== 'string') throw new Error(`etcd anchor value is not an anchor line`);
  return { seq: line.seq, hash: line.hash };
}

export interface OffBoxCheck {
  heads: Head[];
  /** What was checked, for `audit verify` and resume: "etcd <member> key <key>: head <seq:hash>", or why not. */
  checked: string;
  /** True when an anchor is configured but could not be read (verify then cannot rule out a cut tail off the box). */
  unreadable: boolean;
}

export async function checkEtcdAnchor(target: EtcdAnchorTarget | null, runId: string | null | undefined): Promise<OffBoxCheck> {
  if (target === null) return { heads: [], checked: 'no off-box anchor configured (HATUI_ANCHOR_ETCD unset): local anchors file only', unreadable: false };
  if (!runId) return { heads: [], checked: 'etcd anchor not checked: the log names no run id', unreadable: true };
  try {
    const read = await readEtcdAnchor(target, runId);
    if (read.head === null) return { heads: [], checked: `etcd ${read.endpoint} key ${read.key}: no head for this run (anchored only locally)`, unreadable: false };
    return { heads: [read.head], checked: `etcd ${read.endpoint} key ${read.key}: head ${read.head.seq}:${read.head.hash}`, unreadable: false };
  } catch (error) {
    return { heads: [], checked: `etcd anchor unreadable: ${(error as Error).message}`, unreadable: true };
  }
}
