import { findModuleBindings, ModuleBinding } from './aliases';
import { docCommentAbove } from './docComments';
import { analyzeExports, ExportedMember, ModuleExports } from './exports';
import { analyzeLua, LuaFileFacts, PARSE_SIZE_LIMIT } from '../lua/luaFile';
import { Token, tokenize } from '../lua/luaLexer';
import { isNginxConfFile, parseNginxConf } from '../nginx/nginxConf';
import { LineIndex } from '../types';
import type { AnalysedWorkspace } from '../workspace/analysedWorkspace';

/**
 * Lua code inside a host file: the whole of a `.lua` file, or one
 * `*_by_lua_block { … }` / `*_by_lua '…'` chunk of an nginx configuration.
 * Offsets inside `text` plus `base` are offsets in the host file.
 */
export interface LuaView {
  text: string;
  facts: LuaFileFacts;
  base: number;
}

export interface HostViews {
  file: string;
  /** Positions of the host file. */
  lines: LineIndex;
  views: LuaView[];
  isConf: boolean;
}

/** Facts of conf chunks, by chunk text: chunks rarely change while the conf is edited elsewhere. */
const chunkFacts = new Map<string, LuaFileFacts>();
const confCache = new Map<string, { text: string; host: HostViews }>();

function factsOfChunk(text: string): LuaFileFacts {
  let facts = chunkFacts.get(text);
  if (!facts) {
    if (chunkFacts.size > 2000) {
      chunkFacts.clear();
    }
    facts = analyzeLua(text);
    chunkFacts.set(text, facts);
  }
  return facts;
}

/** The Lua views of a file: one for a `.lua` file, one per Lua chunk of an nginx conf. */
export function hostViews(workspace: AnalysedWorkspace, file: string): HostViews | undefined {
  if (file.endsWith('.lua')) {
    const text = workspace.readText(file);
    const facts = text !== undefined ? workspace.facts(file) : undefined;
    if (text === undefined || !facts) {
      return undefined;
    }
    return { file, lines: facts.lines, views: [{ text, facts, base: 0 }], isConf: false };
  }
  if (!isNginxConfFile(file) && !workspace.allProjects().some((p) => p.nginxConfFile === file)) {
    return undefined;
  }
  const text = workspace.readText(file);
  if (text === undefined) {
    return undefined;
  }
  const cached = confCache.get(file);
  if (cached && cached.text === text) {
    return cached.host;
  }
  const conf = parseNginxConf(text);
  const host: HostViews = {
    file,
    lines: new LineIndex(text),
    views: conf.chunks.map((c) => ({ text: c.text, facts: factsOfChunk(c.text), base: c.offset })),
    isConf: true,
  };
  confCache.set(file, { text, host });
  return host;
}

/** The view holding host offset `offset` (chunks: inside their text, ends included). */
export function viewAt(host: HostViews, offset: number): LuaView | undefined {
  return host.views.find((v) => v.base <= offset && offset <= v.base + v.text.length);
}

interface NavCache {
  tokens?: Token[];
  bindings?: ModuleBinding[];
  exports?: ModuleExports;
  docs?: Map<ExportedMember, string | undefined>;
}

/** Navigation facts derived lazily from a file's facts, cached as long as those facts are (i.e. by content). */
const navCache = new WeakMap<LuaFileFacts, NavCache>();

function nav(facts: LuaFileFacts): NavCache {
  let c = navCache.get(facts);
  if (!c) {
    c = {};
    navCache.set(facts, c);
  }
  return c;
}

/**
 * A text larger than the parser takes is not tokenized for navigation
 * either: its tokens as objects would take ten times its size (a 20 MB
 * document, hundreds of MB), for an outline nobody reads. Its requires are
 * still found by the scanner.
 */
function navigationTokens(text: string): Token[] {
  return text.length > PARSE_SIZE_LIMIT ? [] : tokenize(text);
}

export function tokensOf(view: { text: string; facts: LuaFileFacts }): Token[] {
  const c = nav(view.facts);
  return (c.tokens ??= navigationTokens(view.text));
}

export function bindingsOf(view: { text: string; facts: LuaFileFacts }): ModuleBinding[] {
  const c = nav(view.facts);
  return (c.bindings ??= findModuleBindings(tokensOf(view), view.facts.requires, view.text.length));
}

/** What a module file returns; parsed once per content (the text is only read, when given lazily, to parse it). */
export function exportsOf(text: string | (() => string), facts: LuaFileFacts): ModuleExports {
  const c = nav(facts);
  if (!c.exports) {
    const source = typeof text === 'string' ? text : text();
    // The tokens are not kept: workspace-wide symbol searches visit every file once.
    c.exports = analyzeExports(source, c.tokens ?? navigationTokens(source));
  }
  return c.exports;
}

/** Exports of a module file in the workspace (or stdlib), or undefined when it cannot be read. */
export function fileExports(workspace: AnalysedWorkspace, file: string): { text: string; facts: LuaFileFacts; exports: ModuleExports } | undefined {
  const text = workspace.readText(file);
  const facts = text !== undefined ? workspace.facts(file) : undefined;
  if (text === undefined || !facts) {
    return undefined;
  }
  return { text, facts, exports: exportsOf(text, facts) };
}

export function memberDoc(text: string, facts: LuaFileFacts, member: ExportedMember): string | undefined {
  const c = nav(facts);
  c.docs ??= new Map();
  if (!c.docs.has(member)) {
    c.docs.set(member, docCommentAbove(text, member.declStart));
  }
  return c.docs.get(member);
}
