// <dir>/events.jsonl: one line per lab action with its time, so drills can measure from the fault (T0).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { labPaths, type LabSettings } from './settings.js';
import type { LabEvent } from './types.js';

export function recordEvent(settings: LabSettings, event: Omit<LabEvent, 't' | 'iso'>, t = Date.now()): LabEvent {
  const full: LabEvent = { t, iso: new Date(t).toISOString(), ...event };
  const path = labPaths(settings).events;
  if (existsSync(labPaths(settings).dir)) appendFileSync(path, JSON.stringify(full) + '\n');
  return full;
}

export function readEvents(settings: LabSettings): LabEvent[] {
  const path = labPaths(settings).events;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LabEvent);
}
