// The nginx end-to-end harness: Debian sources -> cached nginx tree -> relink
// with the bytecode objects -> run on 127.0.0.1 -> HTTP.
//
// It takes configure args (with --with-compat and --with-ld-opt="<objects>")
// from whoever produced them; product.ts gets them from the resty-build CLI.
import { join } from 'node:path';
import { linkNginx, prepareNginxTree, splitLinkInputs, type LinkedNginx, type NginxTree } from './build';
import { log, run, seconds, step } from './proc';
import { ensureHostPackages, obtainSources, type NginxSources } from './sources';

export { findLuajit, HARNESS_CONFIGURE_ARGS, readLinkCommand, splitLinkInputs } from './build';
export type { LinkedNginx, LinkOptions, LuajitPaths, NginxTree, SplitConfigureArgs } from './build';
export { cacheRoot, debSrcListFromMachine, nginxE2eUnavailableReason, type NginxSources } from './sources';
export { findFreePort, httpGet, startNginx, type HttpResponse, type RunningNginx, type StartOptions } from './server';
export { log } from './proc';
export { dynamicModuleFile, stageModuleSources } from './modules';

export interface BuildRequest {
  /** ./configure args from the product: --with-compat, --with-ld-opt="…objects…". */
  configureArgs: readonly string[];
  /** Where the linked binary goes (the test's temp folder). */
  outDir: string;
  /** Arguments to drop from nginx's own link command (negative tests only). */
  withoutLinkArgs?: readonly string[];
}

export interface BuiltNginx extends LinkedNginx {
  sources: NginxSources;
  tree: NginxTree;
  /** The link inputs taken out of --with-ld-opt and given to the relink. */
  linkInputs: string[];
}

/**
 * Builds an nginx binary that embeds the objects named in the args' --with-ld-opt.
 * Compiles only when no cached tree matches the other args; otherwise relinks.
 */
export async function buildNginx(request: BuildRequest): Promise<BuiltNginx> {
  const started = performance.now();
  await ensureHostPackages();
  const sources = await obtainSources();
  const { compileArgs, linkInputs } = splitLinkInputs(request.configureArgs);
  const tree = await prepareNginxTree(sources, compileArgs);
  const linked = await linkNginx(tree, linkInputs, join(request.outDir, 'sbin', 'nginx'), {
    withoutArgs: request.withoutLinkArgs,
  });
  await step('nginx -V', async () => {
    const version = await run(linked.binary, ['-V']);
    const firstLine = version.stderr.split('\n')[0];
    log(firstLine);
  });
  log(`nginx binary ready in ${seconds(started)} (${tree.compiled ? 'compiled' : 'relinked from cache'})`);
  return { ...linked, sources, tree, linkInputs };
}

/** Appends link inputs (e.g. an extra object) to the args' --with-ld-opt. */
export function withExtraLinkInputs(configureArgs: readonly string[], inputs: readonly string[]): string[] {
  const index = configureArgs.findIndex((arg) => arg.startsWith('--with-ld-opt='));
  if (index < 0) {
    return [...configureArgs, `--with-ld-opt=${inputs.join(' ')}`];
  }
  const copy = [...configureArgs];
  copy[index] = `${copy[index]} ${inputs.join(' ')}`;
  return copy;
}

/**
 * `luajit -bg -n <module> -t o` by hand: only for scenarios that exercise
 * LuaJIT itself (an object compiled the naive way, with the module name as -n).
 */
export async function compileWithLuajit(moduleName: string, file: string, output: string): Promise<string> {
  await run('luajit', ['-bg', '-n', moduleName, '-t', 'o', file, output]);
  return output;
}

/** The exported `luaJIT_BC_*` symbols of a binary (what LuaJIT's preload loader can dlsym). */
export async function exportedBytecodeSymbols(binary: string): Promise<string[]> {
  const nm = await run('nm', ['--dynamic', '--defined-only', binary]);
  return nm.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/).pop() ?? '')
    .filter((name) => name.startsWith('luaJIT_BC_'))
    .sort();
}
