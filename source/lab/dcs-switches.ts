// The lab's DCS switches (HATUI_LAB_SYNCHRONOUS_MODE, HATUI_LAB_FAILSAFE_MODE) on a cluster that already
// exists: Patroni reads bootstrap.dcs only when it bootstraps, so `lab up` patches the live config
// (`PATCH /config`, what `patronictl edit-config` does) when a switch differs, and in synchronous mode waits
// until Patroni names a sync standby, so "up" means the mode is in effect.
import { fetchJson, patroniLeader, type Check } from './health.js';
import type { LabSettings } from './settings.js';
import { sleep } from './supervise.js';

interface LiveDcs {
  synchronous_mode?: boolean | string;
  failsafe_mode?: boolean;
}

const on = (v: unknown) => v === true || v === 'on' || v === 'true' || v === 'quorum';

/** Patches synchronous_mode / failsafe_mode to the settings' values where the live config differs. */
export async function applyDcsSwitches(settings: LabSettings, log: (line: string) => void, deadline: number): Promise<Check> {
  const leader = await patroniLeader(settings);
  if (!leader) return { ok: false, detail: 'no single Patroni leader to read /config from' };
  const url = `http://127.0.0.1:${settings.ports.patroni[leader]}/config`;
  const live = (await fetchJson(url, 3000)).body as LiveDcs;
  const patch: LiveDcs = {};
  if (on(live.synchronous_mode) !== settings.dcs.synchronousMode) patch.synchronous_mode = settings.dcs.synchronousMode;
  if (on(live.failsafe_mode) !== settings.dcs.failsafeMode) patch.failsafe_mode = settings.dcs.failsafeMode;
  if (Object.keys(patch).length) {
    const response = await fetch(url, { method: 'PATCH', body: JSON.stringify(patch), signal: AbortSignal.timeout(5000) });
    if (!response.ok) return { ok: false, detail: `PATCH ${url} ${JSON.stringify(patch)}: HTTP ${response.status} ${(await response.text()).slice(0, 120)}` };
    log(`patched the live Patroni config: ${JSON.stringify(patch)}`);
  }
  if (!settings.dcs.synchronousMode) return { ok: true, detail: 'asynchronous replication' };
  for (;;) {
    const cluster = (await fetchJson(`http://127.0.0.1:${settings.ports.patroni[leader]}/cluster`, 2000).catch(() => ({ body: {} }))).body as { members?: { name: string; role: string }[] };
    const sync = cluster.members?.find((m) => m.role === 'sync_standby');
    if (sync) return { ok: true, detail: `synchronous_mode on; sync standby ${sync.name}` };
    if (Date.now() > deadline) return { ok: false, detail: 'synchronous_mode is on but Patroni names no sync standby' };
    await sleep(200);
  }
}
