// The alerts probe: Alertmanager's /api/v2/alerts (firing, not silenced or inhibited), one target per
// inventory `monitoring:` section. Polled by the same poller as the cluster probes (own timeout, backoff,
// abort), so a dead or hung Alertmanager shows as unreachable within one poll and holds up nothing.
import { parseAlerts, type Alert, type AlertsState } from '../../core/alerts.js';
import type { Monitoring } from '../../core/inventory/model.js';
import { hostPort, httpJson } from './common.js';
import type { ProbeTarget, TargetResult } from './types.js';

export function alertsUrl(monitoring: Monitoring): string {
  return `${monitoring.alertmanagerUrl.replace(/\/+$/, '')}/api/v2/alerts?active=true&silenced=false&inhibited=false`;
}

export function alertmanagerTarget(monitoring: Monitoring): ProbeTarget<Alert[]> {
  const url = alertsUrl(monitoring);
  return {
    id: 'alertmanager',
    address: hostPort(url),
    async fetch(signal) {
      const body = await httpJson(url, signal);
      try {
        return parseAlerts(body);
      } catch (error) {
        throw new Error(`${hostPort(url)}: ${(error as Error).message}`);
      }
    },
  };
}

/** Pure: the alerts state from the target's latest result. */
export function combineAlerts(monitoring: Monitoring, result: TargetResult<Alert[]>, now: number, waiting: string): AlertsState {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const status = result.error === null ? 'ok' : result.error === waiting && result.lastOkAt === null ? 'waiting' : 'unreachable';
  return {
    source: monitoring.alertmanagerUrl,
    fetchedAt: new Date(now).toISOString(),
    status,
    error: result.error === waiting ? null : result.error,
    lastOkAt: iso(result.lastOkAt),
    staleMs: result.error === null ? null : Math.max(0, now - (result.lastOkAt ?? result.startedAt)),
    alerts: result.last ?? [],
  };
}

/** One fetch (for `hatui alerts`), bounded by timeoutMs. */
export async function fetchAlertsOnce(monitoring: Monitoring, timeoutMs = 3000, now: () => number = Date.now): Promise<AlertsState> {
  const target = alertmanagerTarget(monitoring);
  const startedAt = now();
  const signal = AbortSignal.timeout(timeoutMs);
  let result: TargetResult<Alert[]>;
  try {
    const alerts = await target.fetch(signal);
    result = { id: target.id, address: target.address, last: alerts, lastOkAt: now(), error: null, startedAt };
  } catch (error) {
    const message = signal.aborted ? `${target.address}: timed out after ${timeoutMs} ms` : (error as Error).message;
    result = { id: target.id, address: target.address, last: null, lastOkAt: null, error: message, startedAt };
  }
  return combineAlerts(monitoring, result, now(), '');
}
