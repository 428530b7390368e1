import { Box, Text } from 'ink';
import { environmentColor, makeTheme } from '../theme.js';

/** Top line of every screen: the inventory environment first, always visible. */
export function Header({ environment, title, right }: { environment: string; title: string; right?: string }) {
  const theme = makeTheme();
  return (
    <Box>
      <Text bold inverse color={theme.color(environmentColor(environment))}>
        {` ${environment.toUpperCase()} `}
      </Text>
      <Text bold>{` hatui · ${title}`}</Text>
      {right ? <Text color={theme.color('gray')}>{`  ${right}`}</Text> : null}
    </Box>
  );
}
