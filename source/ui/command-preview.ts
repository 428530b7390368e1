// The command exactly as it will run: from the `command-started` record when it ran, otherwise the
// template rendered with the run's variables and captures (values shell-quoted, secrets as env refs).
import type { RunState, StepState } from '../core/engine/state.js';
import type { Runbook, Step } from '../core/runbook/model.js';
import { renderCommand } from '../core/runbook/template.js';

export interface CommandPreview {
  index: number;
  command: string;
  /** `pg2 (127.0.0.1:2222)` once resolved; the selector (`pg.leader`) before. */
  host: string;
  resolved: boolean;
  status: string;
}

export function commandPreviews(runbook: Runbook, step: Step, state: RunState, stepState: StepState | undefined): CommandPreview[] {
  const secretNames = Object.entries(runbook.vars)
    .filter(([, v]) => v.secret)
    .map(([k]) => k);
  const requested = stepState?.confirmationRequest?.targets ?? [];
  return step.commands.map((block) => {
    const ran = stepState?.commands.filter((c) => c.commandIndex === block.index).at(-1);
    if (ran) {
      return { index: block.index, command: ran.command, host: `${ran.target.host}${ran.target.address ? ` (${ran.target.address})` : ''}`, resolved: true, status: ran.status };
    }
    let command = block.template;
    try {
      command = renderCommand(block.template, { vars: state.run?.vars ?? defaults(runbook), captures: state.captures, secretNames }).command;
    } catch {
      // Not renderable yet (a capture of a later step): show the template as written.
    }
    const target = requested.find((t) => t.selector === block.host);
    return {
      index: block.index,
      command,
      host: target ? `${target.host}${target.address ? ` (${target.address})` : ''}` : block.host,
      resolved: target !== undefined || block.host === 'local',
      status: 'pending',
    };
  });
}

function defaults(runbook: Runbook): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(runbook.vars)) if (v.default !== undefined) out[k] = v.default;
  return out;
}
