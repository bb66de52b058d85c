import * as path from 'node:path';
import { LuaFileFacts } from '../lua/luaFile';
import { MAX_REQUIRES_PER_FILE } from '../lua/luaScan';
import { MappingEntry, symbolFromFileName, unembeddableHyphenReason } from '../embed/mapping';
import { Manifest } from '../manifest/manifest';
import { suspiciousNameReason } from '../resolve/moduleNames';
import { ProjectDialect } from '../resolve/project';
import { notFoundMessage, Resolution, searchTrail } from '../resolve/resolver';
import { Finding } from '../types';

/**
 * The per-file checks: syntax, and every require against the project's
 * loaders. For a file inside the embed closure, the closure judges the
 * requires instead (`inClosure`), so a site never gets two verdicts.
 */
/** `resolve` answers undefined for a name it cannot judge yet: no finding is made of it. */
export function checkLuaFile(file: string, facts: LuaFileFacts, resolve: (name: string) => Resolution | undefined, inClosure = false, dialect: ProjectDialect = PLAIN_DIALECT): Finding[] {
  const findings = syntaxFindings(file, facts, dialect);
  if (facts.requiresCut) {
    findings.push({
      file,
      range: facts.requiresCut.range,
      severity: 'warning',
      code: 'too-many-requires',
      message: `This file has ${facts.requiresCut.total} requires; only the first ${MAX_REQUIRES_PER_FILE} are resolved and checked, from here on they are not.`,
    });
  }
  if (inClosure) {
    return findings;
  }
  for (const site of facts.requires) {
    const range = facts.lines.range(site.start, site.end);
    if (site.dynamic || site.name === undefined) {
      if (!site.forwarding) {
        findings.push({
          file,
          range,
          severity: 'info',
          code: 'dynamic-require',
          message: 'The module name is neither a literal string nor built from constants, so it cannot be resolved or followed before run time.',
        });
      }
      continue;
    }
    const odd = suspiciousNameReason(site.name);
    if (odd) {
      findings.push({
        file,
        range,
        severity: 'warning',
        code: 'suspicious-module-name',
        message: `Suspicious module name '${site.name}': ${odd}. Lua substitutes it into the search templates as is; it cannot be embedded as bytecode.`,
        module: site.name,
      });
    }
    const resolution = resolve(site.name);
    if (resolution?.status === 'unresolved') {
      findings.push({
        file,
        range,
        severity: site.optional ? 'warning' : 'error',
        code: 'unresolved-module',
        message: notFoundMessage(resolution) + (site.optional ? '\n(optional: guarded by pcall/xpcall)' : ''),
        module: site.name,
        trail: searchTrail(resolution),
      });
    }
  }
  return findings;
}

const PLAIN_DIALECT: ProjectDialect = { lua52compat: false, source: 'default' };

/** Why the verdict is a plain LuaJIT's, when a 5.2-compatible one (OpenResty's) would accept the file. */
function dialectHint(facts: LuaFileFacts, dialect: ProjectDialect): string {
  if (dialect.lua52compat || !facts.lua52MayAccept || facts.syntaxErrorFor({ lua52compat: true }) !== undefined) {
    return '';
  }
  const why = dialect.source === 'manifest' ? '"luajit.lua52compat" is false' : dialect.source === 'default' ? 'nothing says otherwise' : `the ${dialect.source} LuaJIT is not 5.2-compatible`;
  return `\n(judged as a plain LuaJIT, as ${why}; a LuaJIT built with LUAJIT_ENABLE_LUA52COMPAT, as OpenResty builds it, accepts this file: set "luajit.lua52compat": true in resty-build.json if that is the runtime)`;
}

/** What a file's text alone says: syntax errors (as the project's LuaJIT judges them), Lua 5.3 syntax, and analysis it had to skip. */
export function syntaxFindings(file: string, facts: LuaFileFacts, dialect: ProjectDialect = PLAIN_DIALECT): Finding[] {
  const findings: Finding[] = [];
  const syntaxError = facts.syntaxErrorFor(dialect);
  if (syntaxError) {
    findings.push({ file, range: syntaxError.range, severity: 'error', code: 'syntax-error', message: syntaxError.message + dialectHint(facts, dialect) });
  }
  if (facts.skipped) {
    // Skipped work is not a fault of the code: an info (a warning when the nesting is absurd).
    const severity = facts.skipped.code === 'too-complex' ? 'warning' : 'info';
    findings.push({ file, range: facts.skipped.range, severity, code: facts.skipped.code, message: facts.skipped.message });
  }
  for (const problem of facts.luajitSyntax) {
    findings.push({ file, range: problem.range, severity: 'error', code: 'luajit-syntax', message: problem.message });
  }
  return findings;
}

/** Problems of the name mapping itself, reported at the manifest's `embed` entries. */
export function checkMapping(manifest: Manifest, mapping: MappingEntry[]): Finding[] {
  const findings: Finding[] = [];
  const at = (entry: MappingEntry, severity: Finding['severity'], code: Finding['code'], message: string) =>
    findings.push({ file: manifest.file, range: entry.range, severity, code, message, module: entry.module });
  const firstByModule = new Map<string, MappingEntry>();
  const bySymbol = new Map<string, MappingEntry[]>();
  for (const entry of mapping) {
    const first = firstByModule.get(entry.module);
    if (first) {
      at(entry, 'warning', 'duplicate-mapping', `'${entry.module}' is already in "embed" (line ${first.range.start.line + 1}).`);
      continue;
    }
    firstByModule.set(entry.module, entry);
    bySymbol.set(entry.symbol, [...(bySymbol.get(entry.symbol) ?? []), entry]);
    for (const reason of entry.reasons) {
      at(entry, 'error', reason.code, reason.message);
    }
    const odd = suspiciousNameReason(entry.module);
    const hyphen = unembeddableHyphenReason(entry.module);
    if (odd) {
      at(entry, 'error', 'suspicious-module-name', `'${entry.module}' cannot be embedded: ${odd}, and luajit -n rejects such names.`);
    } else if (hyphen) {
      at(entry, 'error', 'hyphen-name', `'${entry.module}' can never be found as embedded bytecode: ${hyphen}. Rename the module.`);
    }
    if (entry.file && entry.origin === 'explicit') {
      const derived = symbolFromFileName(entry.file);
      if (derived !== entry.symbol) {
        const { name, compiledSymbol } = entry.naming;
        // luajit turns every '-' into '_', so a symbol that keeps one comes only from a rename, never from a file name.
        const how =
          compiledSymbol === entry.symbol
            ? `resty-build always passes -n ${name}; a hand-written build must do the same (or name the file ${entry.flatName})`
            : `resty-build passes -n ${name} and renames the ${compiledSymbol} luajit writes to ${entry.symbol} (objcopy --redefine-sym), as luajit turns every '-' into '_'; a hand-written build must do the same`;
        at(entry, 'info', 'mapping-name-mismatch', `Compiled without -n, '${path.basename(entry.file)}' would export ${derived}, not ${entry.symbol}. ${how}.`);
      }
    }
  }
  for (const [symbol, entries] of bySymbol) {
    if (entries.length > 1) {
      for (const entry of entries) {
        const others = entries.filter((e) => e !== entry).map((e) => `'${e.module}'`).join(', ');
        const hyphenated = entries.some((e) => e.module.includes('-'));
        const how = hyphenated ? `are looked up under the same symbol, ${symbol} (require drops everything up to a name's first '-')` : `both compile to ${symbol}`;
        at(entry, 'error', 'symbol-collision', `'${entry.module}' and ${others} ${how}: the link fails with a duplicate symbol, or one silently shadows the other in an archive. Rename one of them.`);
      }
    }
  }
  return findings;
}
