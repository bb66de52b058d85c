import * as path from 'node:path';
import { Hover, MarkupKind, Position } from 'vscode-languageserver/node';
import { memberSignature } from '../core/navigate/exports';
import { BK_DOC, luakitMarkdown } from '../core/navigate/luakitApi';
import { luakitTargetAt } from '../core/navigate/luakitNav';
import { memberDoc } from '../core/navigate/luaViews';
import { moduleNameOf } from '../core/navigate/moduleCatalog';
import { locate, targetAt } from '../core/navigate/moduleNav';
import { loaderSymbol } from '../core/embed/mapping';
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

/** Markdown for a module: its file, origin, embedding and bytecode symbol, or Lua's own not-found trail. */
export function moduleMarkdown(workspace: Workspace, project: Project, resolution: Resolution): string {
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
    case 'alias':
      return markdown(moduleMarkdown(workspace, project, target.resolution));
    case 'member': {
      const { module, member } = target;
      if (!module || !member) {
        const where = module ? ` (\`${displayPath(project.root, module.file)}\`)` : '';
        return markdown(`\`${target.name}\` is not exported by module \`${target.resolution.name}\`${where}.`);
      }
      const doc = memberDoc(module.text, module.facts, member);
      const line = module.facts.lines.position(member.nameStart).line + 1;
      return markdown(
        [
          '```lua',
          `${member.kind === 'function' ? 'function ' : ''}${memberSignature(member, target.binding.name)}`,
          '```',
          ...(doc ? ['', doc] : []),
          '',
          `Defined in \`${displayPath(project.root, module.file)}:${line}\` (module \`${target.resolution.name}\`)`,
        ].join('\n'),
      );
    }
    case 'export': {
      const doc = memberDoc(target.text, target.facts, target.member);
      const qualifier = moduleNameOf(project, file)?.name ?? path.basename(file, '.lua');
      return markdown(['```lua', `${target.member.kind === 'function' ? 'function ' : ''}${memberSignature(target.member, qualifier)}`, '```', ...(doc ? ['', doc] : [])].join('\n'));
    }
  }
}
