import { findingLines, findingsJson, hasErrors } from '../core/findingFormat';
import { BuildProject } from '../toolchain/buildProject';
import { AuditResult, auditNginx, formatNgxLuaVersion } from '../toolchain/nginxAudit';
import { BuildArgs } from './build';
import { CommandIO, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK } from './common';

/** One line about the audited binary: what it is, as far as the audit could tell. */
export function describeNginx(result: AuditResult): string {
  const n = result.nginx;
  const parts = [`nginx ${n.version} (${n.binary})`, n.compat ? '--with-compat' : 'without --with-compat'];
  if (n.ngxLuaVersion !== undefined) {
    parts.push(`lua-nginx-module ${formatNgxLuaVersion(n.ngxLuaVersion)}`);
  }
  if (n.luajit) {
    parts.push(`${n.luajit.version ?? 'LuaJIT'} in ${n.luajit.file}${n.luajit.description ? ` (${n.luajit.description})` : ''}`);
  }
  return parts.join(', ');
}

/** `resty-build verify [dir] --nginx <binary>`: the audit of a built nginx, exit 0 / 1 / 2 like check. */
export async function runAudit(project: BuildProject, args: BuildArgs, io: CommandIO, signal: AbortSignal): Promise<number> {
  const out = io.out;
  const err = io.err;
  const result = await auditNginx({ build: project, binary: args.nginx!, compiler: args.luajit, signal, env: io.env });
  if (result.cancelled) {
    err('cancelled');
    return EXIT_INTERRUPTED;
  }
  if (args.format === 'json') {
    out(
      JSON.stringify(
        {
          nginx: result.nginx,
          modules: result.modules,
          dynamicModules: result.dynamicModules,
          loadTest: result.loadTest,
          notes: result.notes,
          diagnostics: findingsJson(result.findings),
        },
        null,
        2,
      ),
    );
  } else {
    out(describeNginx(result));
    for (const m of result.modules.filter((x) => x.loaded !== null)) {
      out(`${m.loaded ? 'ok  ' : 'FAIL'} ${m.module}${m.exported ? '' : ` (${m.symbol} not exported)`}`);
    }
    const untried = result.modules.filter((m) => m.loaded === null);
    if (untried.length > 0) {
      out(`--   ${untried.length} module${untried.length === 1 ? '' : 's'} not tried (nginx stopped first): ${untried.map((m) => m.module).join(', ')}`);
    }
    for (const d of result.dynamicModules) {
      out(`${d.compatible ? 'ok  ' : 'FAIL'} load_module ${d.file}`);
    }
    for (const line of findingLines(result.findings, process.cwd())) {
      out(line);
    }
    for (const note of result.notes) {
      err(`resty-build: ${note}`);
    }
    const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
    const loaded = result.modules.filter((m) => m.loaded === true).length;
    err(`${result.modules.length} embedded modules: ${loaded} load in nginx; ${count('error')} errors, ${count('warning')} warnings`);
  }
  return hasErrors(result.findings) ? EXIT_FINDINGS : EXIT_OK;
}
