// Operator lock on a Redis Sentinel cluster's master: the lock key has a PX TTL the holder keeps
// refreshing; Lua scripts make acquire / refresh / release atomic. The master is found through Sentinel.
import type { Redis } from 'ioredis';
import type { AcquireOutcome, LockStore } from './lock-store.js';

const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then return {'held', cur} end
local prev = redis.call('GET', KEYS[2])
if prev and prev ~= ARGV[3] then return {'stale', prev} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
return {'acquired'}`;

const REFRESH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;

/** How long a refresh waits for its extension before relying on the ownership it read (see refresh). */
const EXTEND_WAIT_MS = 1000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export interface RedisLockTarget {
  sentinels: Array<{ host: string; port: number }>;
  masterName: string;
  /** The cluster's `auth` password, for the Sentinels and the master alike. */
  password?: string;
}

export class RedisLockStore implements LockStore {
  readonly where: string;
  private readonly options: RedisLockTarget;
  private readonly timeoutMs: number;
  /** Created on first use: ioredis loads only for runs that lock a Redis cluster. */
  private client: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  private closed = false;
  private readonly keys: [string, string];

  constructor(target: RedisLockTarget, key: string, timeoutMs = 3000) {
    this.where = `redis master '${target.masterName}' (via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}) key ${key}`;
    this.keys = [key, `${key}:holder`];
    this.options = target;
    this.timeoutMs = timeoutMs;
  }

  /** One client, connected once, however many calls ask at the same time (refresh and release can overlap). */
  private connected(): Promise<Redis> {
    if (this.closed) return Promise.reject(new Error('lock store closed'));
    // A client whose connection ended (its master crashed: ioredis gives up on it) is replaced by a new one,
    // which asks the Sentinels again, so refreshes reach the new master within the lease.
    if (this.client && this.client.status === 'end') {
      this.client = undefined;
      this.connecting = undefined;
    }
    this.connecting ??= this.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async connect(): Promise<Redis> {
    if (!this.client) {
      // Through `default` (module.exports): the bundle hands a lazily imported CommonJS module over as its default export only.
      const { Redis } = (await import('ioredis')).default;
      const target = this.options;
      const timeoutMs = this.timeoutMs;
      const client = new Redis({
        sentinels: target.sentinels,
        name: target.masterName,
        role: 'master',
        ...(target.password ? { password: target.password, sentinelPassword: target.password } : {}),
        lazyConnect: true,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 1,
        sentinelRetryStrategy: () => null,
        enableOfflineQueue: true,
        // After a Sentinel failover this connection may still point at the old master, now a replica:
        // reconnect (asking the Sentinels again) and resend, so release/refresh reach the new master.
        reconnectOnError: (error) => (/READONLY/.test(error.message) ? 2 : false),
      });
      client.on('error', () => {});
      this.client = client;
    }
    if (this.client.status === 'wait') await this.client.connect();
    return this.client;
  }

  private call(script: string, args: string[]): Promise<unknown> {
    return this.withRetry((client) => client.eval(script, 2, ...this.keys, ...args));
  }

  private async withRetry<T>(op: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.connected();
    try {
      return await op(client);
    } catch (first) {
      // After a master failover the old connection may be closed or stuck on the dead master: drop it and
      // retry once on a fresh client, which asks the Sentinels for the master afresh (the scripts are
      // idempotent for the same value, so a resend cannot double-apply).
      this.dropClient(client);
      if (this.closed) throw new Error(`${this.where}: ${(first as Error).message}`);
      const fresh = await this.connected();
      try {
        return await op(fresh);
      } catch (error) {
        this.dropClient(fresh);
        throw new Error(`${this.where}: ${(error as Error).message}`);
      }
    }
  }

  /** Drops this client if it is still the current one (a concurrent call may have replaced it already). */
  private dropClient(client: Redis): void {
    if (this.client !== client) return;
    client.disconnect();
    this.client = undefined;
    this.connecting = undefined;
  }

  async acquire(value: string, ttlMs: number, takeOver?: string): Promise<AcquireOutcome> {
    const reply = (await this.call(ACQUIRE, [value, String(ttlMs), takeOver ?? ''])) as string[];
    if (reply[0] === 'acquired') return { status: 'acquired', token: value };
    if (reply[0] === 'held') return { status: 'held', current: String(reply[1]) };
    return { status: 'stale', previous: String(reply[1]) };
  }

  async refresh(_token: string, value: string, ttlMs: number): Promise<boolean> {
    // Ownership first, with a read: GET answers while the master's writes are paused (CLIENT PAUSE WRITE,
    // the safe planned failover's first move), when every EVAL waits for the pause to end.
    const current = await this.withRetry((client) => client.get(this.keys[0]));
    if (current !== value) return false;
    // Not through withRetry: a timeout here is a paused master, and dropping the connection would discard
    // the queued extension (a failover's READONLY is resent by reconnectOnError; a dead master fails the GET).
    const extend = this.connected().then((client) => client.eval(REFRESH, 2, ...this.keys, value, String(ttlMs)));
    const answer = await Promise.race([extend.then((n) => (Number(n) === 1 ? 'extended' : 'gone')), sleep(EXTEND_WAIT_MS).then(() => 'pending' as const)]).catch(() => 'pending' as const);
    if (answer === 'pending') extend.catch(() => undefined); // still ours (read above); it extends when the pause ends
    // A paused master neither expires keys nor runs another client's claim (CLIENT PAUSE docs, since
    // Redis 3.2.10), so a lock read as ours stays ours while its extension waits; if the master is merely
    // slow, the next refresh reads again well inside the lease.
    return answer !== 'gone';
  }

  async release(_token: string, value: string): Promise<void> {
    await this.call(RELEASE, [value]);
  }

  async inspect(): Promise<{ current?: string; previous?: string }> {
    const [current, previous] = await (await this.connected()).mget(...this.keys);
    return { ...(current ? { current } : {}), ...(previous ? { previous } : {}) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client?.disconnect();
    this.client = undefined;
  }
}
