import { Box, Text } from 'ink';
import type { ExpressionResult } from '../../core/engine/events.js';
import { makeTheme } from '../theme.js';

/** The texts one result is drawn with (the confirmation box counts their rows). */
export function expressionTexts(label: string, r: ExpressionResult): { head: string; source: string; values: string | null } {
  const values = Object.entries(r.values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  return {
    head: r.result ? `✓ ${label} ok  ` : `✗ ${label} FAILED  `,
    source: r.source,
    values: values || r.error ? `  ${values ? `values: ${values}` : ''}${r.error ? `  (${r.error})` : ''}` : null,
  };
}

/** Pre-flight or check results, each with the values it was evaluated on (wrapped, never cut). */
export function ExpressionResults({ label, results }: { label: string; results: readonly ExpressionResult[] }) {
  const theme = makeTheme();
  return (
    <>
      {results.map((r, i) => {
        const t = expressionTexts(label, r);
        return (
          <Box key={i} flexDirection="column" flexShrink={0}>
            <Text>
              <Text color={theme.color(r.result ? 'green' : 'red')}>{t.head}</Text>
              {t.source}
            </Text>
            {t.values ? <Text color={theme.color('gray')}>{t.values}</Text> : null}
          </Box>
        );
      })}
    </>
  );
}
