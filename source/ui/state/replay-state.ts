// Replay navigation as pure functions: the recorded events split into step visits; next/previous,
// jump to a step (number or id) and search the recorded output. Nothing is re-run or re-evaluated.
import type { RunEvent } from '../../core/engine/events.js';
import { actionFor } from '../keymap.js';

export interface StepVisit {
  stepId: string;
  /** Events [from, to) belong to this visit (from = its step-started). */
  from: number;
  to: number;
  output: string;
}

export function stepVisits(events: readonly RunEvent[]): StepVisit[] {
  const visits: StepVisit[] = [];
  events.forEach((e, i) => {
    if (e.type === 'step-started') {
      const last = visits.at(-1);
      if (last) last.to = i;
      visits.push({ stepId: e.stepId, from: i, to: events.length, output: '' });
    } else if (e.type === 'command-output') {
      const last = visits.at(-1);
      if (last) last.output += e.data;
    }
  });
  return visits;
}

export interface ReplayUi {
  visit: number;
  mode: 'normal' | 'search' | 'jump';
  input: string;
  query: string;
  message: string | null;
}
export const initialReplayUi: ReplayUi = { visit: 0, mode: 'normal', input: '', query: '', message: null };

export type ReplayEffect = { kind: 'quit' } | { kind: 'help' };

export function searchVisits(visits: readonly StepVisit[], query: string): number[] {
  const q = query.toLowerCase();
  return q ? visits.flatMap((v, i) => (v.output.toLowerCase().includes(q) ? [i] : [])) : [];
}

export function reduceReplay(ui: ReplayUi, name: string, input: string, visits: readonly StepVisit[], stepOrder: readonly string[]): { ui: ReplayUi; effect?: ReplayEffect } {
  const last = Math.max(0, visits.length - 1);
  if (ui.mode !== 'normal') {
    if (name === 'esc') return { ui: { ...ui, mode: 'normal', input: '' } };
    if (name === 'backspace') return { ui: { ...ui, input: ui.input.slice(0, -1) } };
    if (name === 'enter') {
      if (ui.mode === 'search') return findNext({ ...ui, mode: 'normal', query: ui.input, input: '' }, visits, ui.visit - 1);
      const target = ui.input.trim();
      const n = Number(target);
      let visit = -1;
      if (/^\d+$/.test(target)) {
        const stepId = stepOrder[n - 1];
        visit = visits.findIndex((v) => v.stepId === stepId);
      } else visit = visits.findIndex((v) => v.stepId === target);
      if (visit < 0) return { ui: { ...ui, mode: 'normal', input: '', message: `step ${target || '?'} was never entered in this run` } };
      return { ui: { ...ui, mode: 'normal', input: '', visit, message: null } };
    }
    if (input && !name.startsWith('ctrl+') && ![...input].some((c) => c < ' ')) return { ui: { ...ui, input: ui.input + input } };
    return { ui };
  }
  switch (actionFor('replay', name)) {
    case 'next-step':
    case 'down':
      return { ui: { ...ui, visit: Math.min(last, ui.visit + 1), message: null } };
    case 'prev-step':
    case 'up':
      return { ui: { ...ui, visit: Math.max(0, ui.visit - 1), message: null } };
    case 'jump':
      return { ui: { ...ui, mode: 'jump', input: '', message: null } };
    case 'search':
      return { ui: { ...ui, mode: 'search', input: '', message: null } };
    case 'search-next':
      return findNext(ui, visits, ui.visit);
    case 'help':
      return { ui, effect: { kind: 'help' } };
    case 'back':
    case 'interrupt':
      return { ui, effect: { kind: 'quit' } };
    default:
      return { ui };
  }
}

function findNext(ui: ReplayUi, visits: readonly StepVisit[], after: number): { ui: ReplayUi } {
  const hits = searchVisits(visits, ui.query);
  if (hits.length === 0) return { ui: { ...ui, message: ui.query ? `no output matches "${ui.query}"` : 'no search yet (/)' } };
  const nextHit = hits.find((h) => h > after) ?? hits[0]!;
  return { ui: { ...ui, visit: nextHit, message: `match ${hits.indexOf(nextHit) + 1}/${hits.length} for "${ui.query}"` } };
}
