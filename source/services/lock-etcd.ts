// Operator lock on etcd (Patroni's DCS, or the inventory's `locks.store`) through the v3 JSON gateway
// (etcd 3.4: /v3/...): the lock key is attached to a lease kept alive by the holder; keys and values are
// base64 in the JSON API. Every member's client URL is given: a request that cannot reach one member
// goes to the next (a member that answers with an error is not skipped: that answer is the cluster's).
import { httpFetch, type HttpFetch, type HttpResponse } from '../adapters/http-client.js';
import type { AcquireOutcome, LockStore } from './lock-store.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** How often acquire starts over when the lock and its holder record both vanish between compare and read. */
export const ACQUIRE_ATTEMPTS = 3;

interface RangeResponse {
  kvs?: Array<{ key: string; value?: string }>;
}
interface TxnResponse {
  succeeded?: boolean;
  responses?: Array<{ response_range?: RangeResponse }>;
}

export class EtcdLockStore implements LockStore {
  readonly where: string;
  private readonly lockKey: string;
  private readonly holderKey: string;
  private readonly urls: string[];
  /** The member that answered last: asked first next time. */
  private preferred = 0;

  constructor(
    baseUrls: string | readonly string[],
    prefix: string,
    private readonly opts: { fetch?: HttpFetch; timeoutMs?: number } = {},
  ) {
    this.urls = (typeof baseUrls === 'string' ? [baseUrls] : [...baseUrls]).map((u) => u.replace(/\/+$/, ''));
    if (this.urls.length === 0) throw new Error(`etcd lock ${prefix}: no endpoint`);
    const p = prefix.replace(/\/+$/, '');
    this.lockKey = b64(`${p}/lock`);
    this.holderKey = b64(`${p}/holder`);
    this.where = `etcd ${this.urls.join(',')} ${p}`;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const f = this.opts.fetch ?? httpFetch;
    const unreachable: string[] = [];
    for (let i = 0; i < this.urls.length; i++) {
      const index = (this.preferred + i) % this.urls.length;
      const url = this.urls[index]!;
      let response: HttpResponse;
      try {
        response = await f(`${url}/v3/${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 3000),
        });
      } catch (error) {
        unreachable.push(`${url}: ${(error as Error).message}`);
        continue;
      }
      this.preferred = index;
      const text = await response.text();
      if (!response.ok) throw new Error(`${this.where}: ${path}: ${url} HTTP ${response.status} ${text.slice(0, 200)}`);
      return JSON.parse(text) as T;
    }
    throw new Error(`${this.where}: ${path}: no member reachable (${unreachable.join('; ')})`);
  }

  async acquire(value: string, ttlMs: number, takeOver?: string): Promise<AcquireOutcome> {
    // The takeover condition stays on every attempt: a confirmed takeover of one holder never turns into
    // a plain claim, and a plain claim never replaces a stale record.
    for (let attempt = 1; attempt <= ACQUIRE_ATTEMPTS; attempt++) {
      const lease = await this.post<{ ID?: string }>('lease/grant', { TTL: Math.max(1, Math.ceil(ttlMs / 1000)) });
      if (!lease.ID) throw new Error(`${this.where}: lease/grant returned no lease`);
      const holderCompare =
        takeOver === undefined
          ? { key: this.holderKey, target: 'CREATE', result: 'EQUAL', create_revision: '0' }
          : { key: this.holderKey, target: 'VALUE', result: 'EQUAL', value: b64(takeOver) };
      const txn = await this.post<TxnResponse>('kv/txn', {
        compare: [{ key: this.lockKey, target: 'CREATE', result: 'EQUAL', create_revision: '0' }, holderCompare],
        success: [
          { request_put: { key: this.lockKey, value: b64(value), lease: lease.ID } },
          { request_put: { key: this.holderKey, value: b64(value) } },
        ],
        failure: [{ request_range: { key: this.lockKey } }, { request_range: { key: this.holderKey } }],
      });
      if (txn.succeeded) return { status: 'acquired', token: lease.ID };
      await this.post('lease/revoke', { ID: lease.ID }).catch(() => {});
      const current = unb64(txn.responses?.[0]?.response_range?.kvs?.[0]?.value);
      const previous = unb64(txn.responses?.[1]?.response_range?.kvs?.[0]?.value);
      if (current !== undefined) return { status: 'held', current };
      if (previous !== undefined) return { status: 'stale', previous };
      // Both gone between compare and read: someone released just now. Try again, a bounded number of times.
    }
    throw new Error(
      takeOver === undefined
        ? `${this.where}: the lock kept changing while it was being taken (${ACQUIRE_ATTEMPTS} attempts); try again`
        : `${this.where}: the stale record to take over is gone (released meanwhile?); nothing was taken over: start again`,
    );
  }

  /** Ours while the lease lives and the lock key still holds our record (a deleted or replaced key is a loss). */
  async refresh(token: string, value: string): Promise<boolean> {
    const r = await this.post<{ result?: { TTL?: string } }>('lease/keepalive', { ID: token });
    if (!(Number(r.result?.TTL ?? 0) > 0)) return false;
    const lock = await this.post<RangeResponse>('kv/range', { key: this.lockKey });
    return unb64(lock.kvs?.[0]?.value) === value;
  }

  async release(token: string, value: string): Promise<void> {
    await this.post('kv/txn', {
      compare: [{ key: this.holderKey, target: 'VALUE', result: 'EQUAL', value: b64(value) }],
      success: [{ request_delete_range: { key: this.holderKey } }],
      failure: [],
    });
    await this.post('lease/revoke', { ID: token }).catch(() => {
      // Lease already expired: the lock key is gone with it.
    });
  }

  async inspect(): Promise<{ current?: string; previous?: string }> {
    const [lock, holder] = await Promise.all([
      this.post<RangeResponse>('kv/range', { key: this.lockKey }),
      this.post<RangeResponse>('kv/range', { key: this.holderKey }),
    ]);
    const current = unb64(lock.kvs?.[0]?.value);
    const previous = unb64(holder.kvs?.[0]?.value);
    return { ...(current !== undefined ? { current } : {}), ...(previous !== undefined ? { previous } : {}) };
  }

  async close(): Promise<void> {}
}
