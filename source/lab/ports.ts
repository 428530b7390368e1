// Which local TCP ports are listening, and which process owns them: read from /proc/net/tcp{,6}
// (socket inode) and /proc/<pid>/fd (socket:[inode]) so a port conflict can name its process.
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';

export interface Listener {
  port: number;
  inode: string;
  /** true: a listening socket; false: a connection using the port as its local port */
  listening: boolean;
  /** a TIME_WAIT left by an outgoing connection (clears within 60 s) */
  timeWait: boolean;
}

// 0A LISTEN; 01 ESTABLISHED, 02 SYN_SENT, 08 CLOSE_WAIT: a connection whose local port is a lab port
// (an outgoing connection that got it as its ephemeral port) makes bind() fail. So does the TIME_WAIT
// such a client connection leaves behind (it lacks SO_REUSEADDR) for 60 s; the TIME_WAIT of a lab
// server's own accepted connection does not (listeners set SO_REUSEADDR). We tell the two apart by the
// remote end: a client's remote port is a listening port.
const BLOCKING_STATES = new Set(['0A', '01', '02', '08']);

interface Row {
  local: number;
  remote: number;
  state: string;
  inode: string;
}

function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    rows.push({ local: parseInt(cols[1]!.split(':')[1]!, 16), remote: parseInt(cols[2]!.split(':')[1]!, 16), state: cols[3]!, inode: cols[9]! });
  }
  return rows;
}

export function listeningSockets(): Listener[] {
  const rows: Row[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      rows.push(...parseRows(readFileSync(file, 'utf8')));
    } catch {
      // no IPv6
    }
  }
  const listenPorts = new Set(rows.filter((r) => r.state === '0A').map((r) => r.local));
  const out: Listener[] = [];
  for (const r of rows) {
    if (BLOCKING_STATES.has(r.state)) out.push({ port: r.local, inode: r.inode, listening: r.state === '0A', timeWait: false });
    else if (r.state === '06' && listenPorts.has(r.remote) && !listenPorts.has(r.local)) {
      out.push({ port: r.local, inode: r.inode, listening: false, timeWait: true });
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

export interface BusyPort {
  port: number;
  owner: string | null;
  listening: boolean;
  timeWait: boolean;
}

/** Ports among `ports` that a socket holds (listening, or as a connection's local port), with its owner when known. */
export function busyPorts(ports: readonly number[]): BusyPort[] {
  const sockets = listeningSockets();
  const busy: BusyPort[] = [];
  for (const port of ports) {
    const hits = sockets.filter((l) => l.port === port);
    const hit = hits.find((l) => l.listening) ?? hits.find((l) => !l.timeWait) ?? hits[0];
    if (hit) busy.push({ port, owner: hit.inode !== '0' ? socketOwner(hit.inode) : null, listening: hit.listening, timeWait: hit.timeWait });
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
  const covered = () => parseRanges(readFileSync(RESERVED, 'utf8')).some(([a, b]) => a <= from && b >= to);
  try {
    // Another lab may write the list at the same moment (read-modify-write): verify and retry.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (covered()) return true;
      const ranges = parseRanges(readFileSync(RESERVED, 'utf8'));
      ranges.push([from, to]);
      writeFileSync(RESERVED, ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(','));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.floor(Math.random() * 50));
    }
    return covered();
  } catch {
    return false;
  }
}
