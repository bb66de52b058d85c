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

/** What the manifest's `severity` key sets a code to: a severity, or `off` to drop its findings. */
export type SeverityLevel = 'off' | 'info' | 'warning' | 'error';

export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['off', 'info', 'warning', 'error'];

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
    summary:
      "The file does not parse as the project's LuaJIT would parse it: luaparse's LuaJIT dialect (its Lua 5.2 one for a 5.2-compatible LuaJIT, see `luajit.lua52compat`), corrected to agree with LuaJIT on binary literals, a BOM, `break;`, non-ASCII names, malformed numbers (`3y`, `30000if`: one token to LuaJIT's lexer), `f(, x)` and `return , x`; worded as LuaJIT words its errors.",
  },
  'luajit-syntax': {
    severity: 'error',
    summary: 'Lua 5.3/5.4 syntax LuaJIT rejects (`//`, `&`, `|`, `~`, `<<`, `>>`, `<const>`, `<close>`), at the exact token, with the LuaJIT spelling.',
  },
  'unresolved-module': {
    severity: 'error',
    otherwise: 'warning when guarded by `pcall`/`xpcall`',
    summary:
      "No loader finds the module, and the project's code does not put it into `package.loaded`/`package.preload`; the message is Lua's own search trail. A guarded require (`pcall(require, \"x\")`, `xpcall(require, h, \"x\")`, a require inside a function passed to `pcall`/`xpcall`) is a warning, in the embed closure too: the binary takes the guarded branch.",
  },
  'dynamic-require': {
    severity: 'info',
    otherwise: 'warning in the closure',
    summary:
      '`require(expr)`: the name is neither a literal nor built from constants (`local NAME = \"a.b\"; require(NAME)` and `require(\"a.\" .. NAME .. \".c\")` are followed like literals), so it cannot be followed. Require wrappers (`return orig_require(name)`) are not reported.',
  },
  'suspicious-module-name': {
    severity: 'warning',
    otherwise: 'error in the closure',
    summary: 'A name with `..`, an absolute path, empty segments or characters outside `[A-Za-z0-9_.-]`: Lua substitutes it as is, but `luajit -n` rejects it.',
  },
  'not-in-mapping': {
    severity: 'error',
    otherwise: 'warning when guarded by `pcall`/`xpcall`',
    summary:
      "Reached from the embed closure and resolvable, but not embedded: the binary will say `module 'x' not found`. Quick fixes: add it (or the whole closure) to `embed`, or declare it `provided`.",
  },
  'native-module': {
    severity: 'error',
    otherwise: 'warning when guarded and for `ffi.load`',
    summary:
      'Resolves only to a C module on `cpath`, or `ffi.load`s a non-system library (named as `dlopen` gets it: `libqjson.so`, or the path as written), or a library whose name is computed at run time: the Lua part may embed, the native part must ship in the runtime image.',
  },
  'ffi-missing-declaration': {
    severity: 'error',
    otherwise: 'warning inside a function',
    summary:
      "A module of the embed closure reads `ffi.C.<name>` (`local f = C.x`, `C.x(…)`) but no `ffi.cdef` anywhere in the closure declares it: LuaJIT raises \"missing declaration for symbol '<name>'\" where the read runs, so the module fails to load (or, inside a function, that function fails when called). Reads in a function given to `pcall` (probes, as lua-resty-core writes them) are not reported; declarations built at run time (`string.format(\"%s_new(void);\", t)`, `\"int \" .. p .. \"_init(void);\"`) declare every name they can form; an `ffi.cdef` of a variable may declare anything, so its closure gets no verdict. In the `openresty` profile, what `resty.core` and the modules it requires declare counts too (OpenResty loads it at VM start, and the C namespace is the Lua state's): `resty.core.shdict`'s `void free(void *ptr);` declares `C.free` for every module. The `resty.core` found on the project's path stands for the runtime's; when there is none, nothing is assumed.",
  },
  'hyphen-name': {
    severity: 'error',
    summary:
      "A hyphenated name that cannot be embedded. LuaJIT's loader drops everything up to the first `-` (`resty.jit-uuid` is looked up as `luaJIT_BC_uuid`, `a.limit-count.sliding-window` as `luaJIT_BC_count_sliding-window`), and resty-build compiles such modules under that symbol; only a name with nothing after its first `-` has no symbol to look up.",
  },
  'symbol-collision': {
    severity: 'error',
    summary: 'Two embedded modules are looked up under the same symbol (`a.b_c` and `a_b.c`; `a.x-y` and `b.x-y`, or `x-y` and `y`, as the loader drops everything up to the first `-`).',
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
    summary:
      "`luajit.runtime` (for `verify --nginx`: the LuaJIT inside the built nginx) would reject the compiler's bytecode (version or GC64 differ): nginx would not find any embedded module.",
  },
  'verify-failed': {
    severity: 'error',
    summary: "Found by *Verify Embedding* / `resty-build verify`: a probe linked like nginx does not find the module's bytecode.",
  },
  'verify-link-failed': {
    severity: 'error',
    summary: 'Found by *Verify Embedding* / `resty-build verify`: the probe does not link with the link flags.',
  },
  'bytecode-not-exported': {
    severity: 'error',
    summary:
      "Found by `resty-build verify --nginx`: the built nginx's dynamic symbol table (what `nm -D` lists) lacks the module's `luaJIT_BC_` symbol, so `require` cannot find it: its object was not linked in, or, when no such symbol is exported at all, the link lacks `-Wl,-E`.",
  },
  'nginx-load-failed': {
    severity: 'error',
    summary:
      "Found by `verify --nginx`'s load test: the binary itself, under a throw-away prefix with `lua_package_path` on an empty folder, could not `require` the module in `init_by_lua`, or stopped before its Lua VM was ready (`resty.core` failing at VM start, no lua-nginx-module). The message is nginx's own.",
  },
  'ngx-lua-version': {
    severity: 'error',
    summary:
      "Found by `verify --nginx`: a module checks `ngx.config.ngx_lua_version` and raises an error for this binary's lua-nginx-module, as lua-resty-core's `resty.core.base` does for any version but its own (\"ngx_http_lua_module 0.10.26 required\"). Both versions are in the message, at the check.",
  },
  'ffi-undefined-symbol': {
    severity: 'error',
    otherwise: 'warning inside a function',
    summary:
      "Found by `verify --nginx`: `ffi.C.<name>` is declared, but neither the binary nor a library it loads (`ldd`, `load_module`) exports it, so LuaJIT raises \"undefined symbol: <name>\" where it is read: an error when that is at load time, a warning naming the function that fails when called, with the likely cause (an nginx built without SSL, another lua-nginx-module release). Nothing for `pcall` probes, the other subsystem's branch (`http`/`stream`) or another OS's (`jit.os`).",
  },
  'dynamic-module-incompatible': {
    severity: 'error',
    summary:
      'Found by `verify --nginx`, at the `load_module` line: the file is missing, is no nginx module, or was built for another nginx version or module signature (`--with-compat` on one side only): nginx stops with "is not binary compatible".',
  },
  'nginx-without-compat': {
    severity: 'warning',
    summary: "Found by `verify --nginx`: the nginx.conf loads dynamic modules but `nginx -V` has no `--with-compat`, so each module must be built with exactly the same `./configure` arguments.",
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
  'non-utf8-file-name': {
    severity: 'warning',
    summary:
      "A Lua file (or a folder) whose name is not valid UTF-8, reported at the folder that holds it with its bytes written `\\xNN` (ten per folder, the rest counted in one more finding): paths are text to the analysis (and to VS Code), so it is not analysed, nor counted, and a folder is not walked. LuaJIT can `require` such a file (`require \"l\\233\"` finds `l\\xe9.lua`), but `luajit -n` rejects the name, so it cannot be embedded: rename it.",
  },
  'bad-suppression': {
    severity: 'warning',
    summary:
      'A `resty-build: ignore…` comment that silences nothing: it names a code that does not exist (with a "did you mean"), no code at all, or a directive other than `ignore`, `ignore-next-line` and `ignore-file`.',
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

/**
 * Where codes are explained: the README's "Diagnostic codes" table,
 * generated from this registry. Each code cell carries `<a name="…"></a>`
 * with the code's anchor; GitHub keeps such anchors (prefixed
 * `user-content-`, which its fragment handling resolves), so the link
 * scrolls to the code's row and stays stable when the table is reordered or
 * headings change.
 */
export const DOCS_URL = 'https://github.com/resty-build/resty-build/blob/main/README.md';

/** The link a finding with `code` carries to its explanation (LSP codeDescription, SARIF helpUri). */
export function docsUrlFor(code: DiagnosticCode): string {
  return `${DOCS_URL}#${codeInfo(code).anchor}`;
}
