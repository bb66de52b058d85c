// Commands run as a user without root's privileges, so that file modes take
// effect: for root, open() and access() succeed on a file of mode 000.
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';

export interface UnprivilegedRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Unprivileged {
  /** Who runs the commands (for messages). */
  user: string;
  /** Runs `command args` as that user, with exactly `env` (PATH kept unless given). */
  run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): UnprivilegedRun;
}

function idOf(flag: '-u' | '-g', user: string): number | undefined {
  const r = spawnSync('id', [flag, user], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name]).status === 0;
}

/**
 * How to run commands unprivileged here: directly when the tests do not run as
 * root, else as `nobody` through setpriv or runuser (util-linux). A string is
 * the reason it cannot be done.
 */
export function unprivileged(): Unprivileged | string {
  const spawnAs = (prefix: string[], user: string): Unprivileged => ({
    user,
    run(command, args, options) {
      const argv = [...prefix, command, ...args];
      const r = spawnSync(argv[0], argv.slice(1), {
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
    },
  });
  if (process.getuid?.() !== 0) {
    return spawnAs([], os.userInfo().username);
  }
  const uid = idOf('-u', 'nobody');
  const gid = idOf('-g', 'nobody');
  if (uid === undefined || gid === undefined || uid === 0) {
    return "the tests run as root and there is no unprivileged user 'nobody' to run as";
  }
  let runner: Unprivileged;
  if (hasCommand('setpriv')) {
    runner = spawnAs(['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'], 'nobody');
  } else if (hasCommand('runuser')) {
    runner = spawnAs(['runuser', '-u', 'nobody', '--'], 'nobody');
  } else {
    return 'the tests run as root and neither setpriv nor runuser (util-linux) is installed to run as nobody';
  }
  const check = runner.run('id', ['-u'], { cwd: '/' });
  if (check.status !== 0 || Number(check.stdout.trim()) !== uid) {
    return `running 'id -u' as nobody gave exit ${check.status}, '${check.stdout.trim()}' ${check.stderr.trim()}`;
  }
  return runner;
}
