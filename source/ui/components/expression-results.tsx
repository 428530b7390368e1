import { Box, Text } from 'ink';
import type { ExpressionResult } from '../../core/engine/events.js';
import { makeTheme } from '../theme.js';

/** Pre-flight or check results, each with the values it was evaluated on (wrapped, never cut). */
export function ExpressionResults({ label, results }: { label: string; results: readonly ExpressionResult[] }) {
  const theme = makeTheme();
  return (
    <>
      {results.map((r, i) => {
        const values = Object.entries(r.values)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ');
        return (
          <Box key={i} flexDirection="column" flexShrink={0}>
            <Text>
              <Text color={theme.color(r.result ? 'green' : 'red')}>{r.result ? `✓ ${label} ok  ` : `✗ ${label} FAILED  `}</Text>
              {r.source}
            </Text>
            {values || r.error ? <Text color={theme.color('gray')}>{`  ${values ? `values: ${values}` : ''}${r.error ? `  (${r.error})` : ''}`}</Text> : null}
          </Box>
        );
      })}
    </>
  );
}
