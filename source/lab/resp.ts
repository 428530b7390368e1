// A tiny one-shot Redis client (RESP2) for the lab's health checks: connect, send one command, read
// one reply, close. The lab's probes stay dependency-free and fast to load. RESP itself is parsed by the
// probes' one parser (adapters/probes/resp.ts).
import { createConnection } from 'node:net';
import { encodeCommand, parseResp, RespError, type RespValue } from '../adapters/probes/resp.js';

export { parseResp, pairs, RespError, type RespValue } from '../adapters/probes/resp.js';

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
    socket.once('connect', () => socket.write((auth === undefined ? '' : encodeCommand(['AUTH', auth])) + encodeCommand(args)));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        for (let parsed = parseResp(buf); parsed; parsed = parseResp(buf)) {
          replies.push(parsed.value);
          buf = buf.subarray(parsed.next);
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
