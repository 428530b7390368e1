// A minimal RESP2 client for probes: one connection per poll, pipelined commands, aborted by the
// caller's signal (a SIGSTOPped server accepts the TCP connection but never answers). Error replies
// are returned as `RespError` values, not thrown, so one failing command does not hide the others.
import net from 'node:net';

export class RespError {
  constructor(readonly message: string) {}
}
export type RespValue = string | number | null | RespValue[] | RespError;

/** Parses one RESP value at `offset`; returns undefined when the buffer is incomplete. */
export function parseResp(buf: Buffer, offset = 0): { value: RespValue; next: number } | undefined {
  const end = buf.indexOf('\r\n', offset);
  if (end < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, end);
  switch (type) {
    case '+':
      return { value: line, next: end + 2 };
    case '-':
      return { value: new RespError(line), next: end + 2 };
    case ':':
      return { value: Number(line), next: end + 2 };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: end + 2 };
      if (buf.length < end + 2 + len + 2) return undefined;
      return { value: buf.toString('utf8', end + 2, end + 2 + len), next: end + 2 + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: end + 2 };
      const items: RespValue[] = [];
      let next = end + 2;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`bad RESP type byte ${JSON.stringify(type)}`);
  }
}

export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/**
 * Sends the commands pipelined to `host:port` and resolves with one reply per command. With `auth`, an
 * `AUTH <auth>` goes first in the same write; a refused AUTH rejects (`host:port: AUTH: WRONGPASS …`).
 */
export async function respPipeline(address: string, commands: readonly (readonly string[])[], signal: AbortSignal, auth?: string): Promise<RespValue[]> {
  if (auth === undefined) return pipeline(address, commands, signal);
  const [authReply, ...replies] = await pipeline(address, [['AUTH', auth], ...commands], signal);
  if (authReply instanceof RespError) throw new Error(`${address}: AUTH: ${authReply.message}`);
  return replies;
}

function pipeline(address: string, commands: readonly (readonly string[])[], signal: AbortSignal): Promise<RespValue[]> {
  const sep = address.lastIndexOf(':');
  const host = address.slice(0, sep);
  const port = Number(address.slice(sep + 1));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    const replies: RespValue[] = [];
    const fail = (reason: string) => {
      cleanup();
      socket.destroy();
      reject(new Error(`${address}: ${reason}`));
    };
    const onAbort = () => fail((signal.reason as { name?: string })?.name === 'TimeoutError' ? 'timed out' : 'aborted');
    const cleanup = () => signal.removeEventListener('abort', onAbort);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let offset = 0;
      try {
        for (let parsed = parseResp(buf, offset); parsed; parsed = parseResp(buf, offset)) {
          replies.push(parsed.value);
          offset = parsed.next;
        }
      } catch (error) {
        return fail((error as Error).message);
      }
      buf = buf.subarray(offset);
      if (replies.length >= commands.length) {
        cleanup();
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    socket.on('close', () => {
      if (replies.length < commands.length) fail('connection closed');
    });
  });
}

/** Flat RESP array `[k1, v1, k2, v2…]` → object. */
export function pairs(value: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i])] = String(value[i + 1]);
  return out;
}
