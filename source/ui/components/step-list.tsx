import { Box, Text } from 'ink';
import type { RunState } from '../../core/engine/state.js';
import type { Runbook } from '../../core/runbook/model.js';
import { truncate } from '../format.js';
import { makeTheme, statusGlyph } from '../theme.js';

/** Every step with its status (glyph + the status word, readable without colour). */
export function StepList({ runbook, state, viewing, width, height }: { runbook: Runbook; state: RunState; viewing: string | null; width: number; height: number }) {
  const theme = makeTheme();
  const rows = runbook.steps.map((step, i) => {
    const status = state.steps[step.id]?.status ?? 'pending';
    const { glyph, color } = statusGlyph(status);
    const marker = step.id === viewing ? '›' : ' ';
    const label = truncate(`${i + 1}. ${step.title}`, width - 3);
    return { id: step.id, marker, glyph, color, label, status };
  });
  const focus = Math.max(0, rows.findIndex((r) => r.id === viewing));
  const start = Math.max(0, Math.min(focus - Math.floor(height / 2), rows.length - Math.floor(height / 2)));
  const shown = rows.slice(start, start + Math.max(1, Math.floor(height / 2)));
  return (
    <Box flexDirection="column" width={width}>
      {shown.map((r) => (
        <Box key={r.id} flexDirection="column">
          <Text wrap="truncate-end" bold={r.marker === '›'}>
            {r.marker}
            <Text color={theme.color(r.color)}>{r.glyph}</Text> {r.label}
          </Text>
          <Text color={theme.color(r.color)}>{`    ${r.status}`}</Text>
        </Box>
      ))}
    </Box>
  );
}
