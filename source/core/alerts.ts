// Alerts as Alertmanager reports them (/api/v2/alerts), and the link from an alert to its runbook.
// Pure: the probe (adapters/probes/alertmanager.ts) fetches, the poller folds, the panel and
// `hatui alerts` render. Nothing is guessed: an Alertmanager that does not answer says so (with the
// last alerts it did report, marked by age), never "no alerts".
import { z } from 'zod';

export const alertSchema = z.object({
  /** `alertname` label. */
  name: z.string(),
  /** `severity` label (critical, warning, …); null when the rule sets none. */
  severity: z.string().nullable(),
  /** Alertmanager's state: active, suppressed (silenced/inhibited) or unprocessed. */
  state: z.string(),
  /** UTC ISO time the alert started firing (Prometheus' activeAt + for). */
  startsAt: z.string(),
  /** `instance` label; null when absent. */
  instance: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  /** `summary` / `description` annotations. */
  summary: z.string().nullable(),
  description: z.string().nullable(),
  /** The `runbook` annotation: a runbook id (null when the rule names none). */
  runbook: z.string().nullable(),
  fingerprint: z.string(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertsStateSchema = z.object({
  /** Alertmanager base URL from the inventory's monitoring section. */
  source: z.string(),
  fetchedAt: z.string(),
  /** waiting (no answer yet), ok (the latest poll answered), unreachable (it failed). */
  status: z.enum(['waiting', 'ok', 'unreachable']),
  /** Why the latest poll failed; null when it answered. */
  error: z.string().nullable(),
  lastOkAt: z.string().nullable(),
  /** ms since the last answer (or since polling began) while unreachable; null when fresh. */
  staleMs: z.number().nullable(),
  /** Firing alerts from the last answer (kept, and marked stale by `status`, while unreachable); critical first, then oldest. */
  alerts: z.array(alertSchema),
});
export type AlertsState = z.infer<typeof alertsStateSchema>;

const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];
function severityRank(severity: string | null): number {
  const i = severity === null ? -1 : SEVERITY_ORDER.indexOf(severity.toLowerCase());
  return i < 0 ? SEVERITY_ORDER.length : i;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** One /api/v2/alerts answer → alerts (entries that are not objects with labels are skipped). */
export function parseAlerts(body: unknown): Alert[] {
  if (!Array.isArray(body)) throw new Error('answer is not a list of alerts');
  const alerts: Alert[] = [];
  for (const raw of body) {
    const a = raw as { labels?: Record<string, unknown>; annotations?: Record<string, unknown>; startsAt?: unknown; fingerprint?: unknown; status?: { state?: unknown } };
    if (!a || typeof a !== 'object' || !a.labels || typeof a.labels !== 'object') continue;
    const labels = Object.fromEntries(Object.entries(a.labels).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const annotations = a.annotations ?? {};
    alerts.push({
      name: labels.alertname ?? '(no alertname)',
      severity: labels.severity ?? null,
      state: text(a.status?.state) ?? 'active',
      startsAt: text(a.startsAt) ?? '',
      instance: labels.instance ?? null,
      labels,
      summary: text(annotations.summary),
      description: text(annotations.description),
      runbook: text(annotations.runbook),
      fingerprint: text(a.fingerprint) ?? '',
    });
  }
  return alerts.sort((x, y) => severityRank(x.severity) - severityRank(y.severity) || x.startsAt.localeCompare(y.startsAt) || x.fingerprint.localeCompare(y.fingerprint));
}

/** What an alert's runbook annotation resolves to among the listed runbooks. */
export type AlertRunbook =
  | { kind: 'none' }
  | { kind: 'unknown'; id: string }
  | { kind: 'known'; id: string; path: string; title: string; prefill: Record<string, string> };

export interface RunbookLike {
  id: string;
  title: string;
  path: string;
  problems: readonly string[];
  vars?: Record<string, unknown>;
}

/** The alert's runbook, and the runbook's variables an alert label names (value = the label's). */
export function alertRunbook(alert: Pick<Alert, 'runbook' | 'labels'>, runbooks: readonly RunbookLike[]): AlertRunbook {
  if (!alert.runbook) return { kind: 'none' };
  const entry = runbooks.find((r) => r.id === alert.runbook);
  if (!entry) return { kind: 'unknown', id: alert.runbook };
  const prefill: Record<string, string> = {};
  for (const name of Object.keys(entry.vars ?? {})) if (Object.hasOwn(alert.labels, name)) prefill[name] = alert.labels[name]!;
  return { kind: 'known', id: entry.id, path: entry.path, title: entry.title, prefill };
}

/** `12s`, `5m`, `3h 20m`, `2d 4h`: how long an alert has fired. */
export function sinceText(startsAt: string, now: number): string {
  const t = Date.parse(startsAt);
  if (!Number.isFinite(t)) return '?';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** What a run opened from an alert records in its run-started event (no annotations: they are prose). */
export interface AlertOrigin {
  name: string;
  labels: Record<string, string>;
  startsAt: string;
  fingerprint: string;
}

export function alertOrigin(alert: Alert): AlertOrigin {
  return { name: alert.name, labels: { ...alert.labels }, startsAt: alert.startsAt, fingerprint: alert.fingerprint };
}
