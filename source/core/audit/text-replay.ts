// Plain step-by-step replay for a terminal or a pipe (the interactive screen is the TUI's), read from the
// engine reducer's fold of the log (replay-fold.ts).
import { type FoldedRun, attemptsOf, commandOutcome, commandOutput, describeTarget, durationBetween, enteredSteps, formatElapsed, stepOutcome } from './replay-fold.js';

export function toText(run: FoldedRun): string {
  const out: string[] = [];
  const { final } = run;
  const info = final.run;
  if (info) {
    out.push(`run ${info.runId}: runbook ${final.runbookId} (${info.runbookPath}), operator ${info.operator}, hatui ${info.hatuiVersion}, ${info.environment}${info.ticket ? `, ticket ${info.ticket}` : ''}`);
    out.push(`started ${info.startedAt}`);
  }
  const steps = enteredSteps(final);
  steps.forEach((step, i) => {
    out.push('', `[${i + 1}/${steps.length}] step ${step.id}${step.attempts > 1 ? ` (${step.attempts} attempts)` : ''}: ${stepOutcome(step)}${step.message && !step.refused ? ` — ${step.message}` : ''}`);
    const request = step.confirmationRequest;
    if (step.confirmation) out.push(`  confirmed (${step.confirmation.level}) by ${step.confirmation.by} at ${step.confirmation.at}${step.confirmation.typed !== undefined ? `, typed "${step.confirmation.typed}"` : ''}`);
    else if (step.refused) out.push(`  confirmation${request ? ` (${request.level})` : ''} REFUSED by ${step.refused.by} at ${step.refused.at}${step.refused.reason ? `: ${step.refused.reason}` : ''}; commands not run`);
    else if (request) out.push(`  confirmation (${request.level}) requested at ${request.at}, never answered`);
    for (const attempt of attemptsOf(step)) {
      if (step.attempts > 1) out.push(`  attempt ${attempt.ordinal}: ${attempt.status}`);
      for (const command of attempt.commands) {
        const output = commandOutput(run, step, attempt, command);
        out.push(`  $ ${command.command}    # on ${describeTarget(command.target)}`);
        if (output) out.push(...output.replace(/\n$/, '').split('\n').map((l) => `  | ${l}`));
        out.push(`  → ${commandOutcome(command)}${command.exitCode !== null ? `, exit ${command.exitCode}` : ''}, ${formatElapsed(command.durationMs)}${command.message ? ` (${command.message})` : ''}`);
      }
      for (const check of attempt.checks) out.push(`  check ${check.source} → ${check.result}`);
    }
    if (step.finishedAt) out.push(`  took ${formatElapsed(durationBetween(step.startedAt, step.finishedAt))}`);
  });
  out.push('');
  if (final.status === 'finished') out.push(`run finished ${final.finishedAt}: ${final.outcome}`);
  else if (final.status === 'aborted') out.push(`run aborted ${final.finishedAt}: ${final.abortReason}`);
  else out.push(`run not finished (log ends ${run.endedAt ?? '—'})`);
  for (const a of final.anomalies) out.push(`log anomaly at event ${a.event + 1} (${a.type}): ${a.message}`);
  return out.join('\n') + '\n';
}
