import { Box, Text } from 'ink';
import type { RunState } from '../../core/engine/state.js';
import type { Runbook, Step } from '../../core/runbook/model.js';
import { commandPreviews } from '../command-preview.js';
import { makeTheme, statusGlyph } from '../theme.js';
import { ExpressionResults } from './expression-results.js';

/** The shown step: prose, callouts, checklist, commands as they will run, pre-flight and checks. */
export function StepDetail({ runbook, step, state, proseLines }: { runbook: Runbook; step: Step; state: RunState; proseLines: number }) {
  const theme = makeTheme();
  const s = state.steps[step.id];
  const status = s?.status ?? 'pending';
  const { glyph, color } = statusGlyph(status);
  const prose = step.prose.join('\n').split('\n').filter((l) => l.trim() !== '').slice(0, proseLines);
  const ticked = new Set((s?.checklistTicked ?? []).map((t) => t.item));
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text bold wrap="truncate-end">
        {step.title} <Text color={theme.color(color)}>{`${glyph} ${status}`}</Text>
        {s?.message ? <Text color={theme.color('gray')}>{`  ${s.message}`}</Text> : null}
      </Text>
      {step.callouts.map((c, i) => (
        <Text key={`c${i}`} color={theme.color('yellow')} wrap="truncate-end">{`[!${c.kind.toUpperCase()}] ${c.text}`}</Text>
      ))}
      {prose.map((l, i) => (
        <Text key={`p${i}`} wrap="truncate-end">{l}</Text>
      ))}
      {step.checklist.map((item, i) => (
        <Text key={`k${i}`} wrap="truncate-end">{`${ticked.has(i) ? '[x]' : '[ ]'} ${item.text}`}</Text>
      ))}
      {commandPreviews(runbook, step, state, s).map((c) => (
        <Box key={`x${c.index}`} flexDirection="column" flexShrink={0}>
          <Text color={theme.color('gray')} wrap="truncate-end">{`@ ${c.host}${c.resolved ? '' : ' (resolved when the step starts)'} · ${c.status}`}</Text>
          {commandLines(c.command).map((line, i) => (
            <Text key={i} color={theme.color('cyan')} wrap="truncate-end">
              {line}
            </Text>
          ))}
        </Box>
      ))}
      <ExpressionResults label="pre-flight" results={s?.preflight ?? []} />
      <ExpressionResults label="check" results={s?.checks ?? []} />
    </Box>
  );
}

/** A multi-line command as at most 3 lines (`$ ` prefixed), then how many more. */
export function commandLines(command: string, max = 3): string[] {
  const lines = command.split('\n');
  const shown = lines.slice(0, max).map((l, i) => (i === 0 ? `$ ${l}` : `  ${l}`));
  if (lines.length > max) shown.push(`  … (+${lines.length - max} lines)`);
  return shown;
}
