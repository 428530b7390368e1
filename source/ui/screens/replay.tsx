// Interactive replay of a recorded run: the state is the engine's fold of the recorded events up to the
// shown step visit; output is what was recorded. Nothing is re-run or re-evaluated.
import { Box, render, Text, useInput } from 'ink';
import { useMemo, useState } from 'react';
import type { RunEvent } from '../../core/engine/events.js';
import { fold } from '../../core/engine/reducer.js';
import type { Runbook } from '../../core/runbook/model.js';
import { Header } from '../components/header.js';
import { Help } from './help.js';
import { OutputView } from '../components/output-view.js';
import { StepDetail } from '../components/step-detail.js';
import { StepList } from '../components/step-list.js';
import { listWidth } from './walkthrough.js';
import { hints, keyName } from '../keymap.js';
import { OutputBuffer } from '../output-buffer.js';
import { initialReplayUi, reduceReplay, stepVisits, type ReplayEffect, type ReplayUi } from '../state/replay-state.js';
import { makeTheme } from '../theme.js';
import { useLatestState } from '../use-latest-state.js';

export interface ReplayProps {
  events: readonly RunEvent[];
  runbook: Runbook;
  environment?: string;
  onEffect?: (effect: ReplayEffect) => void;
  width?: number;
  height?: number;
  initialUi?: ReplayUi;
}

export function Replay(props: ReplayProps) {
  const { events, runbook } = props;
  const width = props.width ?? 80;
  const height = props.height ?? 24;
  const theme = makeTheme();
  const visits = useMemo(() => stepVisits(events), [events]);
  const [getUi, setUi] = useLatestState<ReplayUi>(props.initialUi ?? initialReplayUi);
  const ui = getUi();
  const visit = visits[ui.visit];
  const state = useMemo(() => fold(runbook, events.slice(0, visit?.to ?? events.length)), [runbook, events, visit]);
  const buffer = useMemo(() => {
    const b = new OutputBuffer(5000);
    b.append(visit?.output ?? '');
    return b;
  }, [visit]);
  const environment = props.environment ?? (events[0]?.type === 'run-started' ? events[0].environment : 'unknown');
  useInput((input, key) => {
    const r = reduceReplay(getUi(), keyName(input, key), input, visits, runbook.steps.map((s) => s.id));
    setUi(r.ui);
    if (r.effect) props.onEffect?.(r.effect);
  });
  // Search: scroll so the first matching line is in view.
  const bodyHeight = Math.max(6, height - 3);
  const list = listWidth(width);
  let scroll = 0;
  if (ui.query) {
    const hits = buffer.search(ui.query);
    if (hits[0] !== undefined) scroll = Math.max(0, buffer.length - hits[0] - 1);
  }
  const step = runbook.steps.find((s) => s.id === visit?.stepId);
  const footer =
    ui.mode === 'search' ? `/${ui.input}▏` : ui.mode === 'jump' ? `go to step (number or id): ${ui.input}▏` : (ui.message ?? hints('replay', ['next-step', 'prev-step', 'jump', 'search', 'search-next', 'back']));
  return (
    <Box flexDirection="column" width={width}>
      <Header environment={environment} title={`replay ${runbook.id} · visit ${visits.length ? ui.visit + 1 : 0}/${visits.length}${state.outcome ? ` · run ${state.outcome}` : ''}`} />
      <Box height={bodyHeight}>
        <StepList runbook={runbook} state={state} viewing={visit?.stepId ?? null} width={list} height={bodyHeight} />
        <Box flexDirection="column" marginLeft={1} width={width - list - 1} overflow="hidden">
          {step ? <StepDetail runbook={runbook} step={step} state={state} proseLines={2} width={width - list - 1} maxCommandLines={4} /> : <Text>no step was entered in this run</Text>}
          <OutputView buffer={buffer} height={Math.max(2, bodyHeight - 9)} scroll={scroll} width={width - list - 2} />
        </Box>
      </Box>
      <Text color={theme.color('gray')} wrap="truncate-end">
        {footer}
      </Text>
    </Box>
  );
}

/** Replay with its help screen on `?`; `q` quits. */
export function ReplayApp(props: ReplayProps & { onQuit: () => void }) {
  const [help, setHelp] = useState(false);
  const environment = props.environment ?? (props.events[0]?.type === 'run-started' ? props.events[0].environment : 'unknown');
  if (help) return <Help environment={environment} screen="replay" onBack={() => setHelp(false)} />;
  return <Replay {...props} onEffect={(e) => (e.kind === 'help' ? setHelp(true) : props.onQuit())} />;
}

/**
 * The interactive `hatui replay <log>` screen: next/previous step, jump to a step, search output.
 * Folds the recorded events with the engine's reducer; re-runs and re-evaluates nothing.
 */
export async function openReplayScreen(events: readonly RunEvent[], runbook: Runbook, options: { environment?: string } = {}): Promise<number> {
  const instance = render(<ReplayApp events={events} runbook={runbook} {...options} onQuit={() => instance.unmount()} />, { exitOnCtrlC: false });
  await instance.waitUntilExit();
  return 0;
}
