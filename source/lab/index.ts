// The lab's public API: install, up, status, down and the faults drills and tests inject.
export * from './settings.js';
export * from './types.js';
import type { LabNode, LabPart, LabSettings } from './settings.js';
import type { LabFault, LabLagResult, LabStatus, LabUpOptions, LabUpResult, LabLog } from './types.js';
import { ExitCode, HatuiError } from '../core/exit-codes.js';

const todo = (what: string) => new HatuiError(`lab ${what}: not implemented yet`, ExitCode.failed);

export async function labInstall(_opts: { log?: LabLog } = {}): Promise<{ ran: string[]; alreadyInstalled: boolean }> {
  throw todo('install');
}
export async function labUp(_settings: LabSettings, _parts?: LabPart[], _opts: LabUpOptions = {}): Promise<LabUpResult> {
  throw todo('up');
}
export async function labStatus(_settings: LabSettings): Promise<LabStatus> {
  throw todo('status');
}
export async function labDown(_settings: LabSettings, _opts: { keepData?: boolean; log?: LabLog } = {}): Promise<{ stopped: LabNode[] }> {
  throw todo('down');
}
export async function labCrash(_settings: LabSettings, _node: LabNode): Promise<LabFault> {
  throw todo('crash');
}
export async function labRestart(_settings: LabSettings, _node: LabNode): Promise<LabFault> {
  throw todo('restart');
}
export async function labFreeze(_settings: LabSettings, _node: LabNode): Promise<LabFault> {
  throw todo('freeze');
}
export async function labThaw(_settings: LabSettings, _node: LabNode): Promise<LabFault> {
  throw todo('thaw');
}
export async function labLag(_settings: LabSettings, _node: LabNode, _ms: number): Promise<LabLagResult> {
  throw todo('lag');
}
