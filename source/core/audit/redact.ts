// Records are redacted before they are hashed and written: the injected `redact(text)` (the same
// rule the screen uses) is applied to every string value of an event. Keys are left alone.
import type { RunEvent } from '../engine/events.js';

export type Redact = (text: string) => string;

export const noRedaction: Redact = (text) => text;

export function redactEvent(event: RunEvent, redact: Redact): RunEvent {
  if (redact === noRedaction) return event;
  return redactValue(event, redact) as RunEvent;
}

function redactValue(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    // `type` names the event kind: it is never operator data, and redacting it would break the fold.
    for (const [key, item] of Object.entries(value)) out[key] = key === 'type' ? item : redactValue(item, redact);
    return out;
  }
  return value;
}
