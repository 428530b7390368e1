// Walkthrough: step list with statuses on the left; the shown step (prose, checklist, the command as it
// will run, pre-flight/checks) and the live output on the right; the runbook's clusters stay visible
// below. A pending confirmation replaces the right side with the confirmation ladder.
import { Box, Text, useInput } from 'ink';
import type { ClusterSnapshot } from '../../core/cluster-state.js';
import type { ExpressionResult, ResolvedTarget } from '../../core/engine/events.js';
import type { RunState } from '../../core/engine/state.js';
import type { Runbook } from '../../core/runbook/model.js';
import { ClusterPanels } from '../components/cluster-panels.js';
import { ConfirmPanel, confirmLayout } from '../components/confirm-panel.js';
import { Header } from '../components/header.js';
import { OutputView } from '../components/output-view.js';
import { StepDetail } from '../components/step-detail.js';
import { StepList } from '../components/step-list.js';
import { hints, keyEvents, keyName } from '../keymap.js';
import { commandPreviews } from '../command-preview.js';
import type { OutputBuffer } from '../output-buffer.js';
import { panelLines } from '../panel-lines.js';
import { initialConfirmUi, reduceConfirm, type ConfirmAnswer, type ConfirmPrompt } from '../state/confirm-state.js';
import { initialWalkthroughUi, reduceWalkthrough, type WalkthroughEffect, type WalkthroughUi } from '../state/walkthrough-state.js';
import { makeTheme } from '../theme.js';
import { useLatestState } from '../use-latest-state.js';

export interface WalkthroughPrompt {
  prompt: ConfirmPrompt;
  targets: readonly ResolvedTarget[];
  preflight: readonly ExpressionResult[];
}

export interface WalkthroughProps {
  environment: string;
  runbook: Runbook;
  state: RunState;
  snapshot: ClusterSnapshot;
  output: OutputBuffer;
  prompt?: WalkthroughPrompt | null;
  onAnswer?: (answer: ConfirmAnswer) => void;
  onEffect?: (effect: WalkthroughEffect) => void;
  width?: number;
  height?: number;
  /** Initial view state (tests). */
  initialUi?: WalkthroughUi;
}

/** The step list widens with the terminal: 26 columns at 80, up to 48. */
export function listWidth(width: number): number {
  return Math.max(26, Math.min(48, Math.floor(width * 0.28)));
}

export function Walkthrough(props: WalkthroughProps) {
  const { environment, runbook, state, snapshot, output, prompt } = props;
  const width = props.width ?? 80;
  const height = props.height ?? 24;
  const [getUi, setUi] = useLatestState<WalkthroughUi>(props.initialUi ?? initialWalkthroughUi);
  const [getConfirmUi, setConfirmUi] = useLatestState(initialConfirmUi);
  const ui = getUi();
  const confirmUi = getConfirmUi();
  const theme = makeTheme();
  const current = state.current ?? null;
  const viewing = ui.viewing ?? current ?? runbook.steps[0]?.id ?? null;
  const step = runbook.steps.find((s) => s.id === viewing);
  const stepState = viewing ? state.steps[viewing] : undefined;
  const confirmStep = (prompt && runbook.steps.find((s) => s.id === prompt.prompt.stepId)) || step;
  const commandRunning = Boolean(current && state.steps[current]?.commands.some((c) => c.status === 'running'));
  const finished = state.status === 'finished' || state.status === 'aborted';
  const clusters = runbook.clusters.length ? runbook.clusters : Object.keys(snapshot.clusters);
  // A typed confirmation (or an override) shows the live topology in its box: the panels below would repeat it.
  const boxShowsTopology = Boolean(prompt && (prompt.prompt.kind !== 'confirm' || prompt.prompt.verdict.level === 'typed'));
  const panelCount = boxShowsTopology ? 0 : Math.min(6, clusters.flatMap((c) => (snapshot.clusters[c] ? panelLines(snapshot.clusters[c]!) : [])).length);
  const bodyHeight = Math.max(6, height - 3 - panelCount);
  const LIST_WIDTH = listWidth(width);
  const rightWidth = width - LIST_WIDTH - 1;
  const confirmCommands = prompt && confirmStep ? commandPreviews(runbook, confirmStep, state, Object.hasOwn(state.steps, confirmStep.id) ? state.steps[confirmStep.id] : undefined) : [];
  const confirmClusters = confirmStep?.changes ? [confirmStep.changes] : clusters;
  const layout = prompt && confirmStep
    ? confirmLayout({ environment, prompt: prompt.prompt, targets: prompt.targets, preflight: prompt.preflight, snapshot, clusters: confirmClusters, commands: confirmCommands, width: rightWidth, height: bodyHeight, stepTitle: confirmStep.title, scroll: confirmUi.scroll })
    : null;
  const confirmView = { maxScroll: layout?.window.maxScroll ?? 0, page: Math.max(1, (layout?.window.lines.length ?? 2) - 1) };

  useInput((input, key) => {
    const name = keyName(input, key);
    if (prompt && name !== 'ctrl+c') {
      // Key by key, so a fast-typed `pg⏎` arrives as p, g, Enter; nothing after an answer is used.
      for (const k of keyEvents(input, key)) {
        const r = reduceConfirm(getConfirmUi(), k.name, k.input, prompt.prompt, confirmView);
        setConfirmUi(r.answer ? initialConfirmUi : r.ui);
        if (r.answer) {
          props.onAnswer?.(r.answer);
          break;
        }
      }
      return;
    }
    const r = reduceWalkthrough(getUi(), name, { stepIds: runbook.steps.map((s) => s.id), current, commandRunning, finished, page: Math.max(1, bodyHeight - 8) });
    setUi(r.ui);
    if (r.effect) props.onEffect?.(r.effect);
  });

  const showOutput = Boolean(stepState?.commands.length || viewing === current);
  const outcome = state.outcome ? ` · run ${state.outcome}` : state.status === 'running' ? ' · running' : '';
  const footer = ui.interruptArmed
    ? commandRunning
      ? 'Ctrl-C again cancels the running command (step → cancelled); any other key continues'
      : 'Ctrl-C again aborts the run; any other key continues'
    : prompt
      ? 'answer the confirmation above · Esc refuses · Ctrl-C twice aborts'
      : hints('walkthrough', finished ? ['back', 'up', 'down', 'help'] : ['interrupt', 'up', 'down', 'scroll-up', 'tick']);
  return (
    <Box flexDirection="column" width={width}>
      <Header environment={environment} title={`${runbook.id}${outcome}`} right={runbook.title} />
      <Box height={bodyHeight}>
        <StepList runbook={runbook} state={state} viewing={viewing} width={LIST_WIDTH} height={bodyHeight} />
        <Box flexDirection="column" width={rightWidth} marginLeft={1} overflow="hidden">
          {prompt && confirmStep ? (
            <ConfirmPanel
              environment={environment}
              step={confirmStep}
              prompt={prompt.prompt}
              ui={confirmUi}
              targets={prompt.targets}
              preflight={prompt.preflight}
              snapshot={snapshot}
              clusters={confirmClusters}
              commands={confirmCommands}
              width={rightWidth}
              height={bodyHeight}
            />
          ) : step ? (
            <>
              <StepDetail runbook={runbook} step={step} state={state} proseLines={3} width={rightWidth} {...(showOutput ? { maxCommandLines: 4 } : {})} />
              {showOutput ? (
                <OutputView buffer={output} height={Math.max(2, bodyHeight - 9)} scroll={ui.scroll} width={width - LIST_WIDTH - 2} />
              ) : null}
            </>
          ) : (
            <Text>no steps</Text>
          )}
        </Box>
      </Box>
      {panelCount > 0 ? <ClusterPanels snapshot={snapshot} only={clusters} maxLines={panelCount} /> : null}
      <Text color={theme.color(ui.interruptArmed ? 'yellow' : 'gray')} wrap="truncate-end">
        {footer}
      </Text>
    </Box>
  );
}
