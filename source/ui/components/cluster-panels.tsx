import { Box } from 'ink';
import type { ClusterSnapshot } from '../../core/cluster-state.js';
import { panelLines } from '../panel-lines.js';
import { SegmentLine } from './segments.js';

/** Every cluster of the inventory, in inventory order; kinds without a probe say so. */
export function ClusterPanels({ snapshot, only, maxLines }: { snapshot: ClusterSnapshot; only?: readonly string[]; maxLines?: number }) {
  const names = Object.keys(snapshot.clusters).filter((n) => !only || only.length === 0 || only.includes(n));
  const shown = fitPanels(names.map((n) => panelLines(snapshot.clusters[n]!)), maxLines);
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => (
        <SegmentLine key={i} line={line} />
      ))}
    </Box>
  );
}

/**
 * Every cluster's lines within `maxLines`: when they do not all fit, each cluster keeps its head line
 * (who leads, quorum, STALE) before any cluster's detail lines are shown, so no cluster disappears.
 */
export function fitPanels<L>(panels: readonly (readonly L[])[], maxLines: number | undefined): L[] {
  const total = panels.reduce((n, p) => n + p.length, 0);
  if (maxLines === undefined || total <= maxLines) return panels.flat();
  let budget = maxLines - panels.filter((p) => p.length > 0).length;
  if (budget < 0) return panels.flatMap((p) => p.slice(0, 1)).slice(0, maxLines);
  return panels.flatMap((p) => {
    const more = Math.min(budget, Math.max(0, p.length - 1));
    budget -= more;
    return p.slice(0, 1 + more);
  });
}
