// A tiny one-shot Redis client (RESP2) for the lab's health checks: connect, send one command, read
// one reply, close. The lab's probes stay dependency-free and fast to load.
import { createConnection } from 'node:net';

export type RespValue = string | number | null | RespValue[] | RespError;

export class RespError {
  constructor(readonly message: string) {}
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** Parses one reply from buf at offset; returns null when incomplete. */
export function parseResp(buf: Buffer, offset = 0): { value: RespValue; end: number } | null {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RespError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, at);
        if (!item) return null;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/**
 * Sends one command to 127.0.0.1:port (after `AUTH <auth>` when given, pipelined in the same write);
 * rejects on connection errors, a refused AUTH or timeout.
 */
export function redisCommand(port: number, args: readonly string[], timeoutMs = 1000, auth?: string): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const replies: RespValue[] = [];
    const wanted = auth === undefined ? 1 : 2;
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`127.0.0.1:${port}: no Redis reply within ${timeoutMs} ms`)));
    socket.once('error', (e) => fail(new Error(`127.0.0.1:${port}: ${e.message}`)));
    socket.once('connect', () => socket.write((auth === undefined ? '' : encode(['AUTH', auth])) + encode(args)));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        for (let parsed = parseResp(buf); parsed; parsed = parseResp(buf)) {
          replies.push(parsed.value);
          buf = buf.subarray(parsed.end);
        }
        if (replies.length < wanted) return;
        socket.destroy();
        const authReply = wanted === 2 ? replies[0] : undefined;
        if (authReply instanceof RespError) return reject(new Error(`127.0.0.1:${port}: AUTH: ${authReply.message}`));
        resolve(replies[wanted - 1]!);
      } catch (error) {
        fail(error as Error);
      }
    });
  });
}

/** `INFO <section>` as a key → value map. */
export async function redisInfo(port: number, section: string, timeoutMs = 1000, auth?: string): Promise<Record<string, string>> {
  const reply = await redisCommand(port, ['INFO', section], timeoutMs, auth);
  if (typeof reply !== 'string') throw new Error(`127.0.0.1:${port}: unexpected INFO reply`);
  const out: Record<string, string> = {};
  for (const line of reply.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Flat RESP array [k1, v1, k2, v2, …] → object. */
export function pairs(value: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i])] = String(value[i + 1]);
  return out;
}
