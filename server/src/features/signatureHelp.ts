import { MarkupKind, ParameterInformation, Position, SignatureHelp, SignatureInformation } from '../lsp';
import { ChainFollower, tokenStartingAt } from '../core/navigate/chains';
import { memberSignature } from '../core/navigate/exports';
import { bkFunction, luakitSignature, stateMethod } from '../core/navigate/luakitApi';
import { isBkGlobal } from '../core/navigate/luakitNav';
import { callContextAt } from '../core/navigate/luaContext';
import { memberDoc, tokensOf } from '../core/navigate/luaViews';
import { chainAt, locate, luaAt } from '../core/navigate/moduleNav';
import { Workspace } from '../core/workspace/workspace';

/** A signature whose parameters are located by offsets in its label (no ambiguity with repeated names). */
function signature(label: string, params: string[], doc?: string): SignatureInformation {
  const open = label.indexOf('(');
  const parameters: ParameterInformation[] = [];
  let from = open + 1;
  for (const p of params) {
    const at = label.indexOf(p, from);
    if (at < 0) {
      break;
    }
    parameters.push({ label: [at, at + p.length] });
    from = at + p.length;
  }
  return { label, parameters, documentation: doc ? { kind: MarkupKind.Markdown, value: doc } : undefined };
}

/**
 * Signature help inside a call of a module's function (`alias.fn(…)`,
 * `core.json.encode(…)`, `require("m").f(…)`, `m["f"](…)`, a local bound to one), and in
 * luakit projects `bk.fn(…)` / `state:method(…)`.
 */
export function findSignatureHelp(workspace: Workspace, file: string, position: Position): SignatureHelp | null {
  const at = locate(workspace, file, position);
  if (!at) {
    return null;
  }
  const { host, view, offset } = at;
  const tokens = tokensOf(view);
  const call = callContextAt(tokens, offset);
  if (!call) {
    return null;
  }
  const project = workspace.projectFor(file);
  const help = (sig: SignatureInformation): SignatureHelp => ({
    signatures: [sig],
    activeSignature: 0,
    activeParameter: Math.min(call.activeParameter, Math.max(0, (sig.parameters?.length ?? 1) - 1)),
  });
  const calleeIndex = tokenStartingAt(tokens, call.calleeEnd.start);
  const chain = calleeIndex >= 0 ? chainAt(view, tokens, calleeIndex) : undefined;
  const value = chain && new ChainFollower(workspace).valueOf(luaAt(host, view), chain.ref);
  if (value && value.kind !== 'opaque') {
    if (value.kind !== 'member' || value.member.kind !== 'function') {
      return null;
    }
    const { source, member } = value;
    // `m:f(x)` on a function defined with `.` passes m as the first parameter.
    const params = [...(member.params ?? [])];
    const shift = call.separator === ':' && !member.method ? 1 : 0;
    const sig = signature(memberSignature({ ...member, name: call.callee.value }, chain.qualifier), params, memberDoc(source.text, source.facts, member));
    return { ...help(sig), activeParameter: Math.min(call.activeParameter + shift, Math.max(0, params.length - 1)) };
  }
  if (!call.receiver || !call.separator) {
    return null;
  }
  if (project.profile !== 'luakit') {
    return null;
  }
  if (call.separator === '.' && call.receiver.kind === 'name' && isBkGlobal(view, call.receiver.value, call.receiver.start)) {
    const fn = bkFunction(call.callee.value);
    if (fn) {
      const label = luakitSignature(`bk.${call.callee.value}`, fn);
      return help(signature(label, fn.params.map(([n]) => n), fn.doc));
    }
  }
  if (call.separator === ':') {
    const fn = stateMethod(call.callee.value);
    if (fn) {
      const label = luakitSignature(`state:${call.callee.value}`, fn);
      return help(signature(label, fn.params.map(([n]) => n), fn.doc));
    }
  }
  return null;
}
