// Interprets attribute blocks on step headings and `sh` fences: allowed keys, enums, durations, bounds.
import { parseDuration } from '../duration.js';
import { ID_PATTERN, NAME_PATTERN, type AttributeBlock } from './attributes.js';
import type { ConfirmLevel, OnFail, SourcePosition } from './model.js';
import { problem, type Problem } from './problem.js';

export const STEP_KEYS = ['confirm', 'on-fail', 'when', 'retries', 'timeout', 'changes', 'confirm-text'] as const;
export const COMMAND_KEYS = ['host', 'user', 'timeout', 'capture', 'expect-exit'] as const;
export const CONFIRM_LEVELS: readonly ConfirmLevel[] = ['none', 'yes', 'typed'];
/** Upper bound for `retries=`: a retry loop always ends. */
export const MAX_RETRIES = 10;

export interface StepAttributes {
  id?: string;
  confirm?: ConfirmLevel;
  confirmText?: string;
  changes?: string;
  onFail?: OnFail;
  when?: { source: string; position: SourcePosition };
  retries?: number;
  timeoutMs?: number;
  positions: Record<string, SourcePosition>;
}

export interface CommandAttributes {
  host?: string;
  user?: string;
  timeoutMs?: number;
  capture?: string;
  expectExit?: number;
}

type Pos = (offset: number) => SourcePosition;

export function readStepAttributes(block: AttributeBlock, pos: Pos, path: string, problems: Problem[]): StepAttributes {
  const out: StepAttributes = { positions: {} };
  if (block.id) {
    const id = block.id.value;
    out.positions['#id'] = pos(block.id.offset);
    if (!ID_PATTERN.test(id)) problems.push(problem(path, pos(block.id.offset), `bad step id '#${id}' (letters, digits, - and _; starts with a letter or digit)`));
    else out.id = id;
  }
  for (const a of uniqueAttributes(block, pos, path, problems)) {
    const at = pos(a.valueOffset);
    out.positions[a.key] = pos(a.offset);
    switch (a.key) {
      case 'confirm':
        if ((CONFIRM_LEVELS as readonly string[]).includes(a.value)) out.confirm = a.value as ConfirmLevel;
        else problems.push(problem(path, at, `bad value '${a.value}' for confirm (allowed: ${CONFIRM_LEVELS.join(', ')})`));
        break;
      case 'on-fail':
        if (a.value === 'rollback' || a.value === 'abort' || a.value === 'ask') out.onFail = { kind: a.value };
        else if (ID_PATTERN.test(a.value)) out.onFail = { kind: 'step', stepId: a.value };
        else problems.push(problem(path, at, `bad value '${a.value}' for on-fail (allowed: rollback, abort, ask or a step id)`));
        break;
      case 'when':
        if (a.value.trim() === '') problems.push(problem(path, at, 'empty when= (give a CEL expression)'));
        else out.when = { source: a.value, position: at };
        break;
      case 'retries':
        if (/^\d+$/.test(a.value) && Number(a.value) <= MAX_RETRIES) out.retries = Number(a.value);
        else problems.push(problem(path, at, `retries loop with no bound: retries must be a whole number from 0 to ${MAX_RETRIES}, not '${a.value}'`));
        break;
      case 'timeout':
        out.timeoutMs = positiveDuration(a.value, 'timeout', at, path, problems);
        break;
      case 'changes':
        if (a.value === '') problems.push(problem(path, at, 'empty changes= (give the cluster this step changes)'));
        else out.changes = a.value;
        break;
      case 'confirm-text':
        if (a.value === '') problems.push(problem(path, at, 'empty confirm-text='));
        else out.confirmText = a.value;
        break;
      default:
        problems.push(problem(path, pos(a.offset), `unknown step attribute '${a.key}' (allowed: #id, ${STEP_KEYS.join(', ')})`));
    }
  }
  if (out.changes !== undefined && out.confirm !== undefined && out.confirm !== 'typed') {
    problems.push(problem(path, out.positions.confirm!, `confirm=${out.confirm} on a step with changes=${out.changes}: a step that changes a cluster needs confirm=typed`));
  }
  if (out.confirmText !== undefined && out.changes === undefined && out.confirm !== 'typed') {
    problems.push(problem(path, out.positions['confirm-text']!, 'confirm-text= needs confirm=typed (or changes=<cluster>)'));
  }
  return out;
}

export function readCommandAttributes(block: AttributeBlock, pos: Pos, path: string, problems: Problem[]): CommandAttributes {
  const out: CommandAttributes = {};
  if (block.id) problems.push(problem(path, pos(block.id.offset), `a command block takes no #id (allowed: ${COMMAND_KEYS.join(', ')})`));
  for (const a of uniqueAttributes(block, pos, path, problems)) {
    const at = pos(a.valueOffset);
    switch (a.key) {
      case 'host':
        if (a.value.trim() === '') problems.push(problem(path, at, 'empty host= (give local, an inventory host or <cluster>.<role>)'));
        else out.host = a.value;
        break;
      case 'user':
        if (a.value.trim() === '') problems.push(problem(path, at, 'empty user='));
        else out.user = a.value;
        break;
      case 'timeout':
        out.timeoutMs = positiveDuration(a.value, 'timeout', at, path, problems);
        break;
      case 'capture':
        if (NAME_PATTERN.test(a.value)) out.capture = a.value;
        else problems.push(problem(path, at, `bad capture name '${a.value}' (letters, digits and _, not starting with a digit)`));
        break;
      case 'expect-exit':
        if (/^\d+$/.test(a.value) && Number(a.value) <= 255) out.expectExit = Number(a.value);
        else problems.push(problem(path, at, `bad value '${a.value}' for expect-exit (a whole number 0-255)`));
        break;
      default:
        problems.push(problem(path, pos(a.offset), `unknown command attribute '${a.key}' (allowed: ${COMMAND_KEYS.join(', ')})`));
    }
  }
  return out;
}

function uniqueAttributes(block: AttributeBlock, pos: Pos, path: string, problems: Problem[]) {
  const seen = new Set<string>();
  return block.attributes.filter((a) => {
    if (seen.has(a.key)) {
      problems.push(problem(path, pos(a.offset), `attribute '${a.key}' given twice`));
      return false;
    }
    seen.add(a.key);
    return true;
  });
}

function positiveDuration(value: string, key: string, at: SourcePosition, path: string, problems: Problem[]): number | undefined {
  const d = parseDuration(value);
  if (!d.ok) {
    problems.push(problem(path, at, `${key}: ${d.error}`));
    return undefined;
  }
  if (d.ms <= 0) {
    problems.push(problem(path, at, `${key} must be more than 0 (no command runs unbounded)`));
    return undefined;
  }
  return d.ms;
}
