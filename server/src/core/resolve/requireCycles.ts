import { LuaFileFacts } from '../lua/luaFile';
import { RequireSite } from '../lua/requires';
import { Resolution } from './resolver';
import { Finding } from '../types';

export interface CycleInput {
  /** The Lua files to start from, in a stable order (the graph is walked from each). */
  files: readonly string[];
  facts: (file: string) => LuaFileFacts | undefined;
  /** Resolves a name as required from `file` (its project's loaders). */
  resolve: (file: string, name: string) => Resolution;
}

interface Edge {
  site: RequireSite;
  target: string;
}

/**
 * Load-time require cycles. While a module runs its main chunk, LuaJIT marks
 * it as loading (lib_package.c, lj_cf_package_require); requiring it again
 * before it returns fails with "loop or previous error loading module". Only
 * requires that run at load time count: one inside a function body runs
 * later, which is how cycles are usually broken. Each cycle is reported once,
 * at the require that closes it, naming every module on the way.
 */
export function findRequireCycles(input: CycleInput): Finding[] {
  const edgesOf = new Map<string, Edge[]>();
  const edges = (file: string): Edge[] => {
    let out = edgesOf.get(file);
    if (!out) {
      out = [];
      for (const site of input.facts(file)?.requires ?? []) {
        if (site.dynamic || site.deferred || site.name === undefined) {
          continue;
        }
        const r = input.resolve(file, site.name);
        if (r.status === 'file' && r.file) {
          out.push({ site, target: r.file });
        }
      }
      edgesOf.set(file, out);
    }
    return out;
  };

  const findings: Finding[] = [];
  const done = new Set<string>();
  for (const start of input.files) {
    if (done.has(start)) {
      continue;
    }
    // Iterative DFS: a long require chain must not overflow the stack.
    const stack: { file: string; via?: string; next: number }[] = [{ file: start, next: 0 }];
    const onStack = new Map<string, number>([[start, 0]]);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const out = edges(frame.file);
      if (frame.next >= out.length) {
        stack.pop();
        onStack.delete(frame.file);
        done.add(frame.file);
        continue;
      }
      const edge = out[frame.next++];
      const at = onStack.get(edge.target);
      if (at !== undefined) {
        const names = [...stack.slice(at + 1).map((f) => f.via!), edge.site.name!];
        const chain = [edge.site.name!, ...names].join(' -> ');
        const facts = input.facts(frame.file)!;
        findings.push({
          file: frame.file,
          range: facts.lines.range(edge.site.start, edge.site.end),
          severity: 'warning',
          code: 'require-cycle',
          message:
            `Require cycle: ${chain}. '${edge.site.name}' is still loading when this require runs, so LuaJIT raises ` +
            `"loop or previous error loading module '${edge.site.name}'". Move one of these requires into the function that uses it, or break the cycle.`,
          module: edge.site.name,
        });
      } else if (!done.has(edge.target)) {
        onStack.set(edge.target, stack.length);
        stack.push({ file: edge.target, via: edge.site.name, next: 0 });
      }
    }
  }
  return findings;
}
