// Plain step-by-step replay for a terminal or a pipe (the interactive screen is the TUI's).
import { type Timeline, describeTarget, durationBetween, formatDuration } from './timeline.js';

export function toText(timeline: Timeline): string {
  const out: string[] = [];
  const run = timeline.run;
  if (run) {
    out.push(`run ${run.runId}: runbook ${run.runbookId} (${run.runbookPath}), operator ${run.operator}, hatui ${run.hatuiVersion}, ${run.environment}${run.ticket ? `, ticket ${run.ticket}` : ''}`);
    out.push(`started ${run.at}`);
    if (run.alert) out.push(`opened from alert ${run.alert.name} (firing since ${run.alert.startsAt}, fingerprint ${run.alert.fingerprint}): ${Object.entries(run.alert.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  timeline.steps.forEach((step, i) => {
    out.push('', `[${i + 1}/${timeline.steps.length}] step ${step.stepId}${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}: ${step.outcome ?? 'unknown (no finish recorded)'}${step.message ? ` — ${step.message}` : ''}`);
    for (const c of step.confirmations) {
      if (c.given) out.push(`  confirmed (${c.level}) by ${c.given.by} at ${c.given.at}${c.given.typed !== undefined ? `, typed "${c.given.typed}"` : ''}`);
      else if (c.refused) out.push(`  confirmation refused by ${c.refused.by} at ${c.refused.at}`);
    }
    for (const command of step.commands) {
      out.push(`  $ ${command.command}    # on ${describeTarget(command.target)}`);
      if (command.output) out.push(...command.output.replace(/\n$/, '').split('\n').map((l) => `  | ${l}`));
      out.push(`  → ${command.finishedAt ? command.outcome : 'unknown (no finish recorded)'}${command.exitCode !== null ? `, exit ${command.exitCode}` : ''}, ${formatDuration(command.durationMs)}`);
    }
    for (const check of step.checks) out.push(`  check ${check.source} → ${check.result}`);
    if (step.finishedAt) out.push(`  took ${formatDuration(durationBetween(step.startedAt, step.finishedAt))}`);
  });
  out.push('');
  if (timeline.finished) out.push(`run finished ${timeline.finished.at}: ${timeline.finished.outcome}`);
  else if (timeline.aborted) out.push(`run aborted ${timeline.aborted.at}: ${timeline.aborted.reason}`);
  else out.push(`run not finished (log ends ${timeline.endedAt ?? '—'})`);
  return out.join('\n') + '\n';
}
