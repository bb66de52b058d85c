import { AuditResult } from './nginxAudit';
import { formatNgxLuaVersion } from './nginxBinary';

/** One line about the audited binary, as far as the audit could tell: version, --with-compat, lua-nginx-module, LuaJIT. */
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

/** The binary, then one line per embedded module the load test tried, the modules it never reached, the load_module files. */
export function auditLines(result: AuditResult): string[] {
  const lines = [describeNginx(result)];
  for (const m of result.modules.filter((x) => x.loaded !== null)) {
    lines.push(`${m.loaded ? 'ok  ' : 'FAIL'} ${m.module}${m.exported ? '' : ` (${m.symbol} not exported)`}`);
  }
  const untried = result.modules.filter((m) => m.loaded === null);
  if (untried.length > 0) {
    lines.push(`--   ${untried.length} module${untried.length === 1 ? '' : 's'} not tried (nginx stopped first): ${untried.map((m) => m.module).join(', ')}`);
  }
  for (const d of result.dynamicModules) {
    lines.push(`${d.compatible ? 'ok  ' : 'FAIL'} load_module ${d.file}`);
  }
  return lines;
}

/** `23 embedded modules: 21 load in nginx; 2 errors, 4 warnings`. */
export function auditSummary(result: AuditResult): string {
  const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const loaded = result.modules.filter((m) => m.loaded === true).length;
  return `${result.modules.length} embedded modules: ${loaded} load in nginx; ${count('error')} errors, ${count('warning')} warnings`;
}
