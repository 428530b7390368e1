// The HTTP client for the JSON APIs hatui asks during a run and in the panels: Patroni's REST API and
// etcd's v3 gateway. Why not the global fetch: Node loads undici on the first fetch (~20 ms here) and its
// first request costs ~30 ms more, where node:http's costs ~7 ms; before a switchover most of hatui's
// overhead is start-up (issue 7's benchmark). It does what those APIs need and no more: one request,
// the whole body as text (bounded), the caller's abort signal, no redirects. Errors carry node's `code`
// (ECONNREFUSED, ECONNRESET…), which probes/common.ts describeError turns into `host:port: <code>`.
import http from 'node:http';
import https from 'node:https';

export interface HttpRequestInit {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface HttpResponse {
  ok: boolean;
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** The shape callers depend on; the global fetch fits it too (tests hand in fetch doubles). */
export type HttpFetch = (url: string, init?: HttpRequestInit) => Promise<HttpResponse>;

/** A body larger than this is refused: these APIs answer in kilobytes, a runaway endpoint must not fill memory. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export const httpFetch: HttpFetch = (url, init = {}) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new TypeError(`invalid URL: ${url}`));
    }
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!client) return reject(new TypeError(`${target.protocol} is not http: or https: (${url})`));
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const request = client.request(target, { method: init.method ?? 'GET', headers, ...(signal ? { signal } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          response.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => reject(signal?.aborted ? (signal.reason ?? error) : error));
      // A body cut short without an 'error' must not leave the caller waiting (a settled promise ignores this).
      response.on('close', () => {
        if (!response.complete) reject(signal?.aborted ? (signal.reason ?? new Error('aborted')) : new Error('connection closed before the answer ended'));
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          text: async () => body,
          json: async () => JSON.parse(body) as unknown,
        });
      });
    });
    // With a signal, node destroys the request with an AbortError; callers tell timeouts by the signal.
    request.on('error', (error) => reject(signal?.aborted ? (signal.reason ?? error) : error));
    request.end(init.body);
  });
