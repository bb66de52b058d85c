import * as path from 'node:path';
import { LinkMode } from '../core/manifest/manifest';
import { BuildProject, loadBuildProject, notEmbeddingReason } from '../toolchain/buildProject';
import { blockingManifestFindings } from '../toolchain/pipeline';
import { BuildEnvironmentError } from '../toolchain/tool';
import { CommandArgs, CommandIO, EXIT_USAGE } from './common';

/** The options of `compile`, `flags`, `verify` and `runtime`, typed (the parser has checked them). */
export interface BuildArgs {
  dir: string;
  /** `dockerfile`: runtime only (the parser allows it nowhere else). */
  format: 'text' | 'json' | 'dockerfile';
  /** verify: audit this built nginx instead of linking a probe; runtime: list the libluajit it links. */
  nginx?: string;
  mode?: LinkMode;
  luajit?: string;
  jobs?: number;
  timeoutMs?: number;
  force: boolean;
  exportDynamic: boolean;
}

export function buildArgsOf(args: CommandArgs): BuildArgs {
  const option = (name: string) => args.options.get(name);
  const luajit = option('luajit');
  const timeout = option('timeout');
  const mode = option('mode');
  const format = option('format');
  const nginx = option('nginx');
  return {
    dir: args.dir,
    format: format === 'json' || format === 'dockerfile' ? format : 'text',
    nginx: nginx === undefined ? undefined : path.resolve(nginx),
    mode: mode === 'objects' || mode === 'archive' ? mode : undefined,
    // A bare name is looked up on PATH, like the manifest's "luajit.compiler".
    luajit: luajit === undefined ? undefined : luajit.includes('/') ? path.resolve(luajit) : luajit,
    jobs: option('jobs') === undefined ? undefined : Number(option('jobs')),
    timeoutMs: timeout === undefined ? undefined : Number(timeout) * 1000,
    force: args.options.has('force'),
    exportDynamic: !args.options.has('no-export-dynamic'),
  };
}

export type BuildStep = (project: BuildProject, args: BuildArgs, io: CommandIO, signal: AbortSignal) => Promise<number>;

/**
 * A build command of the table (`compile`, `flags`, `verify`, `runtime`): loads the
 * project of `dir/resty-build.json`, refuses a manifest with errors, turns
 * SIGINT/SIGTERM into cancellation and an unusable environment (no manifest,
 * luajit or cc missing, outDir unwritable) into exit 2.
 */
export function buildCommand(step: BuildStep): (args: CommandArgs, io: CommandIO) => Promise<number> {
  return async (commandArgs, io) => {
    const args = buildArgsOf(commandArgs);
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    try {
      // Loading reads and checks synchronously (bounded, never blocking): until it is done a
      // signal keeps its default action and ends the process at once; from here on it cancels.
      const project = loadBuildProject(args.dir, io.env);
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      const blocking = blockingManifestFindings(project);
      if (blocking.length > 0) {
        io.err(`resty-build: ${project.manifest.file} has errors; fix them first:`);
        for (const f of blocking) {
          io.err(`  ${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code}: ${f.message}`);
        }
        return EXIT_USAGE;
      }
      const idle = notEmbeddingReason(project);
      if (idle) {
        io.err(`resty-build: ${idle}`);
        return EXIT_USAGE;
      }
      return await step(project, args, io, controller.signal);
    } catch (e) {
      if (e instanceof BuildEnvironmentError) {
        io.err(`resty-build: ${e.message}`);
        return EXIT_USAGE;
      }
      throw e;
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
  };
}
