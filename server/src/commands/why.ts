import { closureChains, describeLink } from '../core/embed/why';
import { ClosureLink } from '../core/embed/closure';
import { analysedWorkspace, CommandArgs, CommandIO, EXIT_FINDINGS, EXIT_OK, manifestProject, resolveDir } from './common';

const STATUS_TEXT: Record<string, string> = {
  embedded: 'embedded',
  'not-in-mapping': 'not embedded: missing from "embed"',
  builtin: 'built into the runtime',
  provided: 'provided by the runtime',
  native: 'a C module: it must ship in the runtime image',
  unresolved: 'not found',
  'hyphen-name': 'never found at run time (hyphen)',
};

/** How many other requiring sites are listed under the chain. */
const MORE_SITES = 10;

function table(rows: { where: string; what: string }[]): string[] {
  const width = Math.max(...rows.map((r) => r.where.length));
  return rows.map((r) => `  ${r.where.padEnd(width)}  ${r.what}`);
}

/**
 * `resty-build why <module> [dir]`: the require chain that pulls a module
 * into the embed closure, from its embed entry or the nginx.conf down to
 * the require that names it (the shortest one), then the other sites that
 * require it. Exit 1 when the closure does not reach the module.
 */
export async function runWhy(args: CommandArgs, io: CommandIO): Promise<number> {
  const [name] = args.operands;
  const format = args.options.get('format') ?? 'text';
  const dir = resolveDir(args.dir);
  const workspace = await analysedWorkspace(dir, args, io);
  const project = manifestProject(workspace, dir);
  const embedding = workspace.embedding(project)!;
  const chains = closureChains(embedding);
  const chain = chains.toModule(name);
  const module = embedding.closure.modules.get(name);
  const others = chains.sitesOf(name).slice(1);
  if (format === 'json') {
    const link = (l: ClosureLink) => ({ kind: l.kind, file: l.file, line: l.range.start.line + 1, column: l.range.start.character + 1, module: l.module });
    io.out(
      JSON.stringify(
        { module: name, status: chain && module ? module.status : null, file: module?.file ?? null, chain: (chain ?? []).map(link), otherSites: others.map(link) },
        null,
        2,
      ),
    );
    return chain ? EXIT_OK : EXIT_FINDINGS;
  }
  if (!chain || !module) {
    io.err(`${name} is not in the embed closure of ${project.manifest!.file}: no embed entry, nginx.conf directive or require reached from them names it.`);
    return EXIT_FINDINGS;
  }
  const lines = [`${name} (${STATUS_TEXT[module.status] ?? module.status}) is in the embed closure through:`, ...table(chain.map((l) => describeLink(l, dir)))];
  if (others.length > 0) {
    lines.push(`Also named at ${others.length} more ${others.length === 1 ? 'site' : 'sites'}:`, ...table(others.slice(0, MORE_SITES).map((l) => describeLink(l, dir))));
    if (others.length > MORE_SITES) {
      lines.push(`  … and ${others.length - MORE_SITES} more (--format json lists them all)`);
    }
  }
  io.out(lines.join('\n'));
  return EXIT_OK;
}
