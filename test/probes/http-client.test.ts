// The run-path HTTP client (adapters/http-client.ts) against a real node:http server on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch, MAX_BODY_BYTES } from '../../source/adapters/http-client.js';
import { describeError, httpJson, httpText } from '../../source/adapters/probes/common.js';

let server: Server;
let base = '';
const seen: { method: string; url: string; body: string; type: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, type: req.headers['content-type'] });
      if (req.url === '/cluster') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"members":[{"name":"pg1","role":"leader"}]}');
      if (req.url === '/echo') return res.writeHead(200).end(`${req.method} ${body}`);
      if (req.url === '/refuse') return res.writeHead(503).end('no leader here');
      if (req.url === '/hang') return; // never answers
      if (req.url === '/cut') {
        // headers and part of the body, then the connection drops
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(1024 * 1024, 'x');
        let sent = 0;
        const more = () => {
          while (sent <= MAX_BODY_BYTES && res.write(chunk)) sent += chunk.length;
          if (sent <= MAX_BODY_BYTES) res.once('drain', more);
          else res.end();
        };
        return more();
      }
      res.writeHead(404).end('nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('httpFetch (node:http instead of undici on the run path)', () => {
  it('GETs JSON and POSTs a body with its content type', async () => {
    const r = await httpFetch(`${base}/cluster`);
    expect([r.ok, r.status]).toEqual([true, 200]);
    expect(await r.json()).toEqual({ members: [{ name: 'pg1', role: 'leader' }] });
    const p = await httpFetch(`${base}/echo`, { method: 'POST', body: '{"TTL":5}', headers: { 'content-type': 'application/json' } });
    expect(await p.text()).toBe('POST {"TTL":5}');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"TTL":5}', type: 'application/json' });
  });

  it('reports HTTP errors, refused connections and timeouts the way probes describe them', async () => {
    const refused = await httpFetch(`${base}/refuse`);
    expect([refused.ok, refused.status, await refused.text()]).toEqual([false, 503, 'no leader here']);
    await expect(httpText(`${base}/refuse`, AbortSignal.timeout(2000))).rejects.toThrow(/127\.0\.0\.1:\d+: HTTP 503 no leader here/);
    // a port nobody listens on: bind one, close it, ask it
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(httpJson(`http://127.0.0.1:${port}/cluster`, AbortSignal.timeout(2000))).rejects.toThrow(`127.0.0.1:${port}: ECONNREFUSED`);
    const signal = AbortSignal.timeout(150);
    const hung = httpFetch(`${base}/hang`, { signal });
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(describeError(new Error('x'), signal)).toBe('timed out');
    await expect(httpText(`${base}/hang`, AbortSignal.timeout(150))).rejects.toThrow(/127\.0\.0\.1:\d+: timed out/);
  });

  it('an answer cut short by a dropped connection rejects; it never leaves the caller waiting', async () => {
    await expect(httpFetch(`${base}/cut`)).rejects.toThrow(/closed before the answer ended|aborted|ECONNRESET/);
  });

  it('refuses an answer larger than the cap and a scheme it does not speak', async () => {
    await expect(httpFetch(`${base}/huge`)).rejects.toThrow(/larger than/);
    await expect(httpFetch('ftp://127.0.0.1/x')).rejects.toThrow(/not http: or https:/);
    await expect(httpFetch('not a url')).rejects.toThrow(/invalid URL/);
  });
});
