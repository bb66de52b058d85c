/**
 * Every diagnostic code the product emits, in one place: its default
 * severity, a one-line summary and where it is explained. `Finding.code` is
 * typed by this table, so a finding with a code that is not listed here does
 * not compile; the README's "Diagnostic codes" table is generated from it
 * (`npm run docs:codes`) and a test holds the two equal.
 *
 * Codes are a contract (CLI JSON, problem matchers, editor filters): a code
 * is only ever added, never renamed.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

interface CodeSpec {
  /** The severity a finding with this code gets unless its context says otherwise. */
  severity: Severity;
  /** When the severity differs from the default, as a short phrase ("warning through `pcall`"). */
  otherwise?: string;
  /** One line of Markdown: what the finding means and, where it helps, what to do. */
  summary: string;
}

const CODES = {
  'syntax-error': {
    severity: 'error',
    summary: "The file does not parse as LuaJIT would parse it (luaparse's LuaJIT dialect, corrected for binary literals and a BOM).",
  },
  'luajit-syntax': {
    severity: 'error',
    summary: 'Lua 5.3/5.4 syntax LuaJIT rejects (`//`, `&`, `|`, `~`, `<<`, `>>`, `<const>`, `<close>`), at the exact token, with the LuaJIT spelling.',
  },
  'unresolved-module': {
    severity: 'error',
    otherwise: 'warning through `pcall`',
    summary: "No loader finds the module; the message is Lua's own search trail. Inside the embed closure it is always an error.",
  },
  'dynamic-require': {
    severity: 'info',
    otherwise: 'warning in the closure',
    summary: '`require(expr)`: the name is not a literal and cannot be followed. Require wrappers (`return orig_require(name)`) are not reported.',
  },
  'suspicious-module-name': {
    severity: 'warning',
    otherwise: 'error in the closure',
    summary: 'A name with `..`, an absolute path, empty segments or characters outside `[A-Za-z0-9_.-]`: Lua substitutes it as is, but `luajit -n` rejects it.',
  },
  'not-in-mapping': {
    severity: 'error',
    otherwise: 'warning through `pcall`',
    summary:
      "Reached from the embed closure and resolvable, but not embedded: the binary will say `module 'x' not found`. Quick fixes: add it (or the whole closure) to `embed`, or declare it `provided`.",
  },
  'native-module': {
    severity: 'error',
    otherwise: 'warning through `pcall` and for `ffi.load`',
    summary: "Resolves only to a C module on `cpath`, or `ffi.load`s a non-system library: the Lua part may embed, the native part must ship in the runtime image.",
  },
  'hyphen-name': {
    severity: 'error',
    summary: 'A hyphenated name is cut after its first `-` at run time (`foo-bar` looks for `luaJIT_BC_bar`): it can never be found as embedded bytecode.',
  },
  'symbol-collision': {
    severity: 'error',
    summary: 'Two embedded modules compile to the same symbol (`a.b_c` and `a_b.c`).',
  },
  'duplicate-mapping': {
    severity: 'warning',
    summary: 'The same module twice in `embed`.',
  },
  'mapping-file-missing': {
    severity: 'error',
    summary: 'An `embed` entry whose source cannot be found.',
  },
  'mapping-name-mismatch': {
    severity: 'info',
    summary: 'An explicit file whose name would give another symbol when compiled without `-n`.',
  },
  'manifest-invalid': {
    severity: 'error',
    summary: 'The manifest is not valid JSON, is empty or nested too deeply to read, or does not fit the schema.',
  },
  'manifest-unknown-key': {
    severity: 'error',
    summary: 'A key the manifest schema does not know, with a "did you mean" when a known key is close.',
  },
  'luakit-sandbox': {
    severity: 'warning',
    summary: 'A luakit build script (or a module it requires) uses a global the luakit sandbox removes (`io.*`, `os.execute`, `loadfile`, …): it is nil when the build runs.',
  },
  'compile-error': {
    severity: 'error',
    summary: 'Found by *Compile Bytecode* / `resty-build compile`: luajit rejected the file, at the line it names. See [docs/build-commands.md](docs/build-commands.md).',
  },
  'compiler-failed': {
    severity: 'error',
    summary: 'Found by *Compile Bytecode* / `resty-build compile`: luajit hung and was killed, died, did not behave like LuaJIT, or wrote no object.',
  },
  'symbol-missing': {
    severity: 'error',
    summary: 'Found by *Compile Bytecode* / `resty-build compile`: the object luajit wrote is unreadable or lacks its `luaJIT_BC_` symbol, so require would not find it.',
  },
  'bad-module-name': {
    severity: 'error',
    summary: 'Found by *Compile Bytecode* / `resty-build compile`: not compiled, the module name has characters `luajit -n` rejects (allowed: letters, digits, `_`, `.`, `-`).',
  },
  'runtime-unknown': {
    severity: 'warning',
    summary: '`luajit.runtime` could not be identified: bytecode compatibility with the compiler is unchecked.',
  },
  'bytecode-mismatch': {
    severity: 'error',
    summary: "`luajit.runtime` would reject the compiler's bytecode (version or GC64 differ): nginx would not find any embedded module.",
  },
  'verify-failed': {
    severity: 'error',
    summary: "Found by *Verify Embedding* / `resty-build verify`: a probe linked like nginx does not find the module's bytecode.",
  },
  'verify-link-failed': {
    severity: 'error',
    summary: 'Found by *Verify Embedding* / `resty-build verify`: the probe does not link with the link flags.',
  },
  'manifest-path-outside': {
    severity: 'warning',
    otherwise: 'error for `outDir`',
    summary:
      "A manifest path leaves the manifest's folder: a warning for what is read there (`path`/`cpath` templates written relative, `stdlib`, `buildScript`, `nginxConf`, an embed `file`; absolute `path` templates such as `/usr/share/lua/5.1/?.lua` name search roots and are fine), an **error** for `outDir`, where the build writes and deletes.",
  },
  'outdir-overlaps-sources': {
    severity: 'error',
    summary:
      "`outDir` is the project folder, or is, lies inside or contains a source folder, however it became one (a `path`/`cpath` template root inside the project, the nginx.conf's `lua_package_path`, the inferred default path, an embed `file`'s folder, the luakit context or `stdlib`), compared as written and, when building, by real path (symbolic links resolved). Compile refuses to start.",
  },
  'unsafe-input': {
    severity: 'error',
    summary:
      'A file the manifest names (`nginxConf`, `buildScript`, an embed `file`) is a FIFO, a device, a socket or larger than 64 MB (`MAX_INPUT_BYTES`, `server/src/core/fs.ts`): it is not read, so nothing waits on it or reads it without end.',
  },
  'too-many-requires': {
    severity: 'warning',
    summary:
      'The file has more requires than `MAX_REQUIRES_PER_FILE` (10 000, `server/src/core/lua/luaScan.ts`): the ones after it are not resolved, followed or checked (reported at the first one left out).',
  },
  'build-cache-ignored': {
    severity: 'warning',
    summary:
      "Found by *Compile Bytecode* / `resty-build compile`: entries of `outDir`'s `.resty-build-cache.json` that do not name a plain object file directly inside `outDir` were ignored, never followed or deleted (the cache is untrusted input, e.g. from a cloned repository).",
  },
  'require-cycle': {
    severity: 'warning',
    summary:
      "A load-time require cycle (`a -> b -> c -> a`), reported once at the require that closes it: LuaJIT raises \"loop or previous error loading module 'a'\". Requires inside a function body run later and do not count.",
  },
  'too-complex': {
    severity: 'warning',
    summary: 'The file is nested too deeply for the parser (it ran out of stack), so its syntax was not checked; its requires still are. LuaJIT itself rejects more than 200 nested levels.',
  },
  'file-too-large': {
    severity: 'info',
    summary: 'The file is larger than `PARSE_SIZE_LIMIT` (5 MB, `server/src/core/lua/luaFile.ts`): its syntax is not parsed and navigation (outline, members, aliases) skips it, but the lexer still finds and resolves its requires.',
  },
} as const satisfies Record<string, CodeSpec>;

export type DiagnosticCode = keyof typeof CODES;

export interface DiagnosticCodeInfo extends CodeSpec {
  code: DiagnosticCode;
  /** The fragment of the code's row in the README's "Diagnostic codes" table. */
  anchor: string;
}

/** Every code, in the order the README lists them. */
export const DIAGNOSTIC_CODES: readonly DiagnosticCodeInfo[] = Object.entries(CODES).map(([code, spec]) => ({
  code: code as DiagnosticCode,
  anchor: `code-${code}`,
  ...spec,
}));

const BY_CODE = new Map(DIAGNOSTIC_CODES.map((info) => [info.code, info]));

export function codeInfo(code: DiagnosticCode): DiagnosticCodeInfo {
  return BY_CODE.get(code)!;
}

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return BY_CODE.has(code as DiagnosticCode);
}
