import * as path from 'node:path';
import { Hover, MarkupKind, Position } from '../lsp';
import { memberSignature } from '../core/navigate/exports';
import { BK_DOC, luakitMarkdown } from '../core/navigate/luakitApi';
import { luakitTargetAt } from '../core/navigate/luakitNav';
import { memberDoc } from '../core/navigate/luaViews';
import { moduleNameOf } from '../core/navigate/moduleCatalog';
import { locate, targetAt } from '../core/navigate/moduleNav';
import { ClosureLink, Embedding } from '../core/embed/closure';
import { loaderSymbol } from '../core/embed/mapping';
import { closureChains, describeLink } from '../core/embed/why';
import { comparePositions, Range } from '../core/types';
import { displayPath } from '../core/paths';
import { Project } from '../core/resolve/project';
import { Resolution } from '../core/resolve/resolver';
import { LineIndex } from '../core/types';
import { Workspace } from '../core/workspace/workspace';

const ORIGIN_TEXT: Record<string, string> = {
  workspace: 'the workspace',
  stdlib: 'the luakit stdlib',
  path: 'a package.path folder outside the workspace',
  explicit: 'an explicit file in resty-build.json',
  builtin: 'built into the runtime',
  provided: 'provided by the runtime (resty-build.json "provided")',
  registered: 'put into package.loaded or package.preload by the project\'s own code',
  native: 'a C module on package.cpath',
};

/**
 * Why a module that is not embedded is in the binary's closure, for the
 * hover of its require: the chain from an embed entry or the nginx.conf
 * to this require, as `resty-build why` prints it.
 */
function whyMarkdown(project: Project, embedding: Embedding | undefined, site: RequireSite | undefined): string[] {
  if (!embedding || !site) {
    return [];
  }
  const toHere = closureChains(embedding).toFile(site.file);
  const reached = toHere !== undefined || embedding.closure.judgements.some((j) => j.file === site.file && !site.file.endsWith('.lua'));
  if (!reached) {
    return [];
  }
  // The closure's own range of this require (the string with its quotes), as `why` prints it.
  const judged = embedding.closure.judgements
    .filter((j) => j.file === site.file)
    .flatMap((j) => j.judgement.notes)
    .find((n) => n.name === site.module && comparePositions(n.range.start, site.range.start) <= 0 && comparePositions(site.range.end, n.range.end) <= 0);
  const here: ClosureLink = { kind: 'require', file: site.file, range: judged?.range ?? site.range, module: site.module };
  const steps = [...(toHere ?? []), here].map((link, i, all) => {
    const { where, what } = describeLink(link, project.root);
    return `${i + 1}. \`${where}\` ${what}${i === all.length - 1 ? ' (here)' : ''}`;
  });
  return ['', 'In the embed closure through:', '', ...steps];
}

interface RequireSite {
  file: string;
  range: Range;
  module: string;
}

/** Markdown for a module: its file, origin, embedding and bytecode symbol, or Lua's own not-found trail; `site`: the require hovered. */
export function moduleMarkdown(workspace: Workspace, project: Project, resolution: Resolution, site?: RequireSite): string {
  const name = resolution.name;
  const lines = [`**module** \`${name}\``, ''];
  if (resolution.status === 'unresolved') {
    lines.push('Not found. The loaders looked at:', '', '```', ...resolution.trail, '```');
    return lines.join('\n');
  }
  if (resolution.file) {
    lines.push(`\`${displayPath(project.root, resolution.file)}\` — from ${ORIGIN_TEXT[resolution.origin ?? 'workspace']}`);
  } else if (resolution.registeredBy) {
    const by = resolution.registeredBy;
    const line = workspace.facts(by.file)?.lines.position(by.start).line ?? new LineIndex(workspace.readText(by.file) ?? '').position(by.start).line;
    lines.push(`Registered before any search: \`package.${by.table}['${name}']\` is set in \`${displayPath(project.root, by.file)}\` line ${line + 1}`);
  } else {
    lines.push(`${ORIGIN_TEXT[resolution.status]}`);
  }
  if (project.profile === 'openresty') {
    const embedding = workspace.embedding(project);
    const entry = embedding?.mapping.find((e) => e.module === name);
    if (entry && entry.reasons.length === 0) {
      lines.push('', `Embedded as bytecode: symbol \`${entry.symbol}\``);
    } else if (resolution.status === 'file' && project.manifest) {
      lines.push('', `Not embedded (not in "embed" of resty-build.json); require would look its bytecode up as \`${loaderSymbol(name)}\``);
      lines.push(...whyMarkdown(project, embedding, site));
    } else if (resolution.status === 'file') {
      lines.push('', `Bytecode symbol: \`${loaderSymbol(name)}\``);
    }
  }
  return lines.join('\n');
}

export function findHover(workspace: Workspace, file: string, position: Position): Hover | null {
  const project = workspace.projectFor(file);
  const at = locate(workspace, file, position);
  if (at && project.profile === 'luakit') {
    const lk = luakitTargetAt(at.view, at.offset);
    if (lk) {
      const value = lk.kind === 'bk' ? `\`\`\`lua\nbk\n\`\`\`\n\n${BK_DOC}` : luakitMarkdown(lk.head, lk.fn);
      return { contents: { kind: MarkupKind.Markdown, value }, range: at.host.lines.range(at.view.base + lk.start, at.view.base + lk.end) };
    }
  }
  const target = targetAt(workspace, file, position);
  if (!target) {
    return null;
  }
  const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range: target.range });
  switch (target.kind) {
    case 'require':
      return markdown(moduleMarkdown(workspace, project, target.resolution, { file, range: target.range, module: target.resolution.name }));
    case 'alias':
      return markdown(moduleMarkdown(workspace, project, target.resolution));
    case 'member': {
      const { module, member } = target;
      if (!module || !member) {
        const where = module ? ` (\`${displayPath(project.root, module.file)}\`)` : '';
        return markdown(`\`${target.name}\` is not exported by module \`${target.moduleName}\`${where}.`);
      }
      const doc = memberDoc(module.text, module.facts, member);
      const line = module.facts.lines.position(member.nameStart).line + 1;
      // As used here (a re-export may rename it), with the definition's parameters.
      return markdown(
        [
          '```lua',
          `${member.kind === 'function' ? 'function ' : ''}${memberSignature({ ...member, name: target.name }, target.qualifier)}`,
          '```',
          ...(doc ? ['', doc] : []),
          '',
          `Defined in \`${displayPath(project.root, module.file)}:${line}\` (module \`${target.moduleName}\`)`,
        ].join('\n'),
      );
    }
    case 'foreign': {
      const lines = ['```lua', [target.resolution.name, ...target.path].join('.'), '```', '', `A member of module \`${target.resolution.name}\` (${target.resolution.status === 'unresolved' ? 'not found by the loaders' : ORIGIN_TEXT[target.resolution.origin ?? target.resolution.status]}).`];
      if (target.via) {
        const line = target.via.source.facts.lines.position(target.via.member.nameStart).line + 1;
        lines.push('', `Set in \`${displayPath(project.root, target.via.source.file)}:${line}\``);
      }
      return markdown(lines.join('\n'));
    }
    case 'export': {
      const doc = memberDoc(target.text, target.facts, target.member);
      const qualifier = moduleNameOf(project, file)?.name ?? path.basename(file, '.lua');
      return markdown(['```lua', `${target.member.kind === 'function' ? 'function ' : ''}${memberSignature(target.member, qualifier)}`, '```', ...(doc ? ['', doc] : [])].join('\n'));
    }
  }
}
