// Optional operator-configured anchor command (e.g. `logger -t hatui "$HATUI_ANCHOR_HEAD"`), run
// after each anchored record with the head in its environment and the anchor line on stdin.
// Source: env HATUI_ANCHOR_COMMAND, else the `audit.anchorCommand` setting (conf, project `hatui`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';
import type { AnchorLine } from './anchors.js';
import { anchorLine } from './anchors.js';

export async function resolveAnchorCommand(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (env.HATUI_ANCHOR_COMMAND !== undefined) return env.HATUI_ANCHOR_COMMAND.trim() || null;
  // conf keeps its settings in this file (env-paths, the library conf itself uses). Without the file there
  // is no setting: skip loading conf, ~30 ms of every run's start-up.
  if (!existsSync(settingsFile())) return null;
  try {
    const { default: Conf } = await import('conf');
    const config = new Conf<Record<string, unknown>>({ projectName: 'hatui' });
    const value = config.get('audit.anchorCommand');
    return typeof value === 'string' && value.trim() ? value : null;
  } catch {
    return null;
  }
}

export function runAnchorCommand(command: string, anchor: AnchorLine): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: {
        ...process.env,
        HATUI_ANCHOR_HEAD: `${anchor.seq}:${anchor.hash}`,
        HATUI_ANCHOR_SEQ: String(anchor.seq),
        HATUI_ANCHOR_HASH: anchor.hash,
        HATUI_ANCHOR_LOG: anchor.log,
        HATUI_RUN_ID: anchor.runId,
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`anchor command \`${command}\` exited ${code ?? signal}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(anchorLine(anchor));
  });
}

/** Where conf keeps the `hatui` project's settings: $XDG_CONFIG_HOME/hatui-nodejs/config.json on Linux. */
export function settingsFile(): string {
  return join(envPaths('hatui').config, 'config.json');
}
