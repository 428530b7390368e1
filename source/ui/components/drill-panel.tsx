// The live drill panel: the canary's acknowledged and failed writes per interval as sparklines, the
// clock since the fault, and the marks (leader lost, new leader, first acknowledged write).
// The numbers come from core/drill/live.ts, folded from the same canary log the report analyses.
import React from 'react';
import { Box, Text } from 'ink';
import { humanMs } from '../../core/drill/report.js';
import { sparkline, type LiveDrill } from '../../core/drill/live.js';

export interface DrillPanelProps {
  live: LiveDrill;
  canaryTarget: string;
  width: number;
  /** The drill's latest progress line (steps finished, reading back…). */
  progress?: string;
}

/** Rows the panel takes on screen at most (border, title, two sparklines, interval, three marks). */
export const DRILL_PANEL_ROWS = 10;

/** The panel before the canary writes: what the drill is doing. */
export function DrillStarting({ width, progress, error }: { width: number; progress?: string; error?: string | null }): React.ReactElement {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>drill · {error ? <Text color="red">{`stopped: ${error}`}</Text> : (progress ?? 'starting the canary and the pollers…')}</Text>
    </Box>
  );
}

export function DrillPanel({ live, canaryTarget, width, progress }: DrillPanelProps): React.ReactElement {
  const room = Math.max(10, width - 14);
  const shown = live.intervals.slice(-room);
  const clock = live.sinceFaultMs === null ? 'fault not yet' : `T+${formatClock(live.sinceFaultMs)} since the fault`;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width}>
      <Text bold>
        drill · canary {canaryTarget} · {clock}
      </Text>
      <Text>
        <Text color="green">acked  </Text>
        <Text color="green">{sparkline(shown.map((i) => i.acked))}</Text>
        <Text> {live.acked}</Text>
      </Text>
      <Text>
        <Text color="red">failed </Text>
        <Text color="red">{sparkline(shown.map((i) => i.failed))}</Text>
        <Text> {live.failed}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">
        per {humanMs(live.intervalMs)}
        {progress ? ` · ${progress}` : ''}
      </Text>
      {live.marks.map((m) => (
        <Text key={m.kind}>
          ◆ T+{formatClock(m.sinceFaultMs)} {m.label}
        </Text>
      ))}
    </Box>
  );
}

/** mm:ss.s */
export function formatClock(ms: number): string {
  const totalTenths = Math.floor(ms / 100);
  const minutes = Math.floor(totalTenths / 600);
  const seconds = (totalTenths % 600) / 10;
  return `${String(minutes).padStart(2, '0')}:${seconds.toFixed(1).padStart(4, '0')}`;
}
