// vitest globalSetup for the `lab` project: brings one test lab up before the first lab test file and
// down after the last. It never skips: without root or the Debian packages it fails with the reason.
// The test lab has its own port base and directory (HATUI_TEST_LAB_PORT_BASE, default 56000;
// HATUI_TEST_LAB_DIR, default /tmp/hatui-test-lab), so a demo or dev lab (HATUI_LAB_*) is never touched.
// HATUI_TEST_LAB_KEEP=1 leaves it running afterwards (the next run then finds it up in well under a second).
// Two test runs at once share the lab: each registers its pid, and only the last one out takes it down
// (lab up/down themselves are serialized by the lab lock).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { TestProject } from 'vitest/node';
import { labDown, labSettings, labUp, type LabSettings } from '../../source/lab/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    hatuiLab: LabSettings;
  }
}

export const TEST_LAB_PORT_BASE = '56000';
export const TEST_LAB_DIR = '/tmp/hatui-test-lab';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = {
    ...process.env,
    HATUI_LAB_PORT_BASE: process.env.HATUI_TEST_LAB_PORT_BASE ?? TEST_LAB_PORT_BASE,
    HATUI_LAB_DIR: process.env.HATUI_TEST_LAB_DIR ?? TEST_LAB_DIR,
  };
  const settings = labSettings(env);
  // Workers and the CLI children tests spawn see the same lab.
  process.env.HATUI_LAB_PORT_BASE = String(settings.portBase);
  process.env.HATUI_LAB_DIR = settings.dir;
  project.provide('hatuiLab', settings);
  const log = (line: string) => process.stderr.write(`[test lab] ${line}\n`);
  const users = `${tmpdir()}/hatui-test-lab-users-${settings.portBase}`;
  mkdirSync(users, { recursive: true });
  writeFileSync(`${users}/${process.pid}`, settings.dir);
  try {
    const result = await labUp(settings, undefined, { log: process.env.HATUI_TEST_LAB_VERBOSE ? log : undefined });
    log(`${result.started.length ? `up in ${(result.durationMs / 1000).toFixed(1)} s` : 'already up'} (${settings.dir}, ports ${settings.portBase}+)`);
  } catch (error) {
    throw new Error(`the test lab could not start (${settings.dir}, ports ${settings.portBase}+): ${(error as Error).message}`);
  }
  return async () => {
    rmSync(`${users}/${process.pid}`, { force: true });
    if (process.env.HATUI_TEST_LAB_KEEP) {
      log(`left running (HATUI_TEST_LAB_KEEP): ${settings.dir}`);
      return;
    }
    const others = readdirSync(users).map(Number).filter((pid) => pid !== process.pid && alive(pid));
    if (others.length) {
      log(`left running: still used by test run pid ${others.join(', ')}`);
      return;
    }
    await labDown(settings);
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
