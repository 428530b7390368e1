import { Box, Text } from 'ink';
import type { RunState } from '../../core/engine/state.js';
import type { Runbook, Step } from '../../core/runbook/model.js';
import { commandTextLines } from '../command-lines.js';
import { commandPreviews } from '../command-preview.js';
import { makeTheme, statusGlyph } from '../theme.js';
import { ExpressionResults } from './expression-results.js';

/**
 * The shown step: prose, callouts, checklist, commands as they will run (cut to the width, never
 * shortened; `maxCommandLines` only while the live output needs the room, saying how many more), pre-flight and checks.
 */
export function StepDetail({ runbook, step, state, proseLines, width = 53, maxCommandLines }: { runbook: Runbook; step: Step; state: RunState; proseLines: number; width?: number; maxCommandLines?: number }) {
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
          <Text color={theme.color('gray')}>{`@ ${c.host}${c.resolved ? '' : ' (resolved when the step starts)'} · ${c.status}`}</Text>
          <Text color={theme.color('cyan')}>{shownLines(commandTextLines(c.command, width), maxCommandLines).join('\n')}</Text>
        </Box>
      ))}
      <ExpressionResults label="pre-flight" results={s?.preflight ?? []} />
      <ExpressionResults label="check" results={s?.checks ?? []} />
    </Box>
  );
}

/** At most `max` lines, the last saying how many more there are and where they all show. */
function shownLines(lines: string[], max: number | undefined): string[] {
  if (max === undefined || lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), `  (+${lines.length - max + 1} more lines of this command)`];
}
