// Home: every cluster's panel, then the runbook list (filter with `/`, tags shown, `:` command line).
import { Box, Text, useInput } from 'ink';
import type { ClusterSnapshot } from '../../core/cluster-state.js';
import { AlertsPanel, alertsPanelHeight } from '../components/alerts-panel.js';
import { ClusterPanels } from '../components/cluster-panels.js';
import { panelLines } from '../panel-lines.js';
import { initialAlertsUi, reduceAlerts, type AlertsUi } from '../state/alerts-state.js';
import { Header } from '../components/header.js';
import { truncate } from '../format.js';
import { hints, keyEvents } from '../keymap.js';
import { filterRunbooks, initialHomeUi, reduceHome, type HomeEffect, type HomeUi, type RunbookEntry } from '../state/home-state.js';
import { makeTheme } from '../theme.js';
import { useLatestState } from '../use-latest-state.js';

export interface HomeProps {
  environment: string;
  inventoryName?: string;
  snapshot: ClusterSnapshot;
  runbooks: readonly RunbookEntry[];
  onEffect?: (effect: HomeEffect) => void;
  width?: number;
  height?: number;
  initialUi?: HomeUi;
  /** The runbook list is still being read. */
  loading?: boolean;
  /** Shown under the list (e.g. the answer to a `:` command). */
  message?: string | null;
}

export function Home(props: HomeProps) {
  const width = props.width ?? 80;
  const height = props.height ?? 24;
  const [getUi, setUi] = useLatestState<HomeUi>(props.initialUi ?? initialHomeUi);
  const [getAlertsUi, setAlertsUi] = useLatestState<AlertsUi>(initialAlertsUi);
  const ui = getUi();
  const alertsUi = getAlertsUi();
  const theme = makeTheme();
  useInput((input, key) => {
    // Pasted or fast-typed text arrives as one chunk: feed it key by key (`/redis` = filter + text).
    for (const k of keyEvents(input, key)) {
      if (getUi().mode === 'list') {
        const a = reduceAlerts(getAlertsUi(), k.name, props.snapshot.alerts);
        if (a.handled) {
          setAlertsUi(a.ui);
          if (a.effect) {
            props.onEffect?.(a.effect);
            break;
          }
          continue;
        }
      }
      const r = reduceHome(getUi(), k.name, k.input, props.runbooks);
      setUi(r.ui);
      if (r.effect) {
        props.onEffect?.(r.effect);
        break;
      }
    }
  });
  const shown = filterRunbooks(props.runbooks, ui.filter);
  const panelBudget = Math.max(4, Math.min(12, height - 9));
  const maxAlerts = 5;
  const alertsHeight = alertsPanelHeight(props.snapshot.alerts, maxAlerts);
  const listHeight = Math.max(3, height - 4 - alertsHeight - Math.min(panelBudget, countLines(props.snapshot)));
  const start = Math.max(0, Math.min(ui.selected - listHeight + 1, shown.length - listHeight));
  const footer =
    ui.mode === 'filter' ? `/${ui.filter}▏ (enter keeps, esc clears)` : ui.mode === 'command' ? `:${ui.commandLine}▏` : (ui.message ?? props.message ?? hints('home', props.snapshot.alerts?.alerts.length ? ['open', 'focus-alerts', 'filter', 'help', 'command-line', 'back'] : ['open', 'filter', 'help', 'command-line', 'back']));
  return (
    <Box flexDirection="column" width={width}>
      <Header environment={props.environment} title="clusters & runbooks" right={props.inventoryName} />
      <AlertsPanel state={props.snapshot.alerts} runbooks={props.runbooks} focused={alertsUi.focused} selected={alertsUi.selected} maxAlerts={maxAlerts} width={width} />
      <ClusterPanels snapshot={props.snapshot} maxLines={panelBudget} />
      <Text color={theme.color('gray')} wrap="truncate-end">{rule(`── runbooks (${shown.length}/${props.runbooks.length})${ui.filter ? ` filter: ${ui.filter}` : ''} `, width)}</Text>
      {shown.length === 0 ? <Text color={theme.color('gray')}>{props.loading ? 'reading runbooks…' : props.runbooks.length ? 'no runbook matches the filter' : 'no runbooks found'}</Text> : null}
      {shown.slice(start, start + listHeight).map((r, i) => {
        const selected = start + i === ui.selected;
        const tags = r.tags.map((t) => `#${t}`).join(' ');
        return (
          <Text key={r.path} inverse={selected} wrap="truncate-end">
            {selected ? '›' : ' '}
            {r.problems.length ? <Text color={theme.color('red')}>✗ </Text> : ' '}
            {truncate(r.id, 26).padEnd(27)}
            {truncate(r.title, Math.max(10, width - 50))}
            <Text color={theme.color('cyan')}>{`  ${tags}`}</Text>
          </Text>
        );
      })}
      <Text color={theme.color(ui.message ? 'yellow' : 'gray')} wrap="truncate-end">
        {footer}
      </Text>
    </Box>
  );
}

/** A section title drawn as a rule across the whole width. */
function rule(title: string, width: number): string {
  return title + '─'.repeat(Math.max(0, width - [...title].length));
}

/** The panels' real line count (each cut to one terminal row), so the runbook list gets exactly the rest. */
function countLines(snapshot: ClusterSnapshot): number {
  return Object.values(snapshot.clusters).reduce((n, state) => n + panelLines(state).length, 0);
}

/** Key name of one character of a pasted chunk (`\r` is Enter, DEL is Backspace). */
