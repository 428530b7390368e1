// The terminal app: Home → Walkthrough (live run) with Help on top; cluster snapshots from the poller,
// re-rendered at most every ~100 ms. Owns only navigation; runs live in RunSession.
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { alertOrigin, alertRunbook, type Alert, type AlertOrigin } from '../core/alerts.js';
import type { ClusterSnapshot } from '../core/cluster-state.js';
import type { ClusterStateSource } from '../services/poller.js';
import type { ScreenName } from './keymap.js';
import { DRILL_PANEL_ROWS, DrillPanel, DrillStarting } from './components/drill-panel.js';
import type { DrillView } from './drill-view.js';
import { DrillReportScreen } from './screens/drill-report.js';
import { Help } from './screens/help.js';
import { Home } from './screens/home.js';
import { Vars } from './screens/vars.js';
import { Walkthrough } from './screens/walkthrough.js';
import type { RunSession } from './session.js';
import type { HomeEffect, RunbookEntry } from './state/home-state.js';
import { initialVarsUi, type VarsEffect, type VarsUi } from './state/vars-state.js';
import type { WalkthroughEffect } from './state/walkthrough-state.js';
import { MIN_SIZE, useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  environment: string;
  inventoryName?: string;
  source: ClusterStateSource;
  runbooks: readonly RunbookEntry[];
  /** The runbook list is still being read (shown as such, never as "no runbooks"). */
  runbooksLoading?: boolean;
  /**
   * Creates and starts a run of the runbook (the tui command wires the runner's dependencies);
   * `vars`: extra `name=value` assignments typed as `:open <id> name=value…`.
   */
  openRunbook: (entry: RunbookEntry, vars?: string[], alert?: AlertOrigin) => Promise<RunSession>;
  onQuit?: () => void;
  /** Fixed size (tests); otherwise the terminal's, redrawn on resize. */
  width?: number;
  height?: number;
  /** Called once after the first frame (the first-frame benchmark prints a marker). */
  onFirstFrame?: () => void;
  /** Where HATUI_VAR_<NAME> values come from for the variables form (default process.env). */
  env?: Record<string, string | undefined>;
  /** `--var name=value` from the command line: they prefill the variables form of every runbook that declares them. */
  vars?: readonly string[];
}

export function useSnapshot(source: ClusterStateSource, throttleMs = 100): ClusterSnapshot {
  const [snapshot, setSnapshot] = useState(source.current());
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let latest = source.current();
    const unsubscribe = source.subscribe((s) => {
      latest = s;
      if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          setSnapshot(latest);
        }, throttleMs);
      }
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [source, throttleMs]);
  return snapshot;
}

function useSession(session: RunSession | null): number {
  const [version, setVersion] = useState(0);
  useEffect(() => session?.subscribe(() => setVersion((v) => v + 1)), [session]);
  return version;
}

/** Re-renders every `everyMs` while `active` (the drill panel's canary counts change between run events). */
function useTicker(active: boolean, everyMs = 250): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
}

/** The drill's report screen: q or Esc goes back to the runbook list. */
function DrillReportView({ drill, width, onBack }: { drill: DrillView; width: number; onBack: () => void }) {
  useInput((input, key) => {
    if (input === 'q' || key.escape) onBack();
  });
  return <DrillReportScreen report={drill.result!.report} files={drill.result!.paths} width={width} {...(drill.result!.runMessage ? { runMessage: drill.result!.runMessage } : {})} />;
}

export function App(props: AppProps) {
  const { exit } = useApp();
  const terminal = useTerminalSize();
  const width = props.width ?? terminal.columns;
  const height = props.height ?? terminal.rows;
  const snapshot = useSnapshot(props.source);
  const [screen, setScreen] = useState<'home' | 'walkthrough'>('home');
  // The variables form, shown over home while set.
  const [varsForm, setVarsForm] = useState<{ entry: RunbookEntry; ui: VarsUi; alert?: AlertOrigin } | null>(null);
  const [help, setHelp] = useState<ScreenName | null>(null);
  const [session, setSession] = useState<RunSession | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useSession(session);
  const drill = session?.drill ?? null;
  const drillRunning = Boolean(drill && !drill.result && !drill.error);
  useTicker(screen === 'walkthrough' && drillRunning);
  const first = useRef(false);
  useEffect(() => {
    if (!first.current) {
      first.current = true;
      props.onFirstFrame?.();
    }
  });

  const quit = () => {
    props.onQuit?.();
    exit();
  };
  const opening = useRef(false);
  /** A runbook with variables opens the variables form first; `:open` assignments prefill it. */
  const open = (entry: RunbookEntry, assignments: string[] = [], alert?: AlertOrigin) => {
    // An entry without its variables (not read from a parsed runbook) starts at once; the run checks them.
    if (entry.vars === undefined) return start(entry, assignments, alert);
    // A variable that comes from an inventory credential is never asked for (the run reads it; a secret).
    const specs = Object.fromEntries(Object.entries(entry.vars).filter(([, spec]) => !spec.from));
    const pairs = (list: readonly string[]) => list.map((a): [string, string] => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]);
    const typed = Object.fromEntries(pairs(assignments));
    // --var values apply to the runbooks that declare them; `:open` ones must name this runbook's variables.
    const given = { ...Object.fromEntries(pairs(props.vars ?? []).filter(([name]) => Object.hasOwn(specs, name))), ...typed };
    const unknown = Object.keys(typed).find((name) => !Object.hasOwn(specs, name));
    if (unknown) {
      const declared = Object.keys(specs);
      return setMessage(`${entry.id} declares no variable '${unknown}'${declared.length ? ` (declared: ${declared.join(', ')})` : ''}`);
    }
    if (Object.keys(specs).length === 0) return start(entry, [], alert);
    setMessage(null);
    setVarsForm({ entry, ui: initialVarsUi(entry.id, specs, given, props.env ?? process.env), ...(alert ? { alert } : {}) });
  };
  /** An alert's runbook opens prefilled from the alert's labels; the run records the alert. */
  const openAlert = (alert: Alert) => {
    const linked = alertRunbook(alert, props.runbooks);
    if (linked.kind === 'none') return setMessage(`${alert.name} names no runbook (annotation runbook: <id> in its rule)`);
    const entry = props.runbooks.find((r) => r.id === linked.id);
    if (linked.kind === 'unknown' || !entry) return setMessage(`${alert.name} names runbook '${alert.runbook}', which is not among the listed runbooks`);
    if (entry.problems.length) return setMessage(`cannot open ${entry.id}: ${entry.problems[0]}`);
    open(entry, Object.entries(linked.prefill).map(([name, value]) => `${name}=${value}`), alertOrigin(alert));
  };
  const onVars = (effect: VarsEffect) => {
    const form = varsForm;
    setVarsForm(null);
    if (effect.kind === 'start' && form) start(form.entry, Object.entries(effect.values).map(([name, value]) => `${name}=${value}`), form.alert);
  };
  const start = (entry: RunbookEntry, vars: string[], alert?: AlertOrigin) => {
    // One run at a time: a second Enter while the first run starts must not start another.
    if (opening.current) return;
    opening.current = true;
    setMessage(`starting ${entry.id}…`);
    (alert ? props.openRunbook(entry, vars, alert) : props.openRunbook(entry, vars)).then(
      (s) => {
        opening.current = false;
        setSession(s);
        setScreen('walkthrough');
        setMessage(null);
      },
      (error: Error) => {
        opening.current = false;
        // A variable without a default: say how to give it from here, not only on the command line.
        const missing = /variable '([^']+)' needs a value/.exec(error.message)?.[1];
        setMessage(missing ? `${entry.id} needs '${missing}': type :open ${entry.id} ${missing}=…` : `cannot start ${entry.id}: ${error.message}`);
      },
    );
  };
  const onHome = (effect: HomeEffect) => {
    switch (effect.kind) {
      case 'open':
        return open(effect.entry);
      case 'open-alert':
        return openAlert(effect.alert);
      case 'help':
        return setHelp('home');
      case 'quit':
        return quit();
      case 'command': {
        const [verb, arg, ...assignments] = effect.text.split(/\s+/);
        if (verb === 'q' || verb === 'quit') return quit();
        if (verb === 'help') return setHelp('home');
        if (verb === 'open' && arg) {
          const bad = assignments.find((a) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(a));
          if (bad) return setMessage(`'${bad}' is not name=value (:open <id> name=value …)`);
          const entry = props.runbooks.find((r) => r.id === arg);
          return entry ? open(entry, assignments) : setMessage(`no runbook '${arg}'`);
        }
        return setMessage(`unknown command ':${effect.text}' (try :open <id> [name=value …], :help, :q)`);
      }
    }
  };
  const onWalkthrough = (effect: WalkthroughEffect) => {
    switch (effect.kind) {
      case 'cancel-command':
      case 'abort-run':
        return session?.cancel();
      case 'back':
        // A drill whose steps ended is still measuring (settling, reading back): its report comes next.
        if (drillRunning) return;
        setSession(null);
        return setScreen('home');
      case 'help':
        return setHelp('walkthrough');
      case 'tick':
        return session?.tick();
    }
  };

  if (width < MIN_SIZE.columns || height < MIN_SIZE.rows) {
    // q quits from here only when no run is on screen (a live run is never left by one key).
    return <TooSmall width={width} height={height} {...(screen === 'walkthrough' && session ? {} : { onQuit: quit })} />;
  }
  if (help) return <Help environment={props.environment} screen={help} onBack={() => setHelp(null)} />;
  if (varsForm) {
    return (
      <Vars
        environment={props.environment}
        title={varsForm.entry.title}
        initialUi={varsForm.ui}
        onEffect={onVars}
        width={width}
        height={height}
      />
    );
  }
  if (screen === 'walkthrough' && session && drill?.result) {
    return (
      <DrillReportView
        drill={drill}
        width={width}
        onBack={() => {
          setSession(null);
          setScreen('home');
        }}
      />
    );
  }
  if (screen === 'walkthrough' && session) {
    const checklist = session.checklistPending;
    const live = drill?.live() ?? null;
    const drillRows = drill ? (live ? DRILL_PANEL_ROWS : 3) : 0;
    const lastProgress = drill?.progress.at(-1);
    return (
      <Box flexDirection="column">
        <Walkthrough
          environment={props.environment}
          runbook={session.runbook}
          state={session.state}
          snapshot={snapshot}
          output={session.output}
          prompt={session.prompt}
          onAnswer={(a) => session.answer(a)}
          onEffect={onWalkthrough}
          width={width}
          height={height - drillRows - (checklist || session.result || session.error ? 1 : 0)}
        />
        {drill && live ? (
          <Box height={drillRows}>
            <DrillPanel live={live} canaryTarget={drill.canaryTarget ?? ''} width={width} {...(lastProgress ? { progress: lastProgress } : {})} />
          </Box>
        ) : drill ? (
          <DrillStarting width={width} {...(lastProgress ? { progress: lastProgress } : {})} error={drill.error} />
        ) : null}
        {checklist ? <Text color="yellow">{`checklist: space ticks the next item (${checklist.left} left)`}</Text> : null}
        {session.error ? <Text color="red">{`run stopped: ${session.error.message}`}</Text> : session.result ? <Text wrap="truncate-end">{`run ended: ${session.result.message} · audit head ${session.auditLog?.head() ?? '-'} · q back`}</Text> : null}
      </Box>
    );
  }
  return (
    <Home
      environment={props.environment}
      {...(props.inventoryName ? { inventoryName: props.inventoryName } : {})}
      snapshot={snapshot}
      runbooks={props.runbooks}
      onEffect={onHome}
      message={message}
      loading={props.runbooksLoading ?? false}
      width={width}
      height={height}
    />
  );
}

/** Below 80×24 nothing is drawn but what size is needed (a run goes on; its screen returns when there is room). */
function TooSmall({ width, height, onQuit }: { width: number; height: number; onQuit?: () => void }) {
  useInput((input) => {
    if (input === 'q') onQuit?.();
  });
  return (
    <Text wrap="wrap">{`hatui needs a terminal of at least ${MIN_SIZE.columns}×${MIN_SIZE.rows}; this one is ${width}×${height}. Enlarge the window.`}</Text>
  );
}
