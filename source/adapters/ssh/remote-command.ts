// The remote side of one command, as the exec string sent over an SSH channel. Pure.
//
// The login shell runs `exec sh -c WRAPPER hatui <remote timeout> <command> <secret count>`. The wrapper
//  1. reads the secrets from the channel's stdin (`NAME base64` lines; sshd's AcceptEnv would drop env
//     vars, and argv shows in `ps`), exports them and the host/request env,
//  2. starts the command in a process group of its own: the session sshd created (the wrapper is its
//     leader; fast path) or, when that does not hold, a new one made with `setsid` under GNU `timeout`,
//  3. keeps reading stdin: a `KILL` line (operator cancel or local timeout) kills the whole group
//     (TERM, then KILL after 1 s). EOF without KILL means the channel is gone: the remote hard bound
//     (local timeout + grace) is then enforced on the remote side, so it also holds without a connection.
// Values are single-quoted POSIX style ('\'' for a quote), which every POSIX shell reads byte for byte.

export const KILL_LINE = 'KILL\n';
/** Exit code of the wrapper when the secret block on stdin was malformed or cut short. */
export const SECRET_READ_FAILED = 125;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** POSIX single quoting: exact for any string without NUL. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function assertEnvName(name: string): void {
  if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
}

export interface RemoteCommandSpec {
  command: string;
  /** Non-secret environment (host env from the inventory, then the request's env). */
  env?: Record<string, string>;
  secretEnv?: Record<string, string>;
  /** Remote hard bound in ms (the local timeout plus a grace). */
  remoteTimeoutMs: number;
}

export interface RemoteCommand {
  /** The exec string (contains no secret). */
  exec: string;
  /** Bytes to write to the channel's stdin right after it opens (the secrets; may be ''). */
  stdinPrelude: string;
}

function wrapperScript(env: Record<string, string>): string {
  const exports = Object.entries(env).map(([k, v]) => {
    assertEnvName(k);
    return `export ${k}=${shQuote(v)}`;
  });
  return [
    'n=0',
    'while [ "$n" -lt "$3" ]; do',
    `  IFS=' ' read -r k v || exit ${SECRET_READ_FAILED}`,
    `  v=$(printf '%s' "$v" | base64 -d && echo .) || exit ${SECRET_READ_FAILED}`,
    '  export "$k=${v%.}"',
    '  n=$((n+1))',
    'done',
    ...exports,
    'exec 3<&0',
    // Fast path: sshd made this shell a session and process-group leader (setsid before exec), so the
    // command forked below shares our group and no setsid/timeout processes are needed. The watcher
    // ignores TERM, signals the whole group (this wrapper included: its exit-signal confirms the kill),
    // and KILLs what is left a second later. EOF on stdin without a KILL line means the channel is gone
    // (connection lost): the watcher then enforces the remote bound ($1 s from the start, /proc/uptime).
    'up0=; read -r up0 _ </proc/uptime 2>/dev/null; up0=${up0%%.*}',
    'hpg=; read -r _ _ _ _ hpg _ </proc/$$/stat 2>/dev/null',
    'if [ "$hpg" = "$$" ]; then',
    '  sh -c "$2" </dev/null &',
    '  pg=$!',
    "  { trap '' TERM; if ! IFS= read -r c <&3; then now=; read -r now _ </proc/uptime; now=${now%%.*}; left=$(( $1 - ${now:-0} + ${up0:-0} )); [ $left -gt 0 ] && sleep $left; fi; kill -TERM 0; sleep 1; kill -KILL 0; } >/dev/null 2>&1 &",
    '  w=$!',
    '  wait $pg; rc=$?',
    '  kill -HUP $w 2>/dev/null',
    '  exit $rc',
    'fi',
    // Fallback (not a group leader, or no /proc): the command in its own session under GNU timeout.
    'killing=0',
    "trap 'killing=1' USR1",
    'setsid timeout -k 2 "${1}s" sh -c "$2" </dev/null &',
    'pg=$!',
    '{ IFS= read -r c <&3 && { kill -USR1 $$; kill -TERM -$pg; sleep 1; kill -KILL -$pg; }; } >/dev/null 2>&1 &',
    'w=$!',
    'while :; do wait $pg; rc=$?; kill -0 $pg 2>/dev/null || break; done',
    'if [ $killing = 1 ]; then wait $w; else kill $w 2>/dev/null; fi',
    'exit $rc',
  ].join('\n');
}

export function buildRemoteCommand(spec: RemoteCommandSpec): RemoteCommand {
  const secrets = Object.entries(spec.secretEnv ?? {});
  const lines = secrets.map(([k, v]) => {
    assertEnvName(k);
    return `${k} ${Buffer.from(v, 'utf8').toString('base64')}\n`;
  });
  const seconds = Math.max(1, Math.ceil(spec.remoteTimeoutMs / 1000));
  const exec = ['exec', 'sh', '-c', shQuote(wrapperScript(spec.env ?? {})), 'hatui', String(seconds), shQuote(spec.command), String(secrets.length)].join(' ');
  return { exec, stdinPrelude: lines.join('') };
}
