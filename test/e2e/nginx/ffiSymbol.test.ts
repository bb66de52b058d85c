// FFI calls into the binary (seed 003): two modules written for a newer
// lua-nginx-module declare C functions that 0.10.23 does not export. The one
// that reads its function when it loads cannot load at all (an error); the
// one that reads it inside a function loads, and only that function fails
// (a warning naming it). The audit says both before nginx starts; nginx then
// fails exactly there, with LuaJIT's "undefined symbol".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditNginxRequest, AuditResponse, StatusNotification } from '../../../server/src/protocol/protocol';
import { fileUri, startServer } from '../../helpers/lspClient';
import { httpGet, startNginx } from './harness';
import { auditNginx, checkProject } from './product';
import { buildScenario, nginxSuite, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const serverConfig = `location = /tls {
    content_by_lua_block {
        local tls = require "app.tls"
        ngx.say("loaded: ", type(tls))
    }
}
location = /bind {
    content_by_lua_block {
        local bind = require "app.bind"
        local ok, err = pcall(bind.bind_to_local_addr, "127.0.0.1")
        ngx.say("app.bind loaded; bind_to_local_addr: ", tostring(ok), ": ", tostring(err))
    }
}
location = /t {
    content_by_lua_block {
        ngx.say("resty.core: ", type(package.loaded["resty.core"]))
    }
}`;

/** 1-based line and column of `name` in the one line holding `context` (which contains it). */
function at(file: string, context: string, name = context): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(context));
  assert.ok(line >= 0 && lines.findIndex((l, i) => i > line && l.includes(context)) < 0, `'${context}' must occur once in ${file}`);
  return { line: line + 1, column: lines[line].indexOf(context) + context.indexOf(name) + 1 };
}

test('an FFI function the binary lacks: an error where the module loads, a warning where a function calls it; nginx fails there', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { nginx, projectDir } = await buildScenario(t, { fixture: 'ffi-missing-symbol', mode: 'objects', serverConfig });
  const tls = join(projectDir, 'lib', 'app', 'tls.lua');
  const bind = join(projectDir, 'lib', 'app', 'bind.lua');

  // check needs no binary: every C function is declared, so it has nothing to say about them.
  const checked = await checkProject(projectDir);
  assert.deepEqual(checked.diagnostics.filter((d) => d.code.startsWith('ffi-')), []);

  const audit = await auditNginx(projectDir, nginx.binary);
  assert.equal(audit.exitCode, 1);
  const mine = audit.diagnostics.filter((d) => d.file.startsWith(projectDir));
  const manifest = join(projectDir, 'resty-build.json');
  const entry = at(manifest, '"app.tls"');
  assert.deepEqual(
    mine.map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, code: d.code, module: d.module })),
    [
      { file: bind, ...at(bind, 'C.ngx_http_lua_ffi_balancer_bind_to_local_addr(', 'ngx_'), severity: 'warning', code: 'ffi-undefined-symbol', module: null },
      { file: tls, ...at(tls, '= C.ngx_http_lua_ffi_balancer_set_upstream_tls', 'ngx_'), severity: 'error', code: 'ffi-undefined-symbol', module: null },
      { file: manifest, ...entry, severity: 'error', code: 'nginx-load-failed', module: 'app.tls' },
    ].sort((a, b) => a.file.localeCompare(b.file)),
    JSON.stringify(mine, null, 2),
  );
  const byCode = (file: string) => mine.find((d) => d.file === file)!;
  assert.match(byCode(tls).message, /do not export ngx_http_lua_ffi_balancer_set_upstream_tls: LuaJIT raises "undefined symbol: ngx_http_lua_ffi_balancer_set_upstream_tls" when the module loads, so the module fails to load\. Likely cause: the module was written for another lua-nginx-module release than this nginx's \(0\.10\.23\)/);
  assert.match(byCode(bind).message, /"undefined symbol: ngx_http_lua_ffi_balancer_bind_to_local_addr" when _M\.bind_to_local_addr runs, so that function fails/);
  const loadFailed = byCode(manifest).message;
  assert.match(loadFailed, /cannot load 'app\.tls' \(the load test required it in init_by_lua\): .*tls\.lua:\d+: .*undefined symbol: ngx_http_lua_ffi_balancer_set_upstream_tls/);
  assert.deepEqual(
    audit.modules.filter((m) => m.module.startsWith('app.')).map((m) => [m.module, m.loaded]),
    [
      ['app.tls', false],
      ['app.bind', true],
    ],
  );

  // The editor's way: the server's audit request publishes the same findings as diagnostics.
  const lsp = await startServer(projectDir);
  t.after(() => lsp.stop());
  await lsp.nextNotification(StatusNotification.method);
  const answer = await lsp.request<AuditResponse>(AuditNginxRequest.method, { dir: projectDir, nginxPath: nginx.binary });
  assert.equal(answer.errors, 2, answer.lines.join('\n'));
  assert.match(answer.nginx, /^nginx 1\.22\.\d+ \(.*\), --with-compat, lua-nginx-module 0\.10\.23, /);
  const published = await lsp.waitForDiagnostics(fileUri(tls), (ds) => ds.some((d) => d.code === 'ffi-undefined-symbol'));
  const expectedAt = at(tls, '= C.ngx_http_lua_ffi_balancer_set_upstream_tls', 'ngx_');
  assert.deepEqual(
    published.filter((d) => d.code === 'ffi-undefined-symbol').map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.severity]),
    [[expectedAt.line, expectedAt.column, 1]],
  );

  // nginx starts (the modules are required per request), then fails exactly where the audit said.
  const server = await startNginx({ binary: nginx.binary, serverConfig });
  t.after(() => server.stop());
  assert.equal((await httpGet(server.port, '/t')).status, 200, withErrorLog(server, 'resty.core works'));
  const tlsResponse = await httpGet(server.port, '/tls');
  assert.equal(tlsResponse.status, 500, withErrorLog(server, `GET /tls answered ${tlsResponse.status}: ${tlsResponse.body}`));
  const nginxSaid = /tls\.lua:\d+: [^\n]*undefined symbol: ngx_http_lua_ffi_balancer_set_upstream_tls/.exec(server.errorLog())?.[0];
  assert.ok(nginxSaid, withErrorLog(server, 'the error log lacks the undefined symbol of app.tls'));
  assert.ok(loadFailed.includes(nginxSaid), `the audit carried nginx's own message: ${nginxSaid}\n${loadFailed}`);
  const bindResponse = await httpGet(server.port, '/bind');
  assert.equal(bindResponse.status, 200, withErrorLog(server, `GET /bind answered ${bindResponse.status}: ${bindResponse.body}`));
  assert.match(bindResponse.body, /^app\.bind loaded; bind_to_local_addr: false: \S*bind\.lua:\d+: [^\n]*undefined symbol: ngx_http_lua_ffi_balancer_bind_to_local_addr\n$/);
});
