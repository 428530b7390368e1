// Opening a drill runbook (front matter `drill:`) in the terminal app: the drill runs exactly as
// `hatui drill` runs it (drill/perform.ts: same canary, fault observation, analysis and report files),
// with the RunSession as the decider, so the operator answers checklists and confirmations on screen
// while the drill panel shows the canary live. Imported lazily, like start-run.
import { dirname, resolve } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../core/exit-codes.js';
import type { Runbook } from '../core/runbook/model.js';
import { FAULT_STEP_ID } from '../drill/run-steps.js';
import { performDrill } from '../drill/perform.js';
import { operatorName } from '../services/operator.js';
import { DrillView } from './drill-view.js';
import { RunSession } from './session.js';
import type { StartContext } from './start-run.js';

export async function startDrill(runbook: Runbook, runbookText: string, ctx: StartContext): Promise<RunSession> {
  const session = new RunSession(runbook, operatorName());
  const view = new DrillView(runbook.drill!.system);
  session.drill = view;
  const assignments = ctx.vars.filter((a) => Object.hasOwn(runbook.vars, a.slice(0, a.indexOf('='))));
  void performDrill({
    runbook,
    runbookText,
    inventory: ctx.inventory,
    inventoryText: ctx.inventoryText,
    ...(ctx.inventoryPath ? { inventoryDir: dirname(resolve(ctx.inventoryPath)) } : {}),
    assignments,
    decider: session,
    hatuiVersion: ctx.hatuiVersion,
    ...(ctx.stateDir ? { stateDir: ctx.stateDir } : {}),
    signal: session.signal,
    print: (event, state) => {
      if (event.type === 'command-started' && event.stepId === FAULT_STEP_ID && view.faultAtMs === null) view.faultAtMs = Date.parse(event.at);
      session.follow(event, state);
    },
    progress: (line) => {
      view.say(line);
      session.changed();
    },
    onContext: (context) => {
      view.context = context;
      session.changed();
    },
  }).then(
    (done) => {
      view.result = { report: done.report, paths: done.paths, ...(done.runExitCode !== ExitCode.ok ? { runMessage: done.runMessage } : {}) };
      ctx.onExitCode(done.exitCode);
      const message = done.runExitCode !== ExitCode.ok ? done.runMessage : `drill ${done.report.pass ? 'PASS' : 'FAIL'}: report ${done.paths.markdown}`;
      session.finish({ state: session.state, exitCode: done.exitCode as ExitCodeValue, message });
    },
    (error: Error) => {
      view.error = error.message;
      ctx.onExitCode(ExitCode.failed);
      session.finish(null, error);
    },
  );
  return session;
}
