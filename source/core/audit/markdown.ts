// `hatui replay --to-markdown`: a postmortem timeline. Every step with its commands (exactly as
// sent, on which host), confirmations (who, when, what was typed), output, outcome and durations.
import type { AlertOrigin } from '../alerts.js';
import type { ExpressionResult } from '../engine/events.js';
import { type StepEntry, type Timeline, describeTarget, durationBetween, formatDuration } from './timeline.js';

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

function stepSection(step: StepEntry): string[] {
  const outcome = step.outcome ?? 'unknown (no finish recorded: the log ends while the step was in flight)';
  const out: string[] = [
    `## Step \`${step.stepId}\`${step.attempt > 1 ? ` (attempt ${step.attempt})` : ''}: ${step.outcome ?? 'unknown'}`,
    '',
    `- Started ${step.startedAt}${step.finishedAt ? `, finished ${step.finishedAt} (${formatDuration(durationBetween(step.startedAt, step.finishedAt))})` : ''}`,
    `- Outcome: **${outcome}**${step.message ? `: ${cell(step.message)}` : ''}`,
  ];
  if (step.guard) out.push(...expressions('Guard', [step.guard]));
  out.push(...expressions('Pre-flight', step.preflight));
  if (step.preflightOverride) out.push(`- Pre-flight overridden by ${step.preflightOverride.by} at ${step.preflightOverride.at}, typed ${code(step.preflightOverride.typed)}`);
  for (const c of step.confirmations) {
    const targets = c.targets.length ? ` for ${c.targets.map(describeTarget).join(', ')}` : '';
    if (c.given) out.push(`- Confirmation (${c.level})${targets}: given by ${c.given.by} at ${c.given.at}${c.given.typed !== undefined ? `, typed ${code(c.given.typed)}` : ''}`);
    else if (c.refused) out.push(`- Confirmation (${c.level})${targets}: refused by ${c.refused.by} at ${c.refused.at}${c.refused.reason ? `: ${cell(c.refused.reason)}` : ''}`);
    else out.push(`- Confirmation (${c.level})${targets}: requested at ${c.requestedAt ?? '?'}, never answered`);
  }
  for (const t of step.checklist) out.push(`- Checklist item ${t.item + 1} ticked by ${t.by} at ${t.at}`);
  for (const command of step.commands) {
    out.push(
      '',
      `### Command ${command.commandIndex + 1} on ${describeTarget(command.target)}${command.target.fingerprint ? ` (host key ${command.target.fingerprint})` : ''}`,
      '',
      fence(command.command, 'sh'),
      '',
      `- Started ${command.startedAt}${command.finishedAt ? `, finished ${command.finishedAt}` : ''}; duration ${formatDuration(command.durationMs)}`,
      `- Outcome: **${command.finishedAt ? command.outcome : 'unknown (no finish recorded)'}**${command.exitCode !== null ? `, exit ${command.exitCode}` : ''}${command.signal ? `, signal ${command.signal}` : ''}${command.message ? `: ${cell(command.message)}` : ''}`,
    );
    out.push('', command.output ? fence(command.output, 'text') : '_(no output)_');
  }
  out.push(...expressions('Checks', step.checks), '');
  return out;
}

/** `RedisReplicationBroken` since <startsAt> (fingerprint …), labels `k=v`, … */
function alertCell(alert: AlertOrigin): string {
  const labels = Object.entries(alert.labels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => code(`${k}=${v}`))
    .join(', ');
  return `${code(alert.name)} firing since ${cell(alert.startsAt)} (fingerprint ${code(alert.fingerprint)})${labels ? `; labels ${labels}` : ''}`;
}

export function toMarkdown(timeline: Timeline, context: MarkdownContext): string {
  const run = timeline.run;
  const end = timeline.finished ?? (timeline.aborted ? { at: timeline.aborted.at, outcome: `aborted: ${timeline.aborted.reason}` } : undefined);
  const rows: [string, string][] = [
    ['Run', run ? `${code(run.runId)} of runbook ${code(run.runbookId)}` : '(no run-started record)'],
    ['Operator', run?.operator ?? '?'],
    ['hatui', run?.hatuiVersion ?? '?'],
    ['Environment', run?.environment ?? '?'],
    ['Runbook', run ? `${code(run.runbookPath)} (sha256 ${code(run.runbookSha256)})` : '?'],
    ['Inventory sha256', run?.inventorySha256 ? code(run.inventorySha256) : '—'],
    ['Ticket', run?.ticket ? cell(run.ticket) : '—'],
    ['Opened from alert', run?.alert ? alertCell(run.alert) : '—'],
    ['Variables', run && Object.keys(run.vars).length ? Object.entries(run.vars).map(([k, v]) => code(`${k}=${v}`)).join(', ') : '—'],
    ['Dry run', run ? String(run.dryRun) : '?'],
    ['Started', timeline.startedAt ?? '—'],
    ['Ended', end ? `${end.at}: **${cell(end.outcome)}**` : `not finished (log ends ${timeline.endedAt ?? '—'})`],
    ['Duration', formatDuration(durationBetween(timeline.startedAt, timeline.endedAt))],
    ['Resumed', timeline.resumes.length ? timeline.resumes.map((r) => `${r.at} by ${r.operator}${r.tornTail ? ' (torn line kept)' : ''}`).join('; ') : '—'],
    ['Audit log', code(context.logPath)],
    ['Head', context.head ? code(context.head) : '—'],
    ['Verify', context.verdict ? cell(context.verdict) : '—'],
  ];
  const lines: string[] = [
    `# Postmortem: ${run ? cell(run.runbookId) : 'hatui run'}${run?.ticket ? ` (${cell(run.ticket)})` : ''}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Timeline (UTC)',
    '',
    '| Time | Step | What happened |',
    '| --- | --- | --- |',
    ...timeline.items.map((i) => `| ${i.at} | ${i.stepId ? code(i.stepId) : ''} | ${cell(i.text)} |`),
    '',
  ];
  for (const step of timeline.steps) lines.push(...stepSection(step));
  for (const d of timeline.decisions) lines.push(`- Resume decision for ${code(d.stepId)}: **${d.decision}** by ${d.by} at ${d.at}`);
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
