import { Box, Text } from 'ink';
import type { ClusterSnapshot } from '../../core/cluster-state.js';
import type { ExpressionResult, ResolvedTarget } from '../../core/engine/events.js';
import type { Step } from '../../core/runbook/model.js';
import type { ConfirmPrompt, ConfirmUi } from '../state/confirm-state.js';
import { environmentColor, makeTheme } from '../theme.js';
import { ClusterPanels } from './cluster-panels.js';
import { ExpressionResults } from './expression-results.js';

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
  /** The step's commands exactly as they will run (quoted, secrets as env references). */
  commands?: readonly string[];
}

/** The confirmation ladder: environment, target hosts, live topology, pre-flight values, the answer. */
export function ConfirmPanel({ environment, step, prompt, ui, targets, preflight, snapshot, clusters, commands = [] }: ConfirmPanelProps) {
  const theme = makeTheme();
  const level = prompt.kind === 'confirm' ? prompt.verdict.level : 'typed';
  const expected = prompt.kind === 'confirm' ? prompt.verdict.expectedText : prompt.kind === 'preflight-override' ? prompt.expectedText : prompt.options.join(' | ');
  const titleText = prompt.kind === 'confirm' ? ` Confirm: ${step.title}` : prompt.kind === 'preflight-override' ? ` Pre-flight FAILED: ${step.title}` : ` Decide: ${step.title}`;
  const ask =
    prompt.kind === 'confirm'
      ? `Type ${expected ?? ''} to confirm, Esc to refuse:`
      : prompt.kind === 'preflight-override'
        ? `Blocked. Type ${expected} to override (recorded), Esc to keep it blocked:`
        : `${prompt.message ?? 'What now?'} Type one of: ${expected}`;
  // No targets: the question is not about running a command (e.g. taking over a stale lock).
  const hosts = targets.length ? targets.map((t) => `${t.selector} → ${t.host}${t.address ? ` (${t.address})` : ''}`).join(', ') : undefined;
  return (
    <Box flexDirection="column" flexShrink={0} borderStyle="single" borderColor={theme.color(environmentColor(environment))} paddingX={1}>
      <Text bold>
        <Text inverse color={theme.color(environmentColor(environment))}>{` ${environment.toUpperCase()} `}</Text>
        {titleText}
      </Text>
      {hosts ? <Text wrap="truncate-end">{`target: ${hosts}`}</Text> : null}
      {hosts && prompt.kind === 'confirm'
        ? commands.map((command, i) => (
            <Text key={i} wrap="truncate-end">{`$ ${command.split('\n')[0]}${command.includes('\n') ? ' …' : ''}`}</Text>
          ))
        : null}
      {prompt.kind === 'confirm' ? <Text color={theme.color('gray')} wrap="wrap">{`why: ${prompt.verdict.reason}`}</Text> : null}
      {level === 'typed' && clusters.length ? <ClusterPanels snapshot={snapshot} only={clusters} maxLines={6} /> : null}
      <ExpressionResults label="pre-flight" results={preflight} />
      {level === 'yes' ? (
        <Text bold>{`Run this step on ${hosts}? [y/N] `}</Text>
      ) : (
        <>
          <Text bold wrap="truncate-end">
            {ask}
          </Text>
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
