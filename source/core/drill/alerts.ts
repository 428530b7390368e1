// The guide's drill criterion "监控和告警系统是否正常工作": which alerts Alertmanager reported firing during
// the drill and how long after the fault (T0) each started, measured from Alertmanager's own startsAt,
// never assumed. No monitoring section, or an Alertmanager that never answered, is said as such.
export interface SeenAlert {
  name: string;
  fingerprint: string;
  startsAt: string;
  /** Epoch ms of the first poll that saw it. */
  firstSeenMs: number;
  runbook: string | null;
}

export interface DrillAlerts {
  /** not-configured (no monitoring section), unreachable (Alertmanager never answered), observed. */
  status: 'not-configured' | 'unreachable' | 'observed';
  source: string | null;
  /** Alerts that started at or after T0 (or during the drill without T0), first seen order. */
  fired: { name: string; starts_at: string; latency_ms: number | null; seen_after_ms: number | null; runbook: string | null }[];
  /** One sentence for the report. */
  summary: string;
}

export function drillAlerts(input: { source: string | null; answered: boolean; seen: readonly SeenAlert[]; t0Ms: number | null; startedAtMs: number }): DrillAlerts {
  if (input.source === null) return { status: 'not-configured', source: null, fired: [], summary: 'not measured: the inventory has no monitoring section (monitoring.alertmanagerUrl)' };
  if (!input.answered) return { status: 'unreachable', source: input.source, fired: [], summary: `not measured: Alertmanager ${input.source} never answered during the drill` };
  const from = input.t0Ms ?? input.startedAtMs;
  const fired = input.seen
    .filter((a) => Date.parse(a.startsAt) >= from - 1000)
    .map((a) => ({
      name: a.name,
      starts_at: a.startsAt,
      latency_ms: input.t0Ms === null ? null : Date.parse(a.startsAt) - input.t0Ms,
      seen_after_ms: input.t0Ms === null ? null : a.firstSeenMs - input.t0Ms,
      runbook: a.runbook,
    }));
  const summary = fired.length
    ? fired.map((a) => `${a.name} fired${a.latency_ms === null ? '' : ` ${a.latency_ms} ms after the fault`}${a.runbook ? ` (runbook ${a.runbook})` : ''}`).join('; ')
    : `no alert fired during the drill (Alertmanager ${input.source} answered throughout)`;
  return { status: 'observed', source: input.source, fired, summary };
}
