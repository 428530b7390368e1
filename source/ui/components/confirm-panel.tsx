import { Box, Text } from 'ink';
import type { ClusterSnapshot } from '../../core/cluster-state.js';
import type { ExpressionResult, ResolvedTarget } from '../../core/engine/events.js';
import type { Step } from '../../core/runbook/model.js';
import { commandScreenLines, lineWindow, wrappedRows, type LineWindow } from '../command-lines.js';
import { bindingsFor, type Action } from '../keymap.js';
import { panelLines } from '../panel-lines.js';
import type { ConfirmPrompt, ConfirmUi } from '../state/confirm-state.js';
import { environmentColor, makeTheme } from '../theme.js';
import { ClusterPanels } from './cluster-panels.js';
import { ExpressionResults, expressionTexts } from './expression-results.js';

export interface ConfirmPanelProps {
  environment: string;
  step: Step;
  prompt: ConfirmPrompt;
  ui: ConfirmUi;
  targets: readonly ResolvedTarget[];
  preflight: readonly ExpressionResult[];
  snapshot: ClusterSnapshot;
  /** Clusters whose live topology the step will change (shown for `typed`). */
  clusters: readonly string[];
  /** The step's commands exactly as they will run (quoted, secrets as env references), each with its host. */
  commands?: readonly { command: string; host: string }[];
  /** The box's outer size (the walkthrough's right column). */
  width?: number;
  height?: number;
}

export interface ConfirmLayout {
  /** The commands' window (every character of every command, cut to the box's width). */
  window: LineWindow;
  clusterLines: number;
  texts: { title: string; hosts?: string; why?: string; ask: string; where?: string };
  level: 'none' | 'yes' | 'typed';
}

/**
 * How the box is filled: the fixed parts (title, targets, why, topology, pre-flight, the question) get
 * their rows, the commands get the rest and scroll when they need more. The walkthrough asks this too,
 * so the confirmation reducer knows how far the commands scroll.
 */
export function confirmLayout(props: Omit<ConfirmPanelProps, 'ui' | 'step'> & { stepTitle: string; scroll: number }): ConfirmLayout {
  const { environment, prompt, targets, preflight, snapshot, clusters, commands = [] } = props;
  const width = props.width ?? 80;
  const height = props.height ?? 24;
  const inner = Math.max(10, width - 4);
  const level = prompt.kind === 'confirm' ? prompt.verdict.level : 'typed';
  const expected = prompt.kind === 'confirm' ? prompt.verdict.expectedText : prompt.kind === 'preflight-override' ? prompt.expectedText : prompt.options.join(' | ');
  const title = `${prompt.kind === 'confirm' ? ' Confirm: ' : prompt.kind === 'preflight-override' ? ' Pre-flight FAILED: ' : ' Decide: '}${props.stepTitle}`;
  // No targets: the question is not about running a command (e.g. taking over a stale lock).
  const hosts = targets.length ? targets.map((t) => `${t.selector} → ${t.host}${t.address ? ` (${t.address})` : ''}`).join(', ') : undefined;
  const ask =
    level === 'yes'
      ? `Run this step on ${hosts ?? 'local'}? [y/N]`
      : prompt.kind === 'confirm'
        ? `Type ${expected ?? ''} to confirm, Esc to refuse:`
        : prompt.kind === 'preflight-override'
          ? `Blocked. Type ${expected} to override (recorded), Esc to keep it blocked:`
          : `${prompt.message ?? 'What now?'} Type one of: ${expected}`;
  const why = prompt.kind === 'confirm' ? `why: ${prompt.verdict.reason}` : undefined;
  const topology = level === 'typed' ? clusters.flatMap((c) => (snapshot.clusters[c] ? panelLines(snapshot.clusters[c]!) : [])).length : 0;
  const preflightRows = preflight.reduce((n, r) => n + expressionRows(r, inner), 0);
  // border 2 · title · targets · why · pre-flight · question (+ the typed line) · error line · one spare row
  // (the estimate may only err on the safe side: a row too many leaves a blank, one too few would hide a line).
  const fixed = 3 + wrappedRows(`${environment.toUpperCase()}  ${title}`, inner) + (hosts ? wrappedRows(`target: ${hosts}`, inner) : 0) + (why ? wrappedRows(why, inner) : 0) + preflightRows + wrappedRows(ask, inner) + (level === 'yes' ? 0 : 1) + 1;
  const all = commandScreenLines(commands, inner);
  let clusterLines = Math.min(6, topology);
  let room = height - fixed - clusterLines;
  const whereText = (w: LineWindow) => {
    const below = w.total - w.from - w.lines.length;
    const keys = (a: Action) => bindingsFor('confirm').find((b) => b.action === a)?.keys.join('/') ?? '';
    return `commands ${w.from + 1}–${w.from + w.lines.length} of ${w.total}${below > 0 ? ` · ${below} more below` : ' · the end'} · ${keys('line-up')}/${keys('line-down')} line · ${keys('scroll-up')}/${keys('scroll-down')} page`;
  };
  if (all.length > room) {
    // Too long for the box: a line says where the window is and which keys scroll; topology gives up rows before the commands do.
    room -= wrappedRows(whereText(lineWindow(all, 9, 999)), inner);
    const give = Math.max(0, Math.min(clusterLines - 2, 6 - room));
    clusterLines -= give;
    room += give;
  }
  const window = lineWindow(all, Math.max(1, room), props.scroll);
  const where = window.maxScroll > 0 ? whereText(window) : undefined;
  return { window, clusterLines, texts: { title, ...(hosts ? { hosts } : {}), ...(why ? { why } : {}), ask, ...(where ? { where } : {}) }, level };
}

function expressionRows(r: ExpressionResult, width: number): number {
  const t = expressionTexts('pre-flight', r);
  return wrappedRows(t.head + t.source, width) + (t.values ? wrappedRows(t.values, width) : 0);
}

/** The confirmation ladder: environment, target hosts, every command in full, live topology, pre-flight values, the answer. */
export function ConfirmPanel(props: ConfirmPanelProps) {
  const { environment, prompt, ui, preflight, snapshot, clusters } = props;
  const theme = makeTheme();
  const layout = confirmLayout({ ...props, stepTitle: props.step.title, scroll: ui.scroll });
  const { window, texts, level } = layout;
  return (
    <Box flexDirection="column" flexShrink={0} borderStyle="single" borderColor={theme.color(environmentColor(environment))} paddingX={1} {...(props.width ? { width: props.width } : {})}>
      <Text bold>
        <Text inverse color={theme.color(environmentColor(environment))}>{` ${environment.toUpperCase()} `}</Text>
        {texts.title}
      </Text>
      {texts.hosts ? <Text>{`target: ${texts.hosts}`}</Text> : null}
      {texts.where ? <Text color={theme.color('yellow')}>{texts.where}</Text> : null}
      {window.lines.length ? <Text color={theme.color('cyan')}>{window.lines.join('\n')}</Text> : null}
      {texts.why ? <Text color={theme.color('gray')} wrap="wrap">{texts.why}</Text> : null}
      {level === 'typed' && clusters.length && layout.clusterLines > 0 ? <ClusterPanels snapshot={snapshot} only={clusters} maxLines={layout.clusterLines} /> : null}
      <ExpressionResults label="pre-flight" results={preflight} />
      {level === 'yes' ? (
        <Text bold>{`${texts.ask} `}</Text>
      ) : (
        <>
          <Text bold>{texts.ask}</Text>
          <Text>
            {'> '}
            {ui.typed}
            <Text inverse> </Text>
          </Text>
        </>
      )}
      {ui.error ? <Text color={theme.color('red')}>{ui.error}</Text> : null}
    </Box>
  );
}
