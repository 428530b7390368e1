// The home screen's alerts panel: what Alertmanager reports firing (severity, name, instance, since, the
// runbook it names). An Alertmanager that does not answer is said so, in red, with the last alerts it
// did report; never shown as "no alerts". Rendered only when the inventory has a monitoring section.
import { Box, Text } from 'ink';
import { alertRunbook, sinceText, type AlertsState, type RunbookLike } from '../../core/alerts.js';
import { age, truncate } from '../format.js';
import { makeTheme } from '../theme.js';

/** Rows the panel takes for a state (header + at most `maxAlerts` alerts + an overflow line). */
export function alertsPanelHeight(state: AlertsState | undefined, maxAlerts: number): number {
  if (!state) return 0;
  const n = state.alerts.length;
  return 1 + Math.min(n, maxAlerts) + (n > maxAlerts ? 1 : 0);
}

export function alertsHeader(state: AlertsState, now: number): { text: string; color: 'red' | 'yellow' | 'gray' | 'green' } {
  const where = `Alertmanager ${hostOf(state.source)}`;
  if (state.status === 'waiting') return { text: `── alerts: asking ${where}…`, color: 'gray' };
  if (state.status === 'unreachable') {
    // Short enough for 80 columns: the reason without the address it repeats, how long, what was last known.
    const why = (state.error ?? 'no answer').replace(`${hostOf(state.source)}: `, '');
    const last = state.lastOkAt ? ` (last answer: ${state.alerts.length} firing)` : ' (alerts unknown)';
    return { text: `── alerts UNREACHABLE: ${where} ${why} for ${age(state.staleMs ?? 0)}${last}`, color: 'red' };
  }
  if (state.alerts.length === 0) return { text: `── alerts: none firing (${where})`, color: 'green' };
  return { text: `── alerts: ${state.alerts.length} firing (${where})`, color: state.alerts.some((a) => a.severity === 'critical') ? 'red' : 'yellow' };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function AlertsPanel(props: { state: AlertsState | undefined; runbooks: readonly RunbookLike[]; focused: boolean; selected: number; maxAlerts: number; width: number; now?: number }) {
  const { state } = props;
  if (!state) return null;
  const theme = makeTheme();
  const now = props.now ?? Date.parse(state.fetchedAt);
  const header = alertsHeader(state, now);
  const start = Math.max(0, Math.min(props.selected - props.maxAlerts + 1, state.alerts.length - props.maxAlerts));
  const shown = state.alerts.slice(start, start + props.maxAlerts);
  const stale = state.status !== 'ok';
  const nameWidth = Math.min(30, Math.max(0, ...shown.map((a) => a.name.length)));
  const instanceWidth = Math.min(22, Math.max(1, ...shown.map((a) => (a.instance ?? '-').length)));
  return (
    <Box flexDirection="column">
      <Text color={theme.color(header.color)} wrap="truncate-end">
        {header.text}
        {state.alerts.length && !props.focused ? <Text color={theme.color('gray')}>{'  (tab: select)'}</Text> : null}
      </Text>
      {shown.map((alert, i) => {
        const selected = props.focused && start + i === props.selected;
        const runbook = alertRunbook(alert, props.runbooks);
        const link = runbook.kind === 'known' ? `→ ${runbook.id}` : runbook.kind === 'unknown' ? `→ ${runbook.id} (unknown runbook)` : '→ (no runbook)';
        const severity = (alert.severity ?? '-').padEnd(8);
        return (
          <Text key={alert.fingerprint || i} inverse={selected} dimColor={stale} wrap="truncate-end">
            {selected ? '›' : ' '}
            <Text color={theme.color(alert.severity === 'critical' ? 'red' : 'yellow')}>{severity}</Text>
            {` ${truncate(alert.name, nameWidth).padEnd(nameWidth)} ${truncate(alert.instance ?? '-', instanceWidth).padEnd(instanceWidth)} since ${sinceText(alert.startsAt, now).padEnd(6)} `}
            <Text color={theme.color(runbook.kind === 'known' ? 'cyan' : 'yellow')}>{link}</Text>
          </Text>
        );
      })}
      {state.alerts.length > props.maxAlerts ? <Text color={theme.color('gray')}>{`  … ${state.alerts.length - props.maxAlerts} more`}</Text> : null}
    </Box>
  );
}
