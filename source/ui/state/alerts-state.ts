// The alerts panel's selection on the home screen, as a pure reducer: Tab moves the focus between the
// runbook list and the alerts, up/down pick an alert, Enter opens its runbook (App resolves it).
import type { Alert, AlertsState } from '../../core/alerts.js';
import { actionFor } from '../keymap.js';

export interface AlertsUi {
  focused: boolean;
  selected: number;
}

export const initialAlertsUi: AlertsUi = { focused: false, selected: 0 };

export type AlertsEffect = { kind: 'open-alert'; alert: Alert };

/** Handles the key when it concerns the alerts (`handled: false` leaves it to the runbook list). */
export function reduceAlerts(ui: AlertsUi, name: string, alerts: AlertsState | undefined): { ui: AlertsUi; handled: boolean; effect?: AlertsEffect } {
  const list = alerts?.alerts ?? [];
  const selected = Math.min(ui.selected, Math.max(0, list.length - 1));
  if (actionFor('home', name) === 'focus-alerts') {
    if (!alerts) return { ui, handled: false };
    return { ui: { focused: !ui.focused && list.length > 0, selected }, handled: true };
  }
  if (!ui.focused) return { ui, handled: false };
  switch (actionFor('home', name)) {
    case 'up':
      return { ui: { ...ui, selected: Math.max(0, selected - 1) }, handled: true };
    case 'down':
      return { ui: { ...ui, selected: Math.min(Math.max(0, list.length - 1), selected + 1) }, handled: true };
    case 'open': {
      const alert = list[selected];
      return alert ? { ui: { ...ui, selected }, handled: true, effect: { kind: 'open-alert', alert } } : { ui: { focused: false, selected: 0 }, handled: true };
    }
    case 'back':
      return { ui: { ...ui, focused: false }, handled: true };
    default:
      return { ui, handled: false };
  }
}
