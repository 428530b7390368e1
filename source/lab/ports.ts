// Which local TCP ports are listening, and which process owns them: read from /proc/net/tcp{,6}
// (socket inode) and /proc/<pid>/fd (socket:[inode]) so a port conflict can name its process.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';

export interface Listener {
  port: number;
  inode: string;
}

function parseTable(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
    const port = parseInt(cols[1]!.split(':')[1]!, 16);
    out.push({ port, inode: cols[9]! });
  }
  return out;
}

export function listeningSockets(): Listener[] {
  const out: Listener[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      out.push(...parseTable(readFileSync(file, 'utf8')));
    } catch {
      // no IPv6
    }
  }
  return out;
}

/** `pid/comm` of the process holding socket inode, when it can be found. */
export function socketOwner(inode: string): string | null {
  const target = `socket:[${inode}]`;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) {
          let comm = '?';
          try {
            comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          } catch {
            // exited meanwhile
          }
          return `pid ${pid} (${comm})`;
        }
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return null;
}

/** Ports among `ports` that something listens on, each with its owner when known. */
export function busyPorts(ports: readonly number[]): { port: number; owner: string | null }[] {
  const listeners = listeningSockets();
  const busy: { port: number; owner: string | null }[] = [];
  for (const port of ports) {
    const hit = listeners.find((l) => l.port === port);
    if (hit) busy.push({ port, owner: hit.inode !== '0' ? socketOwner(hit.inode) : null });
  }
  return busy;
}

/** True when a TCP connection to 127.0.0.1:port succeeds within ms. */
export function tcpOpen(port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const RESERVED = '/proc/sys/net/ipv4/ip_local_reserved_ports';

/** Parses `a-b,c` (ip_local_reserved_ports) into ranges. */
export function parseRanges(text: string): [number, number][] {
  return text
    .trim()
    .split(',')
    .filter(Boolean)
    .map((part) => {
      const [a, b] = part.split('-').map(Number);
      return [a!, b ?? a!] as [number, number];
    });
}

/**
 * Keeps the kernel from handing out the lab's ports as ephemeral (client) ports: lab ports sit inside
 * Linux's default ephemeral range 32768–60999, and an outgoing connection that happens to get, say,
 * 56022 as its local port makes Patroni's bind fail with EADDRINUSE. Adds [from, to] to
 * net.ipv4.ip_local_reserved_ports (kept after the lab stops; harmless). Returns false when not writable.
 */
export function reservePorts(from: number, to: number): boolean {
  try {
    const ranges = parseRanges(readFileSync(RESERVED, 'utf8'));
    if (ranges.some(([a, b]) => a <= from && b >= to)) return true;
    ranges.push([from, to]);
    writeFileSync(RESERVED, ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(','));
    return true;
  } catch {
    return false;
  }
}
