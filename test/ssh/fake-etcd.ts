// An in-memory etcd v3 JSON gateway double for the operator lock (lease grant/keepalive/revoke, kv
// txn/range/deleterange, the compares EtcdLockStore sends). It records every request, and a test can
// make a path fail or an endpoint unreachable.
import type { HttpFetch, HttpResponse } from '../../source/adapters/http-client.js';

interface Compare {
  key: string;
  target: 'CREATE' | 'VALUE';
  create_revision?: string;
  value?: string;
}
interface Op {
  request_put?: { key: string; value: string; lease?: string };
  request_range?: { key: string };
  request_delete_range?: { key: string };
}

export class FakeEtcd {
  readonly kv = new Map<string, { value: string; lease?: string }>();
  readonly leases = new Set<string>();
  readonly requests: { url: string; path: string; body: Record<string, unknown> }[] = [];
  /** Base URLs that refuse connections. */
  readonly down = new Set<string>();
  /** Path → answer override (e.g. a txn that always fails with empty ranges). */
  readonly override = new Map<string, (body: Record<string, unknown>) => unknown>();
  private nextLease = 1;

  readonly fetch: HttpFetch = async (url, init) => {
    const m = /^(https?:\/\/[^/]+)\/v3\/(.+)$/.exec(url);
    if (!m) throw new Error(`fake etcd: unexpected url ${url}`);
    const [, base, path] = m as unknown as [string, string, string];
    if (this.down.has(base)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
    this.requests.push({ url: base, path, body });
    const answer = this.override.get(path)?.(body) ?? this.answer(path, body);
    return ok(answer);
  };

  /** The value stored under a key (keys and values are base64 on the wire, plain here). */
  get(key: string): string | undefined {
    return this.kv.get(key)?.value;
  }

  private answer(path: string, body: Record<string, unknown>): unknown {
    switch (path) {
      case 'lease/grant': {
        const id = String(this.nextLease++);
        this.leases.add(id);
        return { ID: id, TTL: String(body.TTL) };
      }
      case 'lease/keepalive':
        return { result: { ID: body.ID, TTL: this.leases.has(String(body.ID)) ? '15' : '0' } };
      case 'lease/revoke':
        this.expire(String(body.ID));
        return {};
      case 'kv/range':
        return this.range(unb64(String(body.key)));
      case 'kv/deleterange':
        this.kv.delete(unb64(String(body.key)));
        return {};
      case 'kv/txn': {
        const compare = (body.compare ?? []) as Compare[];
        const succeeded = compare.every((c) => {
          const cur = this.kv.get(unb64(c.key));
          return c.target === 'CREATE' ? cur === undefined : cur?.value === unb64(String(c.value));
        });
        const ops = ((succeeded ? body.success : body.failure) ?? []) as Op[];
        const responses = ops.map((op) => {
          if (op.request_put) this.kv.set(unb64(op.request_put.key), { value: unb64(op.request_put.value), ...(op.request_put.lease ? { lease: op.request_put.lease } : {}) });
          if (op.request_delete_range) this.kv.delete(unb64(op.request_delete_range.key));
          return op.request_range ? { response_range: this.range(unb64(op.request_range.key)) } : {};
        });
        return { succeeded, responses };
      }
      default:
        throw new Error(`fake etcd: unexpected path ${path}`);
    }
  }

  /** The lease runs out: every key attached to it goes. */
  expire(lease: string): void {
    this.leases.delete(lease);
    for (const [k, v] of this.kv) if (v.lease === lease) this.kv.delete(k);
  }

  private range(key: string): unknown {
    const v = this.kv.get(key);
    return v ? { kvs: [{ key: b64(key), value: b64(v.value) }] } : {};
  }
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function ok(json: unknown): HttpResponse {
  const text = JSON.stringify(json);
  return { ok: true, status: 200, text: async () => text, json: async () => json };
}
