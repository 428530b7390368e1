// Issue 4 acceptance against the real test lab (and, for down / port-in-use, a second small lab with its
// own port base and directory so the shared suite lab stays up).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySchema } from '../../source/core/inventory/model.js';
import {
  busyPorts,
  checkHaproxy,
  checkPg,
  labNodes,
  optionalParts,
  type LabPart,
  labPaths,
  labSettings,
  nodePorts,
  patroniState,
  readEvents,
  redisCommand,
  redisInfo,
  redisNodes,
  sshLogin,
  type LabSettings,
} from '../../source/lab/index.js';
import { RespError } from '../../source/lab/resp.js';
import { hatui, labEnv, pgClient, pgLeader, pgReplicas, redisPassword, sentinelMaster, testLab, waitFor, waitPartHealthy } from './helpers.js';

const lab = testLab();

/** Pids of processes whose cgroup is under this lab's cgroup root. */
function labProcesses(settings: LabSettings): number[] {
  const root = settings.cgroupRoot.replace('/sys/fs/cgroup/unified', '');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cg = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (cg.split('\n').some((l) => l.startsWith(`0::${root}/`) || l === `0::${root}`)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function allPorts(settings: LabSettings): number[] {
  return labNodes.flatMap((n) => nodePorts(settings, n));
}

describe('lab up (acceptance 1–3)', () => {
  it('has exactly one Patroni leader and two replicas streaming from it', async () => {
    const check = await checkPg(lab);
    expect(check.ok, check.detail).toBe(true);
    const leader = check.leader!;
    const views = await Promise.all(['pg1', 'pg2', 'pg3'].map((n) => patroniState(lab, n as 'pg1')));
    expect(views.filter((v) => v?.role === 'master')).toHaveLength(1);
    const leaderView = views.find((v) => v?.role === 'master')!;
    const streaming = (leaderView.replication ?? []).filter((r) => r.state === 'streaming').map((r) => r.application_name).sort();
    expect(streaming).toEqual(pgReplicas(lab, leader).sort());
  });

  it('sends a write through the HAProxy rw port to the leader, and the ro port to a replica', async () => {
    const leader = await waitFor(() => pgLeader(lab), 30_000, 'a Patroni leader');
    await waitFor(async () => (await checkHaproxy(lab)).ok, 30_000, 'HAProxy rw on the leader');
    const rw = pgClient(lab, 'rw');
    await rw.connect();
    try {
      const who = await rw.query<{ recovery: boolean; port: number }>('SELECT pg_is_in_recovery() AS recovery, inet_server_port() AS port');
      expect(who.rows[0]).toEqual({ recovery: false, port: lab.ports.pg[leader] });
      await rw.query('CREATE TABLE IF NOT EXISTS lab_acceptance (id serial PRIMARY KEY, note text)');
      const inserted = await rw.query<{ id: number }>("INSERT INTO lab_acceptance (note) VALUES ('through haproxy') RETURNING id");
      const id = inserted.rows[0]!.id;
      // The row is on the leader itself (read straight from its own port).
      const direct = pgClient(lab, leader);
      await direct.connect();
      try {
        const found = await direct.query('SELECT note FROM lab_acceptance WHERE id = $1', [id]);
        expect(found.rows).toEqual([{ note: 'through haproxy' }]);
      } finally {
        await direct.end();
      }
    } finally {
      await rw.end();
    }
    const ro = pgClient(lab, 'ro');
    await ro.connect();
    try {
      const who = await ro.query<{ recovery: boolean; port: number }>('SELECT pg_is_in_recovery() AS recovery, inet_server_port() AS port');
      expect(who.rows[0]!.recovery).toBe(true);
      expect(pgReplicas(lab, leader).map((n) => lab.ports.pg[n])).toContain(who.rows[0]!.port);
    } finally {
      await ro.end();
    }
  });

  it('has all Sentinels agreeing on the Redis master, with both replicas connected to it', async () => {
    const master = await waitFor(() => sentinelMaster(lab), 30_000, 'Sentinels agreeing on a master');
    const auth = redisPassword(lab);
    const info = await redisInfo(lab.ports.redis[master], 'replication', 1000, auth);
    expect(info.role).toBe('master');
    expect(info.connected_slaves).toBe('2');
    for (const replica of redisNodes.filter((n) => n !== master)) {
      const r = await redisInfo(lab.ports.redis[replica], 'replication', 1000, auth);
      expect(r).toMatchObject({ role: 'slave', master_port: String(lab.ports.redis[master]), master_link_status: 'up' });
    }
  });

  it('runs Redis and Sentinel with auth on: the password file is 0600, no password is refused, a wrong one too', async () => {
    const file = labPaths(lab).redisPassword;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(redisPassword(lab)).toMatch(/^[\w-]{20,}$/);
    for (const port of [...Object.values(lab.ports.redis), ...Object.values(lab.ports.sentinel)]) {
      await expect(redisCommand(port, ['PING'])).resolves.toEqual(new RespError('NOAUTH Authentication required.'));
      await expect(redisCommand(port, ['PING'], 1000, 'not-the-password')).rejects.toThrow(`127.0.0.1:${port}: AUTH: WRONGPASS`);
      await expect(redisCommand(port, ['PING'], 1000, redisPassword(lab))).resolves.toBe('PONG');
    }
    // The inventory names the file (never the value) for the cluster and as REDISCLI_AUTH for redis-cli.
    const inventory = inventorySchema.parse(parse(readFileSync(labPaths(lab).inventory, 'utf8')));
    expect(inventory.clusters.redis!.credentials).toEqual({ auth: { file } });
    expect(inventory.hosts.redis1!.secretEnv).toEqual({ REDISCLI_AUTH: { file } });
    expect(readFileSync(labPaths(lab).inventory, 'utf8')).not.toContain(redisPassword(lab));
  });

  it('lets redis-cli on a Redis host authenticate from the secret env, with the password on no command line', async () => {
    const wd = mkdtempSync(join(tmpdir(), 'hatui-redis-cli-'));
    try {
      const rb = join(wd, 'rb.md');
      writeFileSync(
        rb,
        '---\nid: redis-cli-auth\ntitle: redis-cli auth\nclusters: [redis]\n---\n\n# redis-cli auth\n\n## Ask {#ask}\n\n```sh {host=redis1 timeout=30s}\nredis-cli -p "$SENTINEL_PORT" sentinel get-master-addr-by-name "$REDIS_MASTER_NAME" | paste -sd: -\nredis-cli -p "$REDIS_PORT" ping\n```\n',
      );
      const answers = join(wd, 'answers.yaml');
      writeFileSync(answers, '{}\n');
      const r = await hatui(['run', rb, '--headless', '--answers', answers, '--inventory', labPaths(lab).inventory], { ...labEnv(lab), XDG_STATE_HOME: wd, NO_COLOR: '1' });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/127\.0\.0\.1:\d+/);
      expect(r.stdout).toContain('PONG');
      expect(r.stdout + r.stderr).not.toMatch(/NOAUTH|WRONGPASS/);
      const audit = /audit log: (\S+)/.exec(r.stdout)![1]!;
      expect(readFileSync(audit, 'utf8')).toContain('PONG');
      expect(readFileSync(audit, 'utf8')).not.toContain(redisPassword(lab));
    } finally {
      rmSync(wd, { recursive: true, force: true });
    }
  });

  it('accepts SSH with strict host-key checking against the lab known_hosts and refuses a wrong key', async () => {
    const ok = await sshLogin(lab, lab.ports.sshd, undefined, 'id -un');
    expect(ok).toEqual({ ok: true, detail: 'key login ok' });
    const scratch = mkdtempSync(join(tmpdir(), 'hatui-lab-kh-'));
    try {
      execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'other')]);
      const [type, key] = readFileSync(join(scratch, 'other.pub'), 'utf8').trim().split(/\s+/);
      const wrong = join(scratch, 'known_hosts');
      writeFileSync(wrong, `[127.0.0.1]:${lab.ports.sshd} ${type} ${key}\n`);
      const refused = await sshLogin(lab, lab.ports.sshd, wrong);
      expect(refused.ok).toBe(false);
      expect(refused.detail).toMatch(/Host key verification failed/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('reaches the node tools over SSH through the jump host with the inventory env', () => {
    const paths = labPaths(lab);
    const common = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${paths.knownHosts}`, '-o', 'IdentitiesOnly=yes', '-i', paths.clientKey];
    const jump = `ssh ${common.join(' ')} -p ${lab.ports.sshdJump} -W %h:%p postgres@127.0.0.1`;
    const out = execFileSync('/usr/bin/ssh', [...common, '-o', `ProxyCommand=${jump}`, '-p', String(lab.ports.sshd), 'postgres@127.0.0.1', `PATRONICTL_CONFIG_FILE=${paths.patronictlConfig} patronictl list -f json`], { encoding: 'utf8', timeout: 30_000 });
    const members = JSON.parse(out) as { Member: string; Role: string }[];
    expect(members.map((m) => m.Member).sort()).toEqual(['pg1', 'pg2', 'pg3']);
    expect(members.filter((m) => m.Role === 'Leader')).toHaveLength(1);
  });

  it('writes an inventory that the inventory schema accepts, with the four clusters', () => {
    const raw = parse(readFileSync(labPaths(lab).inventory, 'utf8'));
    const inventory = inventorySchema.parse(raw);
    expect(inventory.environment).toBe('lab');
    expect(Object.keys(inventory.clusters).sort()).toEqual(['etcd', 'haproxy', 'pg', 'redis']);
    expect(inventory.clusters.pg!.members.map((m) => m.endpoint)).toEqual(['pg1', 'pg2', 'pg3'].map((n) => `http://127.0.0.1:${lab.ports.patroni[n as 'pg1']}`));
    expect(inventory.clusters.redis!.sentinels).toHaveLength(3);
    expect(Object.keys(inventory.hosts).sort()).toEqual(['dns', 'etcd1', 'etcd2', 'etcd3', 'haproxy', 'jump', 'pg1', 'pg2', 'pg3', 'pgb1', 'pgb2', 'redis-b', 'redis1', 'redis2', 'redis3']);
    expect(JSON.stringify(raw)).not.toContain(readFileSync(labPaths(lab).pgSuperuserPassword, 'utf8').trim());
  });

  it('reports every node healthy in `lab status --json`', async () => {
    const result = await hatui(['lab', 'status', '--json'], labEnv(lab));
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { nodes: { node: string; part: LabPart; health: string }[] };
    // Optional parts (monitoring) run only when a test asked for them: down is fine there, nothing else.
    expect(status.nodes.filter((n) => n.health !== 'healthy' && !(optionalParts.includes(n.part) && n.health === 'down'))).toEqual([]);
  });
});

describe('lab down and port conflicts on a separate small lab (acceptance 5)', () => {
  const small = labSettings({
    HATUI_LAB_PORT_BASE: process.env.HATUI_TEST_LAB_SMALL_PORT_BASE ?? '56500',
    HATUI_LAB_DIR: process.env.HATUI_TEST_LAB_SMALL_DIR ?? '/tmp/hatui-test-lab-small',
  });
  const env = labEnv(small);
  let blocker: Server | undefined;

  beforeAll(async () => {
    await hatui(['lab', 'down'], env);
  });
  afterAll(async () => {
    blocker?.close();
    await hatui(['lab', 'down'], env);
  });

  it('refuses to start when a port is taken, naming it and its process, and leaves nothing behind', async () => {
    const port = small.ports.pg.pg2;
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', resolve));
    const result = await hatui(['lab', 'up', 'pg', 'sshd'], env);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(result.stderr).toContain(`pid ${process.pid}`);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(labProcesses(small)).toEqual([]);
    expect(existsSync(small.dir)).toBe(false);
    expect(existsSync(small.cgroupRoot)).toBe(false);
    await new Promise<void>((resolve) => blocker!.close(() => resolve()));
    blocker = undefined;
  });

  it('comes up twice cleanly, then goes down twice leaving no process, port, cgroup or file', async () => {
    const first = await hatui(['lab', 'up', 'pg', 'sshd'], env);
    expect(first.code, first.stderr).toBe(0);
    const again = await hatui(['lab', 'up', 'pg', 'sshd'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already up');
    expect(labProcesses(small).length).toBeGreaterThan(5);

    const down = await hatui(['lab', 'down'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(labProcesses(small)).toEqual([]);
    expect(busyPorts(allPorts(small)).filter((b) => b.listening)).toEqual([]);
    expect(existsSync(small.cgroupRoot)).toBe(false);
    expect(existsSync(small.dir)).toBe(false);

    const twice = await hatui(['lab', 'down'], env);
    expect(twice.code, twice.stderr).toBe(0);
    const status = await hatui(['lab', 'status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false });
  });

  it('stops what it started and shows the failing part’s log when a part does not become healthy', async () => {
    // A Redis config is kept across restarts (Sentinel rewrites it), so a broken one planted beforehand is used.
    mkdirSync(`${small.dir}/redis2`, { recursive: true });
    writeFileSync(`${small.dir}/redis2/redis.conf`, 'port 56541\nthis-is-not-a-directive yes\n');
    const result = await hatui(['lab', 'up', 'redis', 'sshd'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('lab part redis did not become healthy: redis2 exited');
    expect(result.stderr).toMatch(/redis2\| .*this-is-not-a-directive/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(labProcesses(small)).toEqual([]);
    expect(busyPorts(allPorts(small)).filter((b) => b.listening)).toEqual([]);
    expect(existsSync(small.cgroupRoot)).toBe(false);
    expect(existsSync(`${small.dir}/redis2`)).toBe(false);
    expect(existsSync(`${small.dir}/logs/redis2.log`)).toBe(true);
    const down = await hatui(['lab', 'down'], env);
    expect(down.code, down.stderr).toBe(0);
  });

  it('rejects an unknown node with the list of valid ones', async () => {
    const result = await hatui(['lab', 'crash', 'pg9'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pg1, pg2, pg3');
  });
});

describe('lab crash and restart of the leader (acceptance 4)', () => {
  it('elects a new leader after the leader is crashed, and the old one rejoins as a streaming replica', async () => {
    const oldLeader = await waitFor(() => pgLeader(lab), 30_000, 'a Patroni leader');
    const crash = await hatui(['lab', 'crash', oldLeader], labEnv(lab));
    expect(crash.code, crash.stderr).toBe(0);
    const event = readEvents(lab).filter((e) => e.action === 'crash' && e.node === oldLeader).pop();
    expect(event?.t).toBeGreaterThan(0);
    expect(await patroniState(lab, oldLeader, 500)).toBeNull();

    const newLeader = await waitFor(async () => {
      const leader = await pgLeader(lab);
      return leader && leader !== oldLeader ? leader : null;
    }, 90_000, 'a new Patroni leader');
    expect(newLeader).not.toBe(oldLeader);

    const restart = await hatui(['lab', 'restart', oldLeader], labEnv(lab));
    expect(restart.code, restart.stderr).toBe(0);
    await waitFor(async () => {
      const view = await patroniState(lab, newLeader);
      return view?.role === 'master' && (view.replication ?? []).some((r) => r.application_name === oldLeader && r.state === 'streaming');
    }, 120_000, `${oldLeader} streaming from ${newLeader}`);
    expect((await patroniState(lab, oldLeader))?.role).toBe('replica');
    // Leave the shared lab healthy for the next test file.
    await waitPartHealthy(lab, 'pg');
    await waitPartHealthy(lab, 'haproxy');
  });
});
