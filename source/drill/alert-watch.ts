// Polls Alertmanager once a second through a drill (the same probe as the alerts panel), keeping the
// first sighting of every alert; core/drill/alerts.ts turns that into the report's alert section.
import { fetchAlertsOnce } from '../adapters/probes/alertmanager.js';
import type { Monitoring } from '../core/inventory/model.js';
import type { SeenAlert } from '../core/drill/alerts.js';

export function watchAlerts(monitoring: Monitoring, intervalMs = 1000): { stop(): Promise<{ answered: boolean; seen: SeenAlert[] }> } {
  const seen = new Map<string, SeenAlert>();
  let answered = false;
  let running = true;
  const loop = (async () => {
    while (running) {
      const state = await fetchAlertsOnce(monitoring, 1500);
      if (state.status === 'ok') {
        answered = true;
        for (const a of state.alerts) {
          const key = `${a.fingerprint}@${a.startsAt}`;
          if (!seen.has(key)) seen.set(key, { name: a.name, fingerprint: a.fingerprint, startsAt: a.startsAt, firstSeenMs: Date.now(), runbook: a.runbook });
        }
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { answered, seen: [...seen.values()] };
    },
  };
}
