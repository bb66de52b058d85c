// One nginx e2e scenario end to end: fixture -> CLI compile + flags ->
// nginx build/relink -> running server, with cleanup registered on the test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { capabilityOptions } from '../capability';
import { buildNginx, nginxE2eUnavailableReason, startNginx, type BuiltNginx, type RunningNginx } from './harness';
import { compileProject, copyFixture, linkFlags, type LinkFlags, type LinkMode } from './product';

/** Options for every test of the nginx suite: skipped (or failed in CI) when the machine cannot build nginx. */
export const nginxSuite = capabilityOptions('nginx e2e', nginxE2eUnavailableReason());

/** Cold builds take about a minute on 2 cores; leave room for apt and a slow machine. */
export const SCENARIO_TIMEOUT_MS = 15 * 60_000;

export interface ScenarioOptions {
  fixture: string;
  mode: LinkMode;
  /** Locations for nginx.conf's server block. */
  serverConfig: string;
  /** The main context's lines (`load_module`), in the project's conf and the running nginx's. */
  mainConfig?: string;
  /** Runs after the fixture is copied, before anything is compiled (e.g. to change a file). */
  prepare?: (projectDir: string) => void;
  /** Runs after the CLI's flags and before the build; returns the configure args to use. */
  adjust?: (flags: LinkFlags, projectDir: string) => Promise<string[]>;
  /** Arguments to drop from nginx's link command (negative tests only). */
  withoutLinkArgs?: readonly string[];
}

export interface BuiltScenario {
  projectDir: string;
  flags: LinkFlags;
  configureArgs: string[];
  nginx: BuiltNginx;
}

export interface Scenario extends BuiltScenario {
  server: RunningNginx;
}

/** Fixture -> CLI compile + flags -> nginx binary; nothing started (for the cases where nginx must refuse). */
export async function buildScenario(t: TestContext, options: ScenarioOptions): Promise<BuiltScenario> {
  const project = copyFixture(options.fixture);
  t.after(project.remove);
  options.prepare?.(project.dir);
  // The same locations in the project's own conf/nginx.conf (its manifest names it), so
  // `resty-build check` judges exactly the Lua that the running nginx executes.
  mkdirSync(join(project.dir, 'conf'), { recursive: true });
  writeFileSync(join(project.dir, 'conf', 'nginx.conf'), projectConf(options.serverConfig, options.mainConfig));
  await compileProject(project.dir);
  const flags = await linkFlags(project.dir, options.mode);
  const configureArgs = options.adjust ? await options.adjust(flags, project.dir) : flags.configureArgs;
  const outDir = join(project.dir, '..', 'nginx-out');
  mkdirSync(outDir, { recursive: true });
  const nginx = await buildNginx({ configureArgs, outDir, withoutLinkArgs: options.withoutLinkArgs });
  return { projectDir: project.dir, flags, configureArgs, nginx };
}

export async function runScenario(t: TestContext, options: ScenarioOptions): Promise<Scenario> {
  const built = await buildScenario(t, options);
  const server = await startNginx({ binary: built.nginx.binary, serverConfig: options.serverConfig, mainConfig: options.mainConfig });
  t.after(() => server.stop());
  return { ...built, server };
}

export function projectConf(serverConfig: string, mainConfig?: string): string {
  return `${mainConfig ? `${mainConfig}\n` : ''}http {\n    server {\n${serverConfig.replace(/^/gm, '        ')}\n    }\n}\n`;
}

/** A message for assertions: what the server logged, so a failure explains itself. */
export function withErrorLog(server: RunningNginx, message: string): string {
  return `${message}\n--- ${server.errorLogPath} ---\n${server.errorLog()}`;
}
