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
  /** Runs after the CLI's flags and before the build; returns the configure args to use. */
  adjust?: (flags: LinkFlags, projectDir: string) => Promise<string[]>;
  /** Arguments to drop from nginx's link command (negative tests only). */
  withoutLinkArgs?: readonly string[];
}

export interface Scenario {
  projectDir: string;
  flags: LinkFlags;
  configureArgs: string[];
  nginx: BuiltNginx;
  server: RunningNginx;
}

export async function runScenario(t: TestContext, options: ScenarioOptions): Promise<Scenario> {
  const project = copyFixture(options.fixture);
  t.after(project.remove);
  // The same locations in the project's own conf/nginx.conf (its manifest names it), so
  // `resty-build check` judges exactly the Lua that the running nginx executes.
  mkdirSync(join(project.dir, 'conf'), { recursive: true });
  writeFileSync(join(project.dir, 'conf', 'nginx.conf'), projectConf(options.serverConfig));
  await compileProject(project.dir);
  const flags = await linkFlags(project.dir, options.mode);
  const configureArgs = options.adjust ? await options.adjust(flags, project.dir) : flags.configureArgs;
  const outDir = join(project.dir, '..', 'nginx-out');
  mkdirSync(outDir, { recursive: true });
  const nginx = await buildNginx({ configureArgs, outDir, withoutLinkArgs: options.withoutLinkArgs });
  const server = await startNginx({ binary: nginx.binary, serverConfig: options.serverConfig });
  t.after(() => server.stop());
  return { projectDir: project.dir, flags, configureArgs, nginx, server };
}

export function projectConf(serverConfig: string): string {
  return `http {\n    server {\n${serverConfig.replace(/^/gm, '        ')}\n    }\n}\n`;
}

/** A message for assertions: what the server logged, so a failure explains itself. */
export function withErrorLog(server: RunningNginx, message: string): string {
  return `${message}\n--- ${server.errorLogPath} ---\n${server.errorLog()}`;
}
