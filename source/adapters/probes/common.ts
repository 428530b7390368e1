// Shared probe helpers: HTTP with a per-request timeout, the abort race for client libraries without a signal, endpoint resolution, target status.
import type { Stale, TargetStatus } from '../../core/cluster-state.js';
import type { ClusterMember, Inventory } from '../../core/inventory/model.js';
import { httpFetch, type HttpResponse } from '../http-client.js';
import type { TargetResult } from './types.js';

export interface HttpInit {
  method?: string;
  body?: string;
  /** Non-2xx statuses whose body is still the answer (etcd's `/health` says `{"health":"false"}` with 503). */
  acceptStatus?: readonly number[];
}

/** GET/POST with the caller's abort signal; errors name the URL's host:port and the reason. */
export async function httpText(url: string, signal: AbortSignal, init: HttpInit = {}): Promise<string> {
  let response: HttpResponse;
  try {
    response = await httpFetch(url, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
      signal,
    });
  } catch (error) {
    throw new Error(`${hostPort(url)}: ${describeError(error, signal)}`);
  }
  const text = await response.text();
  if (!response.ok && !init.acceptStatus?.includes(response.status)) throw new Error(`${hostPort(url)}: HTTP ${response.status} ${text.slice(0, 80).trim()}`);
  return text;
}

export async function httpJson(url: string, signal: AbortSignal, init: HttpInit = {}): Promise<unknown> {
  const text = await httpText(url, signal, init);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${hostPort(url)}: answer is not JSON: ${text.slice(0, 60)}`);
  }
}

export function hostPort(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function describeError(error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string; message?: string } | undefined;
    return reason?.name === 'TimeoutError' ? 'timed out' : (reason?.message ?? 'aborted');
  }
  const e = error as { cause?: { code?: string; message?: string }; code?: string; message?: string; name?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

/**
 * One poll through a client library that takes no abort signal (the MongoDB driver, kafkajs): settles with
 * its answer, or rejects as soon as `signal` aborts, so a member that accepts but never answers cannot hold
 * the poll past its timeout. Every client the poll registered with `opened` is closed afterwards without
 * waiting (closing waits for in-flight requests); one opened after that is closed at once. Errors name the address.
 */
export async function pollClosing<T>(address: string, signal: AbortSignal, poll: (opened: (close: () => Promise<unknown>) => void) => Promise<T>): Promise<T> {
  const closers: (() => Promise<unknown>)[] = [];
  let done = false;
  const opened = (close: () => Promise<unknown>) => (done ? void close().catch(() => undefined) : closers.push(close));
  const fail = (error: unknown) => new Error(error instanceof Error && error.message.startsWith(`${address}:`) ? error.message : `${address}: ${describeError(error, signal)}`);
  try {
    return await new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(fail(undefined));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      poll(opened)
        .then(resolve, (error: unknown) => reject(fail(error)))
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  } finally {
    done = true;
    for (const close of closers) void close().catch(() => undefined);
  }
}

/** A member's probe endpoint: `endpoint` as given, else `<scheme>://<host address>:<port>` (or `host:port`). */
export function memberEndpoint(member: ClusterMember, inventory: Inventory, scheme?: 'http'): string {
  if (member.endpoint) return scheme && !member.endpoint.includes('://') ? `${scheme}://${member.endpoint}` : member.endpoint;
  const address = inventory.hosts[member.host]?.address ?? member.host;
  const hp = member.port === undefined ? address : `${address}:${member.port}`;
  return scheme ? `${scheme}://${hp}` : hp;
}

export function staleOf(result: TargetResult, now: number): Stale | null {
  if (result.error === null) return null;
  return { sinceMs: Math.max(0, now - (result.lastOkAt ?? result.startedAt)), error: result.error };
}

export function targetStatuses(results: readonly TargetResult[], now: number): TargetStatus[] {
  return results.map((r) => ({
    target: r.address,
    lastOkAt: r.lastOkAt === null ? null : new Date(r.lastOkAt).toISOString(),
    stale: staleOf(r, now),
  }));
}

/** Fresh answers only (the latest attempt succeeded). */
export function fresh<O>(results: readonly TargetResult<O>[]): { result: TargetResult<O>; value: O }[] {
  const out: { result: TargetResult<O>; value: O }[] = [];
  for (const r of results) if (r.error === null && r.last !== null) out.push({ result: r, value: r.last });
  return out;
}

export function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

const MAX_CHANGES = 20;
/** Appends a change when `next` differs from the previous value that was actually observed. */
export function trackChanges<C extends { from: string | null; to: string | null; at: string }>(
  prevChanges: readonly C[] | undefined,
  prevValue: string | null | undefined,
  prevObserved: boolean,
  next: string | null,
  observed: boolean,
  at: string,
): C[] {
  const changes = [...(prevChanges ?? [])];
  if (prevObserved && observed && prevValue !== next) changes.push({ from: prevValue ?? null, to: next, at } as C);
  return changes.slice(-MAX_CHANGES);
}
