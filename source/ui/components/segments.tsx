import { Text } from 'ink';
import type { Line } from '../panel-lines.js';
import { makeTheme } from '../theme.js';

/** One panel line: coloured segments (no colour under NO_COLOR), cut at the terminal width. */
export function SegmentLine({ line }: { line: Line }) {
  const theme = makeTheme();
  return (
    <Text wrap="truncate-end">
      {line.map((s, i) => (
        <Text key={i} color={s.tone ? theme.color(s.tone) : undefined} bold={s.bold}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
