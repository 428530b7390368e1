// T0 from the lab's fault record (<labdir>/events.jsonl): the first crash or freeze in the window.
import { labSettings, readEvents, type LabSettings } from '../lab/index.js';

export function labFaultTime(settings: LabSettings = labSettings(process.env)) {
  return (fromMs: number, toMs: number): number | null => {
    try {
      const hit = readEvents(settings).find((e) => (e.action === 'crash' || e.action === 'freeze') && e.t >= fromMs && e.t <= toMs);
      return hit ? hit.t : null;
    } catch {
      return null;
    }
  };
}
