import api from './luakit-api.json';
import { declaredAt, ModuleBinding } from './aliases';
import { isPunct, Token } from '../lua/luaLexer';

/** One function of the luakit API: `[name, type, description]` per parameter. */
export interface LuakitFunction {
  params: [string, string, string][];
  returns: string;
  doc: string;
}

const BK = api.globals.bk.functions as unknown as Record<string, LuakitFunction>;
const STATE = api.stateMethods as unknown as Record<string, LuakitFunction>;

export const BK_DOC: string = api.globals.bk.doc;

export function bkFunction(name: string): LuakitFunction | undefined {
  return Object.hasOwn(BK, name) ? BK[name] : undefined;
}

export function stateMethod(name: string): LuakitFunction | undefined {
  return Object.hasOwn(STATE, name) ? STATE[name] : undefined;
}

export function bkFunctions(): [string, LuakitFunction][] {
  return Object.entries(BK);
}

export function stateMethods(): [string, LuakitFunction][] {
  return Object.entries(STATE);
}

/** `bk.image(ref: string, opts?: table) -> State`; `head` is `bk.image` or `state:run`. */
export function luakitSignature(head: string, fn: LuakitFunction): string {
  const params = fn.params.map(([n, t]) => (t.endsWith('?') ? `${n}?: ${t.slice(0, -1)}` : `${n}: ${t}`));
  return `${head}(${params.join(', ')}) -> ${fn.returns}`;
}

export function luakitMarkdown(head: string, fn: LuakitFunction): string {
  const params = fn.params.map(([n, t, d]) => `- \`${n}\` (${t}): ${d}`);
  return ['```lua', luakitSignature(head, fn), '```', '', fn.doc, ...(params.length > 0 ? ['', ...params] : [])].join('\n');
}

const REMOVED = new Set<string>(api.sandbox.removed);

export interface SandboxViolation {
  /** `os.execute`, `loadfile`, `debug.traceback`, … */
  name: string;
  start: number;
  end: number;
}


/**
 * Uses of what the luakit sandbox removes (pkg/luavm: os.execute/exit/remove/
 * rename/tmpname, io.open/popen/input/output/lines, loadfile, dofile, debug),
 * unless a local of the same name shadows the global.
 */
export function findSandboxViolations(tokens: Token[], bindings: readonly ModuleBinding[]): SandboxViolation[] {
  const out: SandboxViolation[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = tokens[i - 1];
    if (t.kind !== 'name' || isPunct(prev, '.') || isPunct(prev, ':') || (prev?.kind === 'name' && (prev.value === 'function' || prev.value === 'local'))) {
      continue;
    }
    if (declaredAt(bindings, t.value, t.start)) {
      continue;
    }
    const sep = tokens[i + 1];
    const member = tokens[i + 2];
    if ((t.value === 'os' || t.value === 'io') && isPunct(sep, '.') && member?.kind === 'name' && REMOVED.has(`${t.value}.${member.value}`)) {
      out.push({ name: `${t.value}.${member.value}`, start: t.start, end: member.end });
    } else if (t.value === 'debug') {
      const dotted = (isPunct(sep, '.') || isPunct(sep, ':')) && member?.kind === 'name';
      out.push({ name: dotted ? `debug.${member.value}` : 'debug', start: t.start, end: dotted ? member.end : t.end });
    } else if ((t.value === 'loadfile' || t.value === 'dofile') && REMOVED.has(t.value)) {
      out.push({ name: t.value, start: t.start, end: t.end });
    }
  }
  return out;
}
