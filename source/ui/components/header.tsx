import { Box, Text } from 'ink';
import { environmentColor, makeTheme } from '../theme.js';

/** Top line of every screen: the inventory environment first, always visible. */
export function Header({ environment, title, right }: { environment: string; title: string; right?: string }) {
  const theme = makeTheme();
  return (
    <Box height={1} overflow="hidden">
      <Text bold inverse color={theme.color(environmentColor(environment))}>
        {` ${environment.toUpperCase()} `}
      </Text>
      <Text bold wrap="truncate-end">{` hatui · ${title}`}</Text>
      {right ? (
        <Box flexShrink={1}>
          <Text color={theme.color('gray')} wrap="truncate-end">{`  ${right}`}</Text>
        </Box>
      ) : null}
    </Box>
  );
}
