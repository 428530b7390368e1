// Acceptance 3: a real hatui child process is SIGKILLed while a step's command runs. The log then
// verifies (or reports only a torn tail), holds the command-started record, `resume` shows the step
// `unknown`; resume with retry finishes ok, skip records an operator skip, and afterwards the whole
// file verifies as one chain (a torn line kept and marked).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { privateBundle, type Bundle } from './bundle.js';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../../source/core/engine/events.js';
import { fold } from '../../source/core/engine/reducer.js';
import { parseRunbook } from '../../source/core/runbook/parse.js';

let bundle: Bundle;
let bin: string;
const runbook = resolve('test/audit/fixtures/sleepy.md');
let state: string;

const env = (extra: Record<string, string> = {}) => ({ ...process.env, XDG_STATE_HOME: state, HATUI_ANCHOR_COMMAND: '', CI: 'true', ...extra });

function hatui(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: env(extra), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts a headless run and SIGKILLs it once the long command has printed its process group. */
async function crashMidCommand(): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'run', runbook, '--headless'], { env: env({ HATUI_TEST_SLEEP: '120' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const pgid = await new Promise<number>((resolvePgid, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no long-started line within 30 s; output so far:\n${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /long-started pgid=(\d+)/.exec(out);
      if (m) {
        clearTimeout(deadline);
        resolvePgid(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`run exited (${code}) before the long command started:\n${out}`)));
  });
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
  process.kill(-pgid, 'SIGKILL'); // the orphaned `sleep` (its own process group, started by the dead run)
  const log = /audit log: (\S+\.jsonl)/.exec(out)?.[1];
  if (!log) throw new Error(`no log path printed:\n${out}`);
  return log;
}

const events = (log: string): RunEvent[] =>
  readFileSync(log, 'utf8').split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line).event as RunEvent];
    } catch {
      return [];
    }
  });

beforeAll(async () => {
  bundle = await privateBundle();
  bin = bundle.bin;
  state = mkdtempSync(join(tmpdir(), 'hatui-crash-'));
});
afterAll(() => {
  rmSync(state, { recursive: true, force: true });
  bundle?.remove();
});

describe('SIGKILL mid-command, then resume', () => {
  it('retry: unknown on resume, finishes ok, one verifying chain with the torn line kept and marked', async () => {
    const log = await crashMidCommand();
    const verified = hatui(['audit', 'verify', log]);
    expect([0, 3]).toContain(verified.code);
    const recorded = events(log);
    expect(recorded).toContainEqual(expect.objectContaining({ type: 'command-started', stepId: 'long' }));
    expect(recorded.some((e) => e.type === 'command-finished' && e.stepId === 'long')).toBe(false);

    // SIGKILL cannot tear one write(2); a power cut can: add the torn fragment such a cut leaves.
    appendFileSync(log, '{"at":"2026-11-25T20:00:00.000Z","event":{"commandIn');
    const torn = hatui(['audit', 'verify', log]);
    expect(torn.code).toBe(3);
    expect(torn.out).toContain('torn last line');

    const undecided = hatui(['resume', log, '--headless']);
    expect(undecided.code).toBe(3);
    expect(undecided.out).toMatch(/long: unknown/);
    expect(undecided.err + undecided.out).toMatch(/long/);

    const answers = join(state, 'retry.yaml');
    appendFileSync(answers, 'long: { resume: retry }\n');
    const resumed = hatui(['resume', log, '--headless', '--answers', answers], { HATUI_TEST_SLEEP: '0' });
    expect(resumed.code, resumed.out + resumed.err).toBe(0);
    expect(resumed.out).toContain('long-done');
    expect(resumed.out).toMatch(/final head: \d+:[0-9a-f]{64}/);

    const final = hatui(['audit', 'verify', '--json', log]);
    expect(final.code, final.out).toBe(0);
    const report = JSON.parse(final.out);
    expect(report.tornKept).toHaveLength(1);
    const after = events(log);
    expect(after).toContainEqual(expect.objectContaining({ type: 'resume-decision', stepId: 'long', decision: 'retry' }));
    expect(after).toContainEqual(expect.objectContaining({ type: 'run-resumed', tornTail: true }));
    expect(after.at(-1)).toMatchObject({ type: 'run-finished', outcome: 'ok' });
  });

  it('skip (with an allowed changed runbook): records the operator skip and the run goes on; the file verifies', async () => {
    const log = await crashMidCommand();
    const answers = join(state, 'skip.yaml');
    appendFileSync(answers, 'long: { resume: skip }\n');
    // The runbook was edited since the crash: refused, unless the operator allows it (recorded).
    const edited = join(state, 'sleepy-edited.md');
    writeFileSync(edited, readFileSync(runbook, 'utf8') + '\nEdited after the crash.\n');
    const refused = hatui(['resume', log, '--headless', '--answers', answers, '--runbook', edited]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/the runbook changed since the run started/);
    const resumed = hatui(['resume', log, '--headless', '--answers', answers, '--runbook', edited, '--allow-changed-runbook']);
    expect(resumed.code, resumed.out + resumed.err).toBe(0);
    expect(resumed.out).not.toContain('long-done');
    expect(events(log)).toContainEqual(expect.objectContaining({ type: 'note', text: expect.stringMatching(/resumed with a changed runbook .*--allow-changed-runbook/) }));
    expect(resumed.out).toContain('after');
    const after = events(log);
    expect(after).toContainEqual(expect.objectContaining({ type: 'resume-decision', stepId: 'long', decision: 'skip' }));
    const folded = fold(parseRunbook(readFileSync(runbook, 'utf8'), runbook).runbook!, after);
    expect(folded.steps.long!.status).toBe('skipped');
    expect(folded.steps.long!.decisions).toMatchObject([{ decision: 'skip' }]);
    expect(folded.steps.after!.status).toBe('ok');
    expect(hatui(['audit', 'verify', log]).code).toBe(0);
  });

  it('on a terminal, resume asks for the decision and records the typed answer (tmux)', async () => {
    const log = await crashMidCommand();
    const socket = `hatui-audit-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const done = join(state, 'tty-exit');
    const command = `env -u CI XDG_STATE_HOME='${state}' HATUI_ANCHOR_COMMAND= HATUI_TEST_SLEEP=0 '${process.execPath}' '${bin}' resume '${log}'; echo $? > '${done}'; sleep 60`;
    expect(tmux('new-session', '-d', '-x', '80', '-y', '24', command).status).toBe(0);
    try {
      const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200').stdout;
      const waitScreen = async (pattern: RegExp, what: string) => {
        const deadline = Date.now() + 30_000;
        while (!pattern.test(screen())) {
          if (Date.now() > deadline) throw new Error(`no ${what} on the terminal within 30 s:\n${screen()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await waitScreen(/step long is unknown.*Decide retry\|skip\|recheck\|abort:/s, 'decision prompt');
      tmux('send-keys', 'maybe', 'Enter'); // not an option: asked again
      tmux('send-keys', 'retry', 'Enter');
      await waitScreen(/run finished: ok/, 'finished run');
      const deadline = Date.now() + 10_000;
      while (!existsSync(done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(done, 'utf8').trim()).toBe('0');
    } finally {
      tmux('kill-server');
    }
    expect(events(log)).toContainEqual(expect.objectContaining({ type: 'resume-decision', stepId: 'long', decision: 'retry' }));
    expect(hatui(['audit', 'verify', log]).code).toBe(0);
  });
});
