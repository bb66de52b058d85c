// Installs code-server (a real VS Code workbench served to a browser) and Debian's chromium for the
// editor e2e suite, outside the repo and cached by version. Follows shared/EDITOR-E2E.md: the
// package's own postinstall downloads ripgrep from GitHub, which this network cannot reach, so its
// steps are done here by hand with Debian's rg instead.
//
// CLI: node --import tsx test/e2e/editor/install.ts   (prints progress; a no-op when cached)
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { waitForFsCondition } from '../fsWait';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = '/usr/bin/chromium';

// chromium for the browser, ripgrep for VS Code's search; the rest are headers for the native
// modules of lib/vscode (libkrb5-dev for `kerberos`, libx11/libxkbfile for native-keymap,
// libsecret for the keychain module).
export const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config'];

// The native modules in lib/vscode that code-server's postinstall would build; the Windows-only
// ones are not installed on Linux and npm skips them.
const VSCODE_NATIVE_MODULES = [
  'kerberos',
  '@parcel/watcher',
  '@vscode/spdlog',
  '@vscode/deviceid',
  'native-watchdog',
  'node-pty',
  '@vscode/windows-process-tree',
  '@vscode/windows-registry',
];

const MARKER = '.resty-build-install-complete';

export interface CodeServerInstall {
  version: string;
  /** Folder of the code-server package (has out/node/entry.js and lib/vscode). */
  packageDir: string;
  /** Script to run with `node` to start code-server. */
  entry: string;
}

interface Marker {
  version: string;
  /** Native modules are built for one Node ABI; another Node needs a fresh install. */
  nodeModules: string;
  completedAt: string;
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'resty-build');
}

export function codeServerDir(version = CODE_SERVER_VERSION): string {
  return join(cacheRoot(), `code-server-${version}`);
}

function describeInstall(dir: string, version: string): CodeServerInstall {
  const packageDir = join(dir, 'node_modules', 'code-server');
  return { version, packageDir, entry: join(packageDir, 'out', 'node', 'entry.js') };
}

/** The cached install when it completed for this Node ABI, else undefined. Never installs. */
export function findCodeServer(version = CODE_SERVER_VERSION): CodeServerInstall | undefined {
  const dir = codeServerDir(version);
  try {
    const marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
    if (marker.version !== version || marker.nodeModules !== process.versions.modules) {
      return undefined;
    }
  } catch {
    return undefined;
  }
  const install = describeInstall(dir, version);
  return existsSync(install.entry) ? install : undefined;
}

export function missingAptPackages(): string[] {
  return APT_PACKAGES.filter((name) => !isDebPackageInstalled(name));
}

function isDebPackageInstalled(name: string): boolean {
  // dpkg's status database is plain text; reading it avoids a process per package.
  try {
    const status = readFileSync('/var/lib/dpkg/status', 'utf8');
    const stanza = status.split('\n\n').find((s) => new RegExp(`^Package: ${escapeRegExp(name)}$`, 'm').test(s));
    return stanza !== undefined && /^Status: install ok installed$/m.test(stanza);
  } catch {
    return false;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Why this machine cannot run the editor e2e suite, or undefined when it can (possibly after
 * installing). Cheap: looks at files only.
 */
export function editorE2eUnavailableReason(version = CODE_SERVER_VERSION): string | undefined {
  if (process.platform !== 'linux') {
    return `editor e2e needs Linux (code-server + Debian chromium); this is ${process.platform}`;
  }
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    return `editor e2e needs Node 20 (code-server ${version} supports only Node 20); this is ${process.version}`;
  }
  if (findCodeServer(version) && existsSync(CHROMIUM_PATH)) {
    return undefined; // the build headers are needed only to install
  }
  const missing = missingAptPackages();
  const canApt = existsSync('/usr/bin/apt-get') && process.getuid?.() === 0;
  if (missing.length > 0 && !canApt) {
    return `editor e2e needs the Debian packages ${missing.join(' ')} and cannot install them (needs apt-get as root; or a cached code-server ${version} and ${CHROMIUM_PATH})`;
  }
  return undefined;
}

export interface InstallOptions {
  version?: string;
  /** Progress lines; default: stderr. */
  log?: (line: string) => void;
}

/** Returns the cached code-server install, installing it (and the apt packages) first when needed. */
export async function ensureCodeServer(options: InstallOptions = {}): Promise<CodeServerInstall> {
  const version = options.version ?? CODE_SERVER_VERSION;
  const log = options.log ?? ((line: string) => process.stderr.write(`[editor-e2e install] ${line}\n`));
  const started = Date.now();
  const step = (what: string): void => log(`${((Date.now() - started) / 1000).toFixed(1)}s ${what}`);

  const cached = findCodeServer(version);
  if (cached && existsSync(CHROMIUM_PATH)) {
    return cached;
  }
  await ensureAptPackages(step);
  if (cached) {
    return cached;
  }
  const finalDir = codeServerDir(version);
  mkdirSync(dirname(finalDir), { recursive: true });
  return withLock(`${finalDir}.lock`, step, async () => {
    const again = findCodeServer(version);
    if (again) {
      return again; // another process finished it while this one waited
    }
    // Everything happens in a staging folder that becomes the cached one only when complete, so
    // an interrupted install never looks usable and is simply redone.
    const staging = `${finalDir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const logFile = join(staging, 'install.log');
    step(`installing code-server@${version} into ${finalDir} (log: ${logFile}.. about 2-3 minutes cold)`);
    await installInto(staging, version, step, logFile);
    const marker: Marker = { version, nodeModules: process.versions.modules, completedAt: new Date().toISOString() };
    writeFileSync(join(staging, MARKER), JSON.stringify(marker, null, 2));
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(staging, finalDir);
    step(`code-server@${version} ready`);
    return describeInstall(finalDir, version);
  });
}

async function ensureAptPackages(step: (what: string) => void): Promise<void> {
  const missing = missingAptPackages();
  if (missing.length === 0) {
    return;
  }
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`editor e2e needs the Debian packages ${missing.join(' ')}: run as root: apt-get install -y ${missing.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  mkdirSync(cacheRoot(), { recursive: true });
  const logFile = join(cacheRoot(), 'apt.log');
  // A fresh machine's package lists may be empty or old: update first.
  step(`apt-get update (missing: ${missing.join(' ')}; log: ${logFile})`);
  await run('apt-get', ['update'], { cwd: '/', env, logFile });
  step(`apt-get install -y ${APT_PACKAGES.join(' ')}`);
  await run('apt-get', ['install', '-y', ...APT_PACKAGES], { cwd: '/', env, logFile });
  const still = missingAptPackages();
  if (still.length > 0) {
    throw new Error(`apt-get install finished but these packages are still missing: ${still.join(' ')}`);
  }
}

async function installInto(root: string, version: string, step: (what: string) => void, logFile: string): Promise<void> {
  // npm 11 runs no dependency install scripts unless package.json allows them (allowScripts), so
  // the wrapper allows the one package rebuilt here (never code-server's own postinstall, which
  // downloads ripgrep); older npm ignores the field.
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'resty-build-code-server', private: true, allowScripts: { argon2: true } }, null, 2),
  );
  const npmEnv = { ...process.env, npm_config_unsafe_perm: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  const opts = { env: npmEnv, logFile };

  step(`npm install --ignore-scripts code-server@${version}`);
  await run('npm', ['install', '--ignore-scripts', '--save-exact', `code-server@${version}`], { ...opts, cwd: root });
  const pkg = join(root, 'node_modules', 'code-server');
  const vscodeDir = join(pkg, 'lib', 'vscode');

  // argon2 is loaded at start even with --auth none.
  step('npm rebuild argon2');
  await run('npm', ['rebuild', 'argon2'], { ...opts, cwd: root });

  step('lib/vscode: npm install --omit=dev --ignore-scripts');
  await run('npm', ['install', '--omit=dev', '--ignore-scripts'], { ...opts, cwd: vscodeDir });
  step(`lib/vscode: npm rebuild ${VSCODE_NATIVE_MODULES.join(' ')} (about a minute)`);
  // npm 11 runs a dependency's build script only when allowed; a --allow-scripts flag or
  // npm_config_allow_scripts is refused in a project (EALLOWSCRIPTS), a project .npmrc is not.
  writeFileSync(join(vscodeDir, '.npmrc'), `allow-scripts=${VSCODE_NATIVE_MODULES.join(',')}\n`);
  // node-pty's build script runs npx, which would otherwise ask before installing.
  await run('npm', ['rebuild', ...VSCODE_NATIVE_MODULES], { ...opts, cwd: vscodeDir, env: { ...npmEnv, npm_config_yes: 'true' } });

  step('links: ripgrep -> /usr/bin/rg, node_modules.asar, remote-cli and helpers scripts');
  linkRipgrep(vscodeDir);
  // The links code-server's postinstall.sh makes on Linux.
  forceSymlink('node_modules', join(vscodeDir, 'node_modules.asar'));
  forceSymlink('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  forceSymlink('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  step('lib/vscode/extensions: npm install --omit=dev');
  await run('npm', ['install', '--omit=dev'], { ...opts, cwd: join(vscodeDir, 'extensions') });

  step('checking: code-server --version');
  await run(process.execPath, [join(pkg, 'out', 'node', 'entry.js'), '--version'], { ...opts, cwd: root });
}

function linkRipgrep(vscodeDir: string): void {
  const rg = '/usr/bin/rg';
  if (!existsSync(rg)) {
    throw new Error(`${rg} is missing: apt-get install -y ripgrep`);
  }
  const binDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(binDir, { recursive: true });
  forceSymlink(rg, join(binDir, 'rg'));
}

function forceSymlink(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { recursive: true, force: true });
  symlinkSync(target, path);
}

interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Appends the command's output here; without it output goes to this process's stderr. */
  logFile?: string;
}

function run(command: string, args: string[], options: RunOptions): Promise<void> {
  const line = `$ (cd ${options.cwd} && ${command} ${args.join(' ')})\n`;
  if (options.logFile) {
    appendFileSync(options.logFile, line);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-6000);
      if (options.logFile) {
        appendFileSync(options.logFile, text);
      } else {
        process.stderr.write(text);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new Error(`${command} could not start: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
      } else {
        const where = options.logFile ? ` (full log: ${options.logFile})` : '';
        reject(new Error(`${line.trim()} failed with ${signal ?? `exit code ${code}`}${where}\n${tail}`));
      }
    });
  });
}

/** One installer at a time per version (node:test runs files in parallel processes). */
async function withLock<T>(lockDir: string, step: (what: string) => void, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
      if (lockHolderIsGone(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`waited 15 minutes for another code-server install (lock ${lockDir}); remove it if no install is running`);
      }
      step(`waiting for another install to finish (lock ${lockDir})`);
      // Woken by the lock's removal; the 30 s cap only notices a holder that died without removing it.
      await waitForFsCondition(dirname(lockDir), () => !existsSync(lockDir), `the lock ${lockDir} to go`, 30_000, false).catch(() => undefined);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockHolderIsGone(lockDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ENOENT: the holder has not written its pid yet; treat as alive for this round.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

if (require.main === module) {
  const started = Date.now();
  ensureCodeServer()
    .then((install) => {
      process.stderr.write(`[editor-e2e install] code-server ${install.version} at ${install.packageDir} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`[editor-e2e install] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
