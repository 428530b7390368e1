import { Box, Text } from 'ink';
import type { OutputBuffer } from '../output-buffer.js';
import { makeTheme } from '../theme.js';
import { useBufferVersion } from '../use-buffer.js';

/** A window of `height` lines over the ring buffer: one Text element, not one per line. */
export function OutputView({ buffer, height, scroll, width }: { buffer: OutputBuffer; height: number; scroll: number; width: number }) {
  useBufferVersion(buffer);
  const theme = makeTheme();
  const lines = buffer.window(Math.max(1, height), scroll).map((l) => (l.length > width ? `${l.slice(0, Math.max(0, width - 1))}…` : l));
  const status = buffer.total === 0 ? 'no output yet' : scroll > 0 ? `${buffer.total} lines · scrolled ${scroll} up (f follows)` : `${buffer.total} lines`;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text color={theme.color('gray')}>{`── output · ${status}`}</Text>
      <Text>{lines.join('\n')}</Text>
    </Box>
  );
}
