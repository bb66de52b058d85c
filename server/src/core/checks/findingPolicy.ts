import * as path from 'node:path';
import { DiagnosticCode, SeverityLevel } from '../codes';
import { LuaFileFacts } from '../lua/luaFile';
import { findSuppressionComments } from '../lua/suppressionComments';
import { MANIFEST_NAME } from '../manifest/manifest';
import { Finding, LineIndex } from '../types';
import type { AnalysedWorkspace } from '../workspace/analysedWorkspace';
import { FileSuppressions, resolveSuppressions, withoutSuppressed } from './suppressions';

// What the team decided about findings, applied last and in one place, so
// the CLI and the editor agree: the suppression comments of the file, then
// the `severity` key of the manifest of the project the file belongs to.

const NO_LEVELS: ReadonlyMap<DiagnosticCode, SeverityLevel> = new Map();

/** Per facts object: a Lua file's comments are read again only when its text changed. */
const luaSuppressions = new WeakMap<LuaFileFacts, FileSuppressions>();

function suppressionsOf(workspace: AnalysedWorkspace, file: string): FileSuppressions | undefined {
  if (file.endsWith('.lua')) {
    const facts = workspace.facts(file);
    if (!facts || facts.suppressions.length === 0) {
      return undefined;
    }
    let resolved = luaSuppressions.get(facts);
    if (!resolved) {
      resolved = resolveSuppressions(file, facts.suppressions, facts.lines);
      luaSuppressions.set(facts, resolved);
    }
    return resolved;
  }
  const text = workspace.readText(file);
  const comments = text === undefined ? [] : findSuppressionComments(text, path.basename(file) === MANIFEST_NAME ? 'json' : 'conf');
  return comments.length === 0 ? undefined : resolveSuppressions(file, comments, new LineIndex(text!));
}

/** Every finding of a code set in the manifest's `severity` gets that severity; `off` drops it. */
export function withSeverityLevels(findings: readonly Finding[], levels: ReadonlyMap<DiagnosticCode, SeverityLevel>): Finding[] {
  if (levels.size === 0) {
    return [...findings];
  }
  const out: Finding[] = [];
  for (const f of findings) {
    const level = levels.get(f.code);
    if (level === undefined || level === f.severity) {
      out.push(f);
    } else if (level !== 'off') {
      out.push({ ...f, severity: level });
    }
  }
  return out;
}

/** The findings of `file` as they are reported: suppressions applied (and their own problems added), then severities. */
export function applyFindingPolicy(workspace: AnalysedWorkspace, file: string, findings: readonly Finding[]): Finding[] {
  const suppressions = suppressionsOf(workspace, file);
  const kept = suppressions ? withoutSuppressed([...findings, ...suppressions.problems], suppressions) : findings;
  return withSeverityLevels(kept, workspace.projectFor(file).manifest?.severity ?? NO_LEVELS);
}
