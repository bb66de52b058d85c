import { displayPath } from '../paths';
import { Closure, ClosureLink, Embedding } from './closure';

/**
 * Why a module is in the binary: the require chain that pulls it into the
 * embed closure, from an `embed` entry or the nginx.conf down to the
 * require that names it, like `npm why` or `cargo tree -i`. The closure is
 * walked breadth first, so the first link that reached a file gives the
 * shortest chain to it.
 */
export interface ClosureChains {
  /** The links from an entry to the file ([entry, require, …]); undefined when the closure does not reach it. */
  toFile(file: string): ClosureLink[] | undefined;
  /** The chain to the first place the module is named, that place included; undefined when the closure never names it. */
  toModule(name: string): ClosureLink[] | undefined;
  /** Every place the closure names the module: its embed entry, then the requires, in walk order. */
  sitesOf(name: string): readonly ClosureLink[];
}

const byClosure = new WeakMap<Closure, ClosureChains>();

function computeChains(closure: Closure): ClosureChains {
  const reachedBy = new Map<string, ClosureLink>();
  const sites = new Map<string, ClosureLink[]>();
  const named = (link: ClosureLink) => {
    const list = sites.get(link.module);
    if (list) {
      list.push(link);
    } else {
      sites.set(link.module, [link]);
    }
  };
  for (const entry of closure.entries) {
    if (entry.target && !reachedBy.has(entry.target)) {
      reachedBy.set(entry.target, entry);
    }
    if (entry.kind === 'embed') {
      named(entry);
    }
  }
  for (const { file, judgement } of closure.judgements) {
    for (const note of judgement.notes) {
      const target = note.file !== undefined && closure.files.has(note.file) ? note.file : undefined;
      const link: ClosureLink = { kind: 'require', file, range: note.range, module: note.name, target };
      named(link);
      if (target && !reachedBy.has(target)) {
        reachedBy.set(target, link);
      }
    }
  }
  const toFile = (file: string): ClosureLink[] | undefined => {
    const chain: ClosureLink[] = [];
    const seen = new Set<string>();
    for (let at: string | undefined = file; at !== undefined && !seen.has(at); ) {
      seen.add(at);
      const link = reachedBy.get(at);
      if (!link) {
        break;
      }
      chain.push(link);
      at = link.kind === 'require' ? link.file : undefined;
    }
    return chain.length > 0 ? chain.reverse() : undefined;
  };
  return {
    toFile,
    toModule(name) {
      const first = sites.get(name)?.[0];
      if (!first) {
        return undefined;
      }
      return first.kind === 'require' ? [...(toFile(first.file) ?? []), first] : [first];
    },
    sitesOf: (name) => sites.get(name) ?? [],
  };
}

/** The chains of an embedding's closure, computed once per closure. */
export function closureChains(embedding: Embedding): ClosureChains {
  let chains = byClosure.get(embedding.closure);
  if (!chains) {
    chains = computeChains(embedding.closure);
    byClosure.set(embedding.closure, chains);
  }
  return chains;
}

/** One link as a reader sees it: `path:line:col  require "x"`, paths relative to `base` when inside it. */
export function describeLink(link: ClosureLink, base: string): { where: string; what: string } {
  const where = `${displayPath(base, link.file)}:${link.range.start.line + 1}:${link.range.start.character + 1}`;
  const what = link.kind === 'embed' ? `embed "${link.module}"` : link.kind === 'nginx.conf' ? `${link.directive ?? '*_by_lua_file'} ${link.module}` : `require "${link.module}"`;
  return { where, what };
}
