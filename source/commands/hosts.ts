// `hatui hosts trust <host> [--inventory f]`: fetch the key a host presents, show its SHA256 fingerprint,
// and append it to the host's known_hosts only after the operator types the host name (from the terminal,
// or the first line of stdin when piped). A host whose known key differs is refused, never overwritten.
import { appendFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Inventory } from '../core/inventory/model.js';
import { readKnownHosts, SshConnection } from '../adapters/ssh/connection.js';
import { endpointLabel, sshEndpoint } from '../adapters/ssh/endpoint.js';
import { hostKeyMessage } from '../adapters/ssh/errors.js';
import { formatKnownHostsLine, keyTypeOf, verifyHostKey } from '../adapters/ssh/known-hosts.js';
import { SshTransport } from '../adapters/ssh/ssh-transport.js';
import { readInventoryOrFail } from './shared.js';

const USAGE = `Usage: hatui hosts trust <host> [--inventory <file>] [--hash]

Shows the SHA256 fingerprint of the key <host> presents and, after you type the host name to confirm
(or pipe it on stdin), appends it to the host's known_hosts (ssh.knownHosts in the inventory).
A host whose known key differs is refused (exit 4): remove the old entry first (ssh-keygen -R).
  --inventory <file>  inventory YAML (default: the lab inventory when the lab is up)
  --hash              write a hashed entry (|1|salt|hash), like HashKnownHosts yes`;

export interface HostsIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The operator's confirmation line (undefined when none came). */
  readLine: (prompt: string) => Promise<string | undefined>;
}

export async function run(args: string[], io: HostsIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { inventory: { type: 'string' }, hash: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(USAGE + '\n');
    return ExitCode.ok;
  }
  const [sub, host, ...rest] = positionals;
  if (sub !== 'trust' || !host || rest.length > 0) throw new HatuiError(`hosts: expected \`hosts trust <host>\`\n${USAGE}`, ExitCode.usage);
  const inventoryPath = values.inventory ?? (await defaultInventoryPath());
  const { inventory } = await readInventoryOrFail(inventoryPath);
  return trustHost(inventory, inventoryPath, host, { hash: values.hash === true }, io);
}

export async function trustHost(inventory: Inventory, inventoryPath: string, host: string, opts: { hash?: boolean }, io: HostsIo): Promise<number> {
  if (!Object.hasOwn(inventory.hosts, host)) {
    throw new HatuiError(`hosts trust: no host '${host}' in ${inventoryPath} (hosts: ${Object.keys(inventory.hosts).join(', ') || 'none'})`, ExitCode.usage);
  }
  if (inventory.hosts[host]!.transport === 'local') throw new HatuiError(`hosts trust: host '${host}' runs locally (transport: local); no host key`, ExitCode.usage);
  const baseDir = dirname(inventoryPath);
  const endpoint = sshEndpoint(inventory, host, { baseDir });
  const label = endpointLabel(endpoint);
  // Behind a jump host the key is fetched through the jump host's verified, authenticated connection.
  const jumps = new SshTransport(inventory, { baseDir });
  let key;
  try {
    const jumpName = endpoint.jump;
    key = await SshConnection.scanHostKey(endpoint, jumpName ? { via: async () => (await jumps.connection(jumpName)).forwardOut(endpoint.address, endpoint.port) } : {});
  } catch (error) {
    if (error instanceof HatuiError) throw error;
    throw new HatuiError(`hosts trust: ${(error as Error).message}`, ExitCode.failed);
  } finally {
    await jumps.close();
  }
  const entries = await readKnownHosts(endpoint.knownHostsFile);
  const verdict = verifyHostKey(entries, endpoint.address, endpoint.port, key.blob);
  io.out(`${label} (${host}) presents ${keyTypeOf(key.blob)} ${key.fingerprint}\n`);
  switch (verdict.status) {
    case 'trusted':
      io.out(`already trusted in ${endpoint.knownHostsFile}:${verdict.line}; nothing to do\n`);
      return ExitCode.ok;
    case 'mismatch':
    case 'revoked':
      throw new HatuiError(hostKeyMessage(host, label, verdict, endpoint.knownHostsFile), ExitCode.refused);
    case 'unknown':
      break;
    default: {
      const never: never = verdict;
      throw new Error(String(never));
    }
  }
  const typed = (await io.readLine(`Check this fingerprint out of band. Type the host name (${host}) to trust it: `))?.trim();
  if (typed !== host) {
    throw new HatuiError(`hosts trust: not confirmed (${typed === undefined || typed === '' ? 'no answer' : `typed '${typed}', expected '${host}'`}); ${endpoint.knownHostsFile} unchanged`, ExitCode.refused);
  }
  await mkdir(dirname(endpoint.knownHostsFile), { recursive: true, mode: 0o700 });
  const line = formatKnownHostsLine(endpoint.address, endpoint.port, key.blob, { hash: opts.hash === true });
  await appendFile(endpoint.knownHostsFile, `${line}\n`, { mode: 0o600 });
  io.out(`added ${label} ${key.fingerprint} to ${endpoint.knownHostsFile}\n`);
  return ExitCode.ok;
}

async function defaultInventoryPath(): Promise<string> {
  const { labPaths, labSettings } = await import('../lab/settings.js');
  const path = labPaths(labSettings()).inventory;
  if (!existsSync(path)) throw new HatuiError(`hosts trust: no --inventory given and no lab inventory at ${path} (is the lab up?)`, ExitCode.usage);
  return path;
}

function processIo(): HostsIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readLine: (prompt) =>
      new Promise((resolve) => {
        if (process.stdin.isTTY) process.stderr.write(prompt);
        const rl = createInterface({ input: process.stdin, terminal: false });
        let answered = false;
        rl.once('line', (line) => {
          answered = true;
          rl.close();
          resolve(line);
        });
        rl.once('close', () => {
          if (!answered) resolve(undefined);
        });
      }),
  };
}
