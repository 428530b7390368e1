// `hatui replay --to-markdown`: a postmortem timeline. Every step with its commands (exactly as sent, on which
// host), confirmations (who, when, what was typed), output, outcome and durations, read from the engine
// reducer's fold of the log (replay-fold.ts), so it says what the live run saw.
import type { ExpressionResult } from '../engine/events.js';
import type { StepState } from '../engine/state.js';
import { type FoldedRun, attemptsOf, commandOutcome, commandOutput, describeEvent, describeTarget, durationBetween, enteredSteps, formatElapsed, stepOutcome } from './replay-fold.js';

export interface MarkdownContext {
  logPath: string;
  /** `seq:hash` of the log's last verified record. */
  head?: string;
  /** One line: the `audit verify` verdict. */
  verdict?: string;
}

function fence(text: string, info = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(longest + 1);
  return `${marks}${info}\n${text.endsWith('\n') || text === '' ? text : text + '\n'}${marks}`;
}

/** Inline code that survives backticks and pipes inside table cells. */
function code(text: string): string {
  const clean = text.replace(/\r?\n/g, '⏎').replace(/\|/g, '\\|');
  const ticks = clean.includes('`') ? '``' : '`';
  return `${ticks}${ticks === '``' ? ' ' : ''}${clean}${ticks === '``' ? ' ' : ''}${ticks}`;
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function expressions(title: string, list: ExpressionResult[]): string[] {
  if (!list.length) return [];
  return [
    `- ${title}:`,
    ...list.map((e) => `  - ${code(e.source)} → **${e.result}**${Object.keys(e.values).length ? ` with ${code(JSON.stringify(e.values))}` : ''}${e.error ? ` (error: ${cell(e.error)})` : ''}`),
  ];
}

function stepSection(run: FoldedRun, step: StepState): string[] {
  const attempts = attemptsOf(step);
  const last = attempts.at(-1);
  const out: string[] = [
    `## Step \`${step.id}\`${step.attempts > 1 ? ` (${step.attempts} attempts)` : ''}: ${step.status === 'running' ? 'unknown' : step.status}`,
    '',
    `- Started ${step.startedAt ?? '—'}${step.finishedAt ? `, finished ${step.finishedAt} (${formatElapsed(durationBetween(step.startedAt, step.finishedAt))})` : ''}`,
    `- Outcome: **${stepOutcome(step)}**${step.message && !step.refused ? `: ${cell(step.message)}` : ''}`,
  ];
  if (step.guard) out.push(...expressions('Guard', [step.guard]));
  out.push(...expressions('Pre-flight', step.preflight ?? []));
  if (step.preflightOverride) out.push(`- Pre-flight overridden by ${step.preflightOverride.by} at ${step.preflightOverride.at}, typed ${code(step.preflightOverride.typed)}`);
  const request = step.confirmationRequest;
  if (request) {
    const head = `- Confirmation (${request.level})${request.targets.length ? ` for ${request.targets.map(describeTarget).join(', ')}` : ''}`;
    if (step.confirmation) out.push(`${head}: given by ${step.confirmation.by} at ${step.confirmation.at}${step.confirmation.typed !== undefined ? `, typed ${code(step.confirmation.typed)}` : ''}`);
    else if (step.refused) out.push(`${head}: **refused** by ${step.refused.by} at ${step.refused.at}${step.refused.reason ? `: ${cell(step.refused.reason)}` : ''}; the step's commands did not run`);
    else out.push(`${head}: requested at ${request.at}, never answered`);
  }
  for (const t of step.checklistTicked) out.push(`- Checklist item ${t.item + 1} ticked by ${t.by} at ${t.at}`);
  for (const attempt of attempts) {
    if (attempts.length > 1) out.push('', `### Attempt ${attempt.ordinal}: ${attempt === last ? stepOutcome(step) : attempt.status}${attempt !== last && attempt.message ? ` (${cell(attempt.message)})` : ''}`);
    for (const command of attempt.commands) {
      const output = commandOutput(run, step, attempt, command);
      out.push(
        '',
        `### Command ${command.commandIndex + 1}${command.hostCount > 1 ? ` (host ${command.hostIndex + 1}/${command.hostCount})` : ''} on ${describeTarget(command.target)}${command.target.fingerprint ? ` (host key ${command.target.fingerprint})` : ''}`,
        '',
        fence(command.command, 'sh'),
        '',
        `- Started ${command.startedAt}${command.finishedAt ? `, finished ${command.finishedAt}` : ''}; duration ${formatElapsed(command.durationMs)}`,
        `- Outcome: **${commandOutcome(command)}**${command.exitCode !== null ? `, exit ${command.exitCode}` : ''}${command.signal ? `, signal ${command.signal}` : ''}${command.message ? `: ${cell(command.message)}` : ''}`,
      );
      out.push('', output ? fence(output, 'text') : '_(no output)_');
    }
    out.push(...expressions('Checks', attempt.checks));
  }
  out.push('');
  return out;
}

export function toMarkdown(run: FoldedRun, context: MarkdownContext): string {
  const { final } = run;
  const info = final.run;
  const end = final.status === 'finished' || final.status === 'aborted' ? { at: final.finishedAt ?? '—', outcome: final.status === 'aborted' ? `aborted: ${final.abortReason ?? ''}` : (final.outcome ?? 'unknown') } : undefined;
  const rows: [string, string][] = [
    ['Run', info ? `${code(info.runId)} of runbook ${code(final.runbookId)}` : '(no run-started record)'],
    ['Operator', info?.operator ?? '?'],
    ['hatui', info?.hatuiVersion ?? '?'],
    ['Environment', info?.environment ?? '?'],
    ['Runbook', info ? `${code(info.runbookPath)} (sha256 ${code(info.runbookSha256)})` : '?'],
    ['Inventory sha256', info?.inventorySha256 ? code(info.inventorySha256) : '—'],
    ['Ticket', info?.ticket ? cell(info.ticket) : '—'],
    ['Variables', info && Object.keys(info.vars).length ? Object.entries(info.vars).map(([k, v]) => code(`${k}=${v}`)).join(', ') : '—'],
    ['Dry run', info ? String(info.dryRun) : '?'],
    ['Started', run.startedAt ?? '—'],
    ['Ended', end ? `${end.at}: **${cell(end.outcome)}**` : `not finished (log ends ${run.endedAt ?? '—'})`],
    ['Duration', formatElapsed(durationBetween(run.startedAt, run.endedAt))],
    ['Resumed', final.resumes.length ? final.resumes.map((r) => `${r.at} by ${r.operator}${r.tornTail ? ' (torn line kept)' : ''}`).join('; ') : '—'],
    ['Audit log', code(context.logPath)],
    ['Head', context.head ? code(context.head) : '—'],
    ['Verify', context.verdict ? cell(context.verdict) : '—'],
  ];
  const timeline = run.entries.flatMap((entry) => {
    const text = describeEvent(entry);
    const stepId = 'stepId' in entry.event && typeof entry.event.stepId === 'string' ? entry.event.stepId : '';
    return text === null ? [] : [`| ${entry.event.at} | ${stepId ? code(stepId) : ''} | ${cell(text)} |`];
  });
  const lines: string[] = [
    `# Postmortem: ${info ? cell(final.runbookId) : 'hatui run'}${info?.ticket ? ` (${cell(info.ticket)})` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Timeline (UTC)',
    '',
    '| Time | Step | What happened |',
    '| --- | --- | --- |',
    ...timeline,
    '',
  ];
  for (const step of enteredSteps(final)) lines.push(...stepSection(run, step));
  for (const step of enteredSteps(final)) for (const d of step.decisions) lines.push(`- Decision for ${code(step.id)}: **${d.decision}** by ${d.by} at ${d.at}`);
  if (final.anomalies.length) lines.push('', '## Log anomalies', '', ...final.anomalies.map((a) => `- event ${a.event + 1} (${cell(a.type)}): ${cell(a.message)}`));
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
