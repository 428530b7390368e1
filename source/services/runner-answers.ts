// The answers file: operator decisions for a headless run, decided in advance (YAML, docs/answers-file.md).
//   <step id>: yes                 a yes confirmation
//   <step id>: <text>              a typed confirmation (exactly the expected text)
//   <step id>: { checklist: all }  tick every manual checklist item
//   <step id>: { override: <text> }             override a blocked pre-flight (typed)
//   <step id>: { resume: retry|skip|recheck|abort }  decide an unknown step or an on-fail=ask failure
// Several at once: `<step id>: { confirm: <text>, checklist: all }`. A question without an answer is
// `missing`, which stops the run with exit 3 before anything of that step runs. A resume answer is
// used once per step, so a decision that does not resolve the step is not repeated forever.
import { parseDocument } from 'yaml';
import type { ResumeDecision } from '../core/engine/state.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';
import type { Decider, DeciderAnswer } from './runner-deps.js';

export interface StepAnswers {
  confirm?: string;
  checklist?: 'all' | number[];
  override?: string;
  resume?: ResumeDecision;
}

const RESUME = new Set(['retry', 'skip', 'recheck', 'abort']);
const KEYS = new Set(['confirm', 'checklist', 'override', 'resume']);

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === true) return 'yes';
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Parses answers-file text; every problem is `path:line:col: message` in one HatuiError (exit 2). */
export function parseAnswers(text: string, path: string): Record<string, StepAnswers> {
  const doc = parseDocument(text, { prettyErrors: false });
  const problems: string[] = [];
  const where = (offset: number | undefined) => {
    if (offset === undefined) return path;
    const before = text.slice(0, offset).split('\n');
    return `${path}:${before.length}:${before[before.length - 1]!.length + 1}`;
  };
  for (const e of doc.errors) problems.push(`${where(e.pos[0])}: ${e.message.split('\n')[0]}`);
  const data: unknown = problems.length ? undefined : doc.toJSON();
  const answers: Record<string, StepAnswers> = {};
  if (!problems.length && data !== null && data !== undefined) {
    if (typeof data !== 'object' || Array.isArray(data)) problems.push(`${path}:1:1: expected a mapping of step id → answer`);
    else {
      for (const [stepId, value] of Object.entries(data as Record<string, unknown>)) {
        const s = scalar(value);
        if (s !== undefined) {
          answers[stepId] = { confirm: s };
          continue;
        }
        const at = where((doc.contents as { items?: { key: { value: unknown; range?: number[] } }[] }).items?.find((i) => i.key.value === stepId)?.key.range?.[0]);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push(`${at}: answer for '${stepId}' must be yes, the typed text, or a mapping with ${[...KEYS].join('/')}`);
          continue;
        }
        const entry: StepAnswers = {};
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
          if (!KEYS.has(key)) problems.push(`${at}: '${stepId}': unknown key '${key}' (allowed: ${[...KEYS].join(', ')})`);
          else if (key === 'confirm' || key === 'override') {
            const t = scalar(v);
            if (t === undefined) problems.push(`${at}: '${stepId}.${key}' must be text`);
            else entry[key] = t;
          } else if (key === 'checklist') {
            if (v === 'all') entry.checklist = 'all';
            else if (Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= 1)) entry.checklist = v.map((n: number) => n - 1);
            else problems.push(`${at}: '${stepId}.checklist' must be 'all' or a list of item numbers (1-based)`);
          } else if (typeof v === 'string' && RESUME.has(v)) entry.resume = v as ResumeDecision;
          else problems.push(`${at}: '${stepId}.resume' must be one of retry, skip, recheck, abort`);
        }
        answers[stepId] = entry;
      }
    }
  }
  if (problems.length) throw new HatuiError(problems.join('\n'), ExitCode.usage);
  return answers;
}

const missing = { kind: 'missing' } as const;
const answer = <T>(value: T): DeciderAnswer<T> => ({ kind: 'answer', value });

export function answersDecider(answers: Record<string, StepAnswers>, operator: string): Decider {
  const usedResume = new Set<string>();
  const get = (stepId: string) => (Object.hasOwn(answers, stepId) ? answers[stepId] : undefined);
  return {
    operator,
    async confirm({ step }) {
      const text = get(step.id)?.confirm;
      return text === undefined ? missing : answer(text);
    },
    async checklist({ step, items }) {
      const c = get(step.id)?.checklist;
      if (c === undefined) return missing;
      return answer(c === 'all' ? items : c.filter((i) => items.includes(i)));
    },
    async preflightOverride({ step }) {
      const text = get(step.id)?.override;
      return text === undefined ? missing : answer(text);
    },
    async resume({ step }) {
      const d = get(step.id)?.resume;
      if (d === undefined || usedResume.has(step.id)) return missing;
      usedResume.add(step.id);
      return answer(d);
    },
  };
}

/** A decider with no answers at all: every question stops the run (exit 3). */
export function noAnswers(operator: string): Decider {
  return answersDecider({}, operator);
}
