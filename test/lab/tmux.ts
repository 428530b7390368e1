// A private tmux server for a test file (its own socket, CI unset so Ink renders): run, read, type.
import { execFile } from 'node:child_process';

export function tmuxSession(socket: string, session: string) {
  const tmux = (args: string[]): Promise<string> => {
    const env = { ...process.env };
    delete env.CI;
    return new Promise((resolve, reject) =>
      execFile('tmux', ['-L', socket, ...args], { env }, (error, stdout, stderr) => (error ? reject(new Error(`tmux ${args[0]}: ${stderr || error.message}`)) : resolve(stdout))),
    );
  };
  return {
    tmux,
    pane: () => tmux(['capture-pane', '-p', '-t', session]),
    keys: (...k: string[]) => tmux(['send-keys', '-t', session, ...k]),
    text: (t: string) => tmux(['send-keys', '-t', session, '-l', t]),
  };
}
