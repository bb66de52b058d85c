import { canRun, FfiEnvironment } from '../lua/ffiEnvironment';
import { FfiDeclaration, FfiFacts, FfiUse } from '../lua/ffiFacts';
import { Finding, Range, Severity } from '../types';

/**
 * The FFI boundary of an embed closure. LuaJIT keeps one C declaration
 * namespace per Lua state, so an `ffi.cdef` in any module that has run
 * declares a name for all of them; reading `ffi.C.<name>` then looks the
 * name up among those declarations ("missing declaration for symbol 'x'"
 * when there is none) and, for a function or variable, as a symbol of
 * the process ("undefined symbol: x" when nothing loaded exports it).
 * Both errors are raised where the read happens: at load time the module
 * fails to load, inside a function only that function fails.
 */

export interface FfiFile {
  file: string;
  ffi: FfiFacts;
  /** Maps offsets of the text to ranges of `file` (an nginx.conf chunk sits inside the conf). */
  toFile: (start: number, end: number) => Range;
}

/** What the closure's `ffi.cdef` strings declare: names, and the patterns of names built at run time. */
export class DeclarationIndex {
  private readonly exact = new Map<string, { decl: FfiDeclaration; file: string }>();
  private readonly patterns: { regex: RegExp; decl: FfiDeclaration; file: string }[] = [];

  /** `runtime`: texts that ran before the closure's (runtimeDeclarations); only their declarations count. */
  constructor(files: readonly FfiFile[], runtime: readonly FfiFile[] = []) {
    for (const f of [...files, ...runtime]) {
      for (const decl of f.ffi.declarations) {
        if (decl.pattern !== undefined) {
          this.patterns.push({ regex: new RegExp(decl.pattern), decl, file: f.file });
        } else if (!this.exact.has(decl.name)) {
          this.exact.set(decl.name, { decl, file: f.file });
        }
      }
    }
  }

  /** The declaration `ffi.C.<name>` finds; one from a template declares the name itself (its symbol is the name). */
  get(name: string): { decl: FfiDeclaration; file: string } | undefined {
    const hit = this.exact.get(name);
    if (hit) {
      return hit;
    }
    const templated = this.patterns.find((p) => p.regex.test(name));
    return templated && { decl: { ...templated.decl, name, symbol: name }, file: templated.file };
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

/** Where a failing read hurts: the whole module at load time, one function otherwise. */
function severityOf(use: FfiUse): Severity {
  return use.loadTime ? 'error' : 'warning';
}

function where(use: FfiUse): string {
  return use.loadTime ? 'when the module loads, so the module fails to load' : `when ${use.functionName} runs, so that function fails`;
}

/**
 * `C.<name>` reads with no `ffi.cdef` declaring the name anywhere in the
 * closure: LuaJIT raises "missing declaration for symbol '<name>'". Reads
 * under pcall are probes and fine. A closure with a cdef whose text is not
 * a literal may declare anything, so it gets no verdict.
 */
export function missingDeclarationFindings(files: readonly FfiFile[], runtime: () => readonly FfiFile[] = () => []): Finding[] {
  if (files.some((f) => f.ffi.opaqueCdef)) {
    return [];
  }
  const declared = new DeclarationIndex(files);
  let declaredAtStart: DeclarationIndex | undefined;
  const findings: Finding[] = [];
  for (const f of files) {
    for (const use of f.ffi.uses) {
      if (use.guarded || declared.has(use.name)) {
        continue;
      }
      declaredAtStart ??= new DeclarationIndex([], runtime());
      if (declaredAtStart.has(use.name)) {
        continue;
      }
      findings.push({
        file: f.file,
        range: f.toFile(use.start, use.end),
        severity: severityOf(use),
        code: 'ffi-missing-declaration',
        message: `ffi.C.${use.name} is not declared by any ffi.cdef in the embed closure: LuaJIT raises "missing declaration for symbol '${use.name}'" ${where(use)}. Declare it with ffi.cdef[[ … ${use.name}(…); ]] (or require the module that does).`,
      });
    }
  }
  return findings;
}

/** Who exports a symbol in the running nginx: the binary, a library it links, a dynamic module. */
export type SymbolOwner = (symbol: string) => string | undefined;

export interface SymbolAudit {
  files: readonly FfiFile[];
  /** Declared before the closure ran (resty.core's, in OpenResty): their reads are not audited. */
  runtime?: readonly FfiFile[];
  env: FfiEnvironment;
  owner: SymbolOwner;
  /** Why a symbol may be missing from this binary, from its name and `nginx -V` (e.g. "built without SSL"). */
  likelyCause: (symbol: string) => string;
  /** The binary, for messages. */
  binary: string;
}

/**
 * Reads of declared functions and variables that nothing in the running
 * nginx exports: "undefined symbol: <name>". Errors where the module cannot
 * load, warnings naming the function that fails when called, nothing for
 * pcall-guarded probes, branches for the other subsystem or another OS, and
 * constants (enum values, static const), which need no symbol.
 */
export function undefinedSymbolFindings(audit: SymbolAudit): Finding[] {
  const declared = new DeclarationIndex(audit.files, audit.runtime);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const f of audit.files) {
    for (const use of f.ffi.uses) {
      const decl = declared.get(use.name)?.decl;
      if (use.guarded || !decl || decl.kind === 'constant' || !canRun(use.conditions, audit.env)) {
        continue;
      }
      if (audit.owner(decl.symbol) !== undefined) {
        continue;
      }
      const key = `${f.file}:${use.start}`;
      if (seen.has(key)) {
        continue;
      }
      seen.add(key);
      const symbol = decl.symbol === use.name ? use.name : `${use.name} (symbol ${decl.symbol})`;
      findings.push({
        file: f.file,
        range: f.toFile(use.start, use.end),
        severity: severityOf(use),
        code: 'ffi-undefined-symbol',
        message: `${audit.binary} and the libraries it loads do not export ${symbol}: LuaJIT raises "undefined symbol: ${decl.symbol}" ${where(use)}. ${audit.likelyCause(decl.symbol)}`,
      });
    }
  }
  return findings;
}
