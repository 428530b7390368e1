// Walkthrough view state (which step is shown, output scroll, the Ctrl-C ladder) as a pure reducer.
// Run state itself comes from the engine's reducer; this only holds what the operator is looking at.
import { actionFor } from '../keymap.js';

export interface WalkthroughUi {
  /** Step shown on the right; null follows the engine's current step. */
  viewing: string | null;
  /** Output lines scrolled up from the tail (0 = following). */
  scroll: number;
  /** Ctrl-C pressed once: the next Ctrl-C cancels the running command. */
  interruptArmed: boolean;
}

export type WalkthroughEffect =
  | { kind: 'cancel-command' }
  | { kind: 'abort-run' }
  | { kind: 'back' }
  | { kind: 'help' }
  | { kind: 'tick' };

export const initialWalkthroughUi: WalkthroughUi = { viewing: null, scroll: 0, interruptArmed: false };

export interface WalkthroughContext {
  stepIds: readonly string[];
  current: string | null;
  /** A command is running now (Ctrl-C twice cancels it). */
  commandRunning: boolean;
  /** The run has ended (q goes back freely). */
  finished: boolean;
  page: number;
}

export function reduceWalkthrough(ui: WalkthroughUi, name: string, ctx: WalkthroughContext): { ui: WalkthroughUi; effect?: WalkthroughEffect } {
  const action = actionFor('walkthrough', name);
  if (action === 'interrupt') {
    if (!ui.interruptArmed) return { ui: { ...ui, interruptArmed: true } };
    return { ui: { ...ui, interruptArmed: false }, effect: ctx.commandRunning ? { kind: 'cancel-command' } : ctx.finished ? { kind: 'back' } : { kind: 'abort-run' } };
  }
  const disarmed = ui.interruptArmed ? { ...ui, interruptArmed: false } : ui;
  const shown = ui.viewing ?? ctx.current;
  const index = shown ? ctx.stepIds.indexOf(shown) : -1;
  switch (action) {
    case 'up':
      return { ui: { ...disarmed, viewing: ctx.stepIds[Math.max(0, index - 1)] ?? null, scroll: 0 } };
    case 'down': {
      const nextId = ctx.stepIds[Math.min(ctx.stepIds.length - 1, index + 1)] ?? null;
      return { ui: { ...disarmed, viewing: nextId === ctx.current ? null : nextId, scroll: 0 } };
    }
    case 'scroll-up':
      return { ui: { ...disarmed, scroll: disarmed.scroll + ctx.page } };
    case 'scroll-down':
      return { ui: { ...disarmed, scroll: Math.max(0, disarmed.scroll - ctx.page) } };
    case 'follow':
      return { ui: { ...disarmed, viewing: null, scroll: 0 } };
    case 'tick':
      return { ui: disarmed, effect: { kind: 'tick' } };
    case 'help':
      return { ui: disarmed, effect: { kind: 'help' } };
    case 'back':
      if (ui.interruptArmed) return { ui: disarmed };
      return { ui: disarmed, effect: ctx.finished ? { kind: 'back' } : undefined };
    default:
      return { ui: disarmed };
  }
}
