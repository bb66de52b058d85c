import { LuaFileFacts } from './luaFile';
import { Project } from './project';
import { notFoundMessage, Resolution } from './resolver';
import { Finding } from './types';

/**
 * The per-file checks: syntax, and every require against the project's
 * loaders. Embedding checks (the closure) build on these.
 */
export function checkLuaFile(file: string, facts: LuaFileFacts, _project: Project, resolve: (name: string) => Resolution): Finding[] {
  const findings: Finding[] = [];
  if (facts.syntaxError) {
    findings.push({
      file,
      range: facts.syntaxError.range,
      severity: 'error',
      code: 'syntax-error',
      message: facts.syntaxError.message,
    });
  }
  for (const site of facts.requires) {
    const range = facts.lines.range(site.start, site.end);
    if (site.dynamic || site.name === undefined) {
      findings.push({
        file,
        range,
        severity: 'info',
        code: 'dynamic-require',
        message: 'The module name is not a literal string, so it cannot be resolved or followed before run time.',
      });
      continue;
    }
    const resolution = resolve(site.name);
    if (resolution.status === 'unresolved') {
      findings.push({
        file,
        range,
        severity: site.optional ? 'warning' : 'error',
        code: 'unresolved-module',
        message: notFoundMessage(resolution) + (site.optional ? '\n(optional: required through pcall)' : ''),
        module: site.name,
      });
    }
  }
  return findings;
}
