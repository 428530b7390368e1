import { Box } from 'ink';
import type { ClusterSnapshot } from '../../core/cluster-state.js';
import { panelLines } from '../panel-lines.js';
import { SegmentLine } from './segments.js';

/** Every cluster of the inventory, in inventory order; kinds without a probe say so. */
export function ClusterPanels({ snapshot, only, maxLines }: { snapshot: ClusterSnapshot; only?: readonly string[]; maxLines?: number }) {
  const names = Object.keys(snapshot.clusters).filter((n) => !only || only.length === 0 || only.includes(n));
  const lines = names.flatMap((n) => panelLines(snapshot.clusters[n]!));
  const shown = maxLines !== undefined ? lines.slice(0, maxLines) : lines;
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => (
        <SegmentLine key={i} line={line} />
      ))}
    </Box>
  );
}
