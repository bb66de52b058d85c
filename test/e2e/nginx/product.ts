// The product side of the nginx e2e suite: drives the resty-build CLI
// (`compile`, `flags`, `check`) and checks the shape of what it prints.
//
// RESTY_BUILD_E2E_CLI may point at another CLI entry point (a JS file run by
// node); the default is the bundled dist/cli.js. A missing CLI is a failure,
// never a skip: the suite exists to test it.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JsonDiagnostic } from '../../../server/src/core/findingFormat';
import { run } from './proc';

const repoRoot = resolve(__dirname, '..', '..', '..');

export function cliPath(): string {
  return resolve(process.env.RESTY_BUILD_E2E_CLI ?? join(repoRoot, 'dist', 'cli.js'));
}

function requireCli(): string {
  const cli = cliPath();
  if (!existsSync(cli)) {
    throw new Error(`the resty-build CLI is missing: ${cli} does not exist. Run \`npm run build\` (it bundles server/src/cli.ts).`);
  }
  return cli;
}

async function runCli(args: string[], okCodes = [0]): Promise<{ code: number; stdout: string }> {
  const result = await run(process.execPath, [requireCli(), ...args], { cwd: repoRoot, okCodes, timeoutMs: 120_000 });
  return { code: result.code, stdout: result.stdout };
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} did not print JSON (${(error as Error).message}):\n${text}`);
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Copies a fixture project to a temp folder (compile writes into the project) and returns its path. */
export function copyFixture(scenario: string): { dir: string; remove: () => void } {
  const source = join(__dirname, 'fixtures', scenario);
  if (!existsSync(join(source, 'resty-build.json'))) {
    throw new Error(`fixture ${scenario} has no resty-build.json in ${source}`);
  }
  const root = mkdtempSync(join(tmpdir(), `resty-build-e2e-${scenario}-`));
  const dir = join(root, scenario);
  cpSync(source, dir, { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** `resty-build compile <projectDir>`: writes the bytecode objects into the manifest's outDir. */
export async function compileProject(projectDir: string): Promise<void> {
  await runCli(['compile', projectDir]);
}

export type LinkMode = 'objects' | 'archive';

export interface LinkFlags {
  configureArgs: string[];
  withLdOpt: string;
  objects: string[];
  warnings: { code: string; severity: string; message: string }[];
}

/** `resty-build flags <projectDir> --mode <mode> --format json`. */
export async function linkFlags(projectDir: string, mode: LinkMode): Promise<LinkFlags> {
  const { stdout } = await runCli(['flags', projectDir, '--mode', mode, '--format', 'json']);
  const value = parseJson('resty-build flags', stdout) as Partial<LinkFlags>;
  if (
    !isStringArray(value.configureArgs) ||
    typeof value.withLdOpt !== 'string' ||
    !isStringArray(value.objects) ||
    !Array.isArray(value.warnings) ||
    !value.warnings.every((w) => typeof w?.message === 'string' && typeof w.code === 'string')
  ) {
    throw new Error(`resty-build flags printed JSON of the wrong shape (want configureArgs, withLdOpt, objects, warnings):\n${stdout}`);
  }
  return value as LinkFlags;
}

/** `resty-build check <projectDir> --format json`; exit 1 (errors found) is not a failure here. */
export async function checkProject(projectDir: string): Promise<{ exitCode: number; diagnostics: JsonDiagnostic[] }> {
  const { code, stdout } = await runCli(['check', projectDir, '--format', 'json'], [0, 1]);
  const value = parseJson('resty-build check', stdout) as { diagnostics?: unknown };
  if (!Array.isArray(value.diagnostics)) {
    throw new Error(`resty-build check printed JSON without a diagnostics array:\n${stdout}`);
  }
  return { exitCode: code, diagnostics: value.diagnostics as JsonDiagnostic[] };
}

export interface AuditReport {
  exitCode: number;
  nginx: { binary: string; version: string; compat: boolean; ngxLuaVersion?: number; luajit?: { file: string; version?: string; header?: string } };
  modules: { module: string; symbol: string; exported: boolean; loaded: boolean | null; message?: string }[];
  dynamicModules: { file: string; compatible: boolean; problem?: string }[];
  diagnostics: JsonDiagnostic[];
}

/** `resty-build verify <projectDir> --nginx <binary> --format json`: the audit of a built nginx; exit 1 (errors) is an answer here. */
export async function auditNginx(projectDir: string, binary: string): Promise<AuditReport> {
  const { code, stdout } = await runCli(['verify', projectDir, '--nginx', binary, '--format', 'json'], [0, 1]);
  const value = parseJson('resty-build verify --nginx', stdout) as Omit<AuditReport, 'exitCode'>;
  if (!Array.isArray(value.diagnostics) || !Array.isArray(value.modules) || typeof value.nginx?.version !== 'string') {
    throw new Error(`resty-build verify --nginx printed JSON of the wrong shape (want nginx, modules, diagnostics):\n${stdout}`);
  }
  return { exitCode: code, ...value };
}

/** `resty-build runtime <projectDir> --nginx <binary> --format json`. */
export async function runtimeImage(projectDir: string, binary: string): Promise<{ files: { kind: string; what: string; path?: string; realPath?: string }[] }> {
  const { stdout } = await runCli(['runtime', projectDir, '--nginx', binary, '--format', 'json']);
  return parseJson('resty-build runtime', stdout) as { files: { kind: string; what: string; path?: string; realPath?: string }[] };
}
