// The variables form shown before a run starts: each variable, its value and where the value came from;
// the focused one's description under it. Enter starts the run (the steps still ask for their own
// confirmations), Esc goes back and runs nothing. Secrets never show: only that one is set, and from where.
import { Box, Text, useInput } from 'ink';
import { Header } from '../components/header.js';
import { truncate } from '../format.js';
import { hints, keyEvents } from '../keymap.js';
import { problemOf, reduceVars, type VarField, type VarsEffect, type VarsUi } from '../state/vars-state.js';
import { makeTheme } from '../theme.js';
import { useLatestState } from '../use-latest-state.js';

export interface VarsProps {
  environment: string;
  title: string;
  initialUi: VarsUi;
  onEffect?: (effect: VarsEffect) => void;
  width?: number;
  height?: number;
}

/** What the value column shows: secrets as set/unset only, never their text or length. */
export function shownValue(field: VarField): string {
  if (field.secret) return field.value === '' ? '' : '•••• (set)';
  return field.value;
}

function sourceLabel(field: VarField): string {
  switch (field.source) {
    case 'environment':
      return `from ${field.envName}`;
    case 'command line':
      return 'from --var/:open';
    case 'none':
      return 'required';
    default:
      return field.source;
  }
}

export function Vars(props: VarsProps) {
  const width = props.width ?? 80;
  const height = props.height ?? 24;
  const [getUi, setUi] = useLatestState<VarsUi>(props.initialUi);
  const ui = getUi();
  const theme = makeTheme();
  useInput((input, key) => {
    // A pasted value arrives as one chunk: feed it key by key, like the home screen does.
    for (const k of keyEvents(input, key)) {
      const r = reduceVars(getUi(), k.name, k.input);
      setUi(r.ui);
      if (r.effect) {
        props.onEffect?.(r.effect);
        break;
      }
    }
  });
  const nameWidth = Math.min(24, Math.max(8, ...ui.fields.map((f) => f.name.length)) + 2);
  // The value column leaves room for the longest source label (`from HATUI_VAR_<NAME>`).
  const valueWidth = Math.max(12, Math.min(40, width - nameWidth - 36));
  // Rows: header, title, rule, fields (+1 description line), message/footer.
  const room = Math.max(3, height - 5);
  const start = Math.max(0, Math.min(ui.focus - Math.floor((room - 1) / 2), ui.fields.length - (room - 1)));
  const visible = ui.fields.slice(start, start + room - 1);
  const footer = ui.message ?? hints('vars', ['start', 'next-field', 'clear-field', 'back']);
  return (
    <Box flexDirection="column" width={width}>
      <Header environment={props.environment} title={`variables: ${ui.runbookId}`} />
      <Text wrap="truncate-end">{props.title}</Text>
      <Text color={theme.color('gray')} wrap="truncate-end">
        {'── Enter starts the run; every step still asks for the confirmation it needs'}
      </Text>
      {visible.map((field, i) => {
        const index = start + i;
        const isFocused = index === ui.focus;
        const missing = problemOf(field) !== null;
        const value = truncate(shownValue(field), valueWidth - 1) + (isFocused ? '▏' : '');
        return (
          <Box key={field.name} flexDirection="column">
            <Text inverse={isFocused} wrap="truncate-end">
              {isFocused ? '›' : ' '}
              {truncate(field.name, nameWidth - 1).padEnd(nameWidth)}
              {value.padEnd(valueWidth)}
              <Text color={theme.color(missing ? 'red' : 'gray')}>{` ${field.choices ? `${sourceLabel(field)} · ${field.choices.join('|')}` : sourceLabel(field)}`}</Text>
            </Text>
            {isFocused && field.description ? (
              <Text color={theme.color('gray')} wrap="truncate-end">{`   ${field.description}`}</Text>
            ) : null}
          </Box>
        );
      })}
      <Text color={theme.color(ui.message ? 'yellow' : 'gray')} wrap="truncate-end">
        {footer}
      </Text>
    </Box>
  );
}
