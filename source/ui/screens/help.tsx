// Help: the key-binding table, read from keymap.ts (the same table the tests check).
import { Box, Text, useInput } from 'ink';
import { Header } from '../components/header.js';
import { actionFor, bindingsFor, keyName, type ScreenName } from '../keymap.js';
import { makeTheme } from '../theme.js';

export function Help({ environment, screen, onBack }: { environment: string; screen: ScreenName; onBack?: () => void }) {
  const theme = makeTheme();
  useInput((input, key) => {
    const action = actionFor('help', keyName(input, key));
    if (action === 'back' || action === 'interrupt') onBack?.();
  });
  return (
    <Box flexDirection="column">
      <Header environment={environment} title={`keys: ${screen}`} />
      {bindingsFor(screen).map((b) => (
        <Text key={b.action} wrap="truncate-end">
          <Text color={theme.color('cyan')}>{b.keys.join(' / ').padEnd(16)}</Text>
          {b.description}
        </Text>
      ))}
      <Text color={theme.color('gray')}>q/esc back</Text>
    </Box>
  );
}
