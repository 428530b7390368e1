// The `audit.anchorCommand` setting (conf, project `hatui`) and the environment variable that overrides it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Conf from 'conf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAnchorCommand, settingsFile } from '../../source/adapters/audit-file/anchor-command.js';

let dir = '';
let saved: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hatui-anchor-setting-'));
  saved = process.env.XDG_CONFIG_HOME;
  process.env.XDG_CONFIG_HOME = dir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('anchor command setting', () => {
  it('is read from the file conf itself uses, and is none when that file does not exist', async () => {
    expect(settingsFile()).toBe(new Conf({ projectName: 'hatui' }).path);
    expect(settingsFile()).toBe(join(dir, 'hatui-nodejs', 'config.json'));
    expect(await resolveAnchorCommand({})).toBeNull();
    mkdirSync(dirname(settingsFile()), { recursive: true });
    writeFileSync(settingsFile(), JSON.stringify({ audit: { anchorCommand: 'logger -t hatui "$HATUI_ANCHOR_HEAD"' } }));
    expect(await resolveAnchorCommand({})).toBe('logger -t hatui "$HATUI_ANCHOR_HEAD"');
    // the environment wins; empty turns a configured one off
    expect(await resolveAnchorCommand({ HATUI_ANCHOR_COMMAND: 'true' })).toBe('true');
    expect(await resolveAnchorCommand({ HATUI_ANCHOR_COMMAND: '' })).toBeNull();
  });
});
