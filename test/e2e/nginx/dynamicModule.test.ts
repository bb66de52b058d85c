// Dynamic modules must match the nginx that loads them (seed 004): the same
// version and the same module signature, which --with-compat keeps stable
// across ./configure arguments. One extra nginx tree, configured like the
// product's flags but without --with-compat and with a small dynamic module,
// gives both sides: its module in the --with-compat binary (nginx refuses
// it), and its own binary loading its own module (fine, but warned about).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { buildNginx, dynamicModuleFile, httpGet, startNginx, stageModuleSources, type BuiltNginx } from './harness';
import { auditNginx, compileProject, copyFixture, linkFlags } from './product';
import { nginxSuite, projectConf, SCENARIO_TIMEOUT_MS, withErrorLog } from './scenario';

const MODULE = 'ngx_http_rb_probe_module';

const serverConfig = `location = /t {
    content_by_lua_block {
        ngx.say("resty.core: ", type(package.loaded["resty.core"]))
    }
}`;

interface Setup {
  projectDir: string;
  /** Configured with the product's flags (--with-compat). */
  compat: BuiltNginx;
  /** The same flags without --with-compat, plus the dynamic module. */
  plain: BuiltNginx;
  module: string;
  mainConfig: string;
}

async function setup(t: TestContext): Promise<Setup> {
  const project = copyFixture('dynamic-module');
  t.after(project.remove);
  await compileProject(project.dir);
  const flags = await linkFlags(project.dir, 'objects');
  const outDir = (name: string) => {
    const dir = join(project.dir, '..', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const sources = stageModuleSources(join(__dirname, 'fixtures', 'dynamic-module', MODULE));
  const plain = await buildNginx({
    configureArgs: [...flags.configureArgs.filter((a) => a !== '--with-compat'), `--add-dynamic-module=${sources}`],
    outDir: outDir('plain'),
  });
  const compat = await buildNginx({ configureArgs: flags.configureArgs, outDir: outDir('compat') });
  const module = dynamicModuleFile(plain.tree, MODULE);
  const mainConfig = `load_module ${module};`;
  mkdirSync(join(project.dir, 'conf'), { recursive: true });
  writeFileSync(join(project.dir, 'conf', 'nginx.conf'), projectConf(serverConfig, mainConfig));
  return { projectDir: project.dir, compat, plain, module, mainConfig };
}

function loadModuleAt(projectDir: string): { file: string; line: number; column: number } {
  const file = join(projectDir, 'conf', 'nginx.conf');
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.startsWith('load_module '));
  return { file, line: line + 1, column: 'load_module '.length + 1 };
}

test('a module built without --with-compat, loaded into a --with-compat nginx: reported at load_module, and nginx refuses it', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { projectDir, compat, module, mainConfig } = await setup(t);

  const audit = await auditNginx(projectDir, compat.binary);
  assert.equal(audit.exitCode, 1);
  const errors = audit.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => ({ file: d.file, line: d.line, column: d.column, code: d.code })),
    [{ ...loadModuleAt(projectDir), code: 'dynamic-module-incompatible' }],
    JSON.stringify(errors, null, 2),
  );
  const message = errors[0].message;
  assert.match(message, /has the module signature [01,\d]+, this nginx [01,\d]+; nginx stops with "module … is not binary compatible"\. This nginx was built with --with-compat; build the module with \.\/configure --with-compat/);
  assert.deepEqual(audit.dynamicModules.map((d) => [d.file, d.compatible]), [[module, false]]);

  // nginx refuses it, with the message the audit says the load test confirmed.
  const started = await startNginx({ binary: compat.binary, serverConfig, mainConfig }).then(
    (server) => server.stop().then(() => 'started'),
    (e: Error) => e.message,
  );
  const refusal = new RegExp(`module "${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not binary compatible`);
  assert.match(started, refusal, 'nginx must refuse the module');
  assert.match(message, new RegExp(`The load test confirms it: nginx says "${refusal.source}"`));
});

test('the module in the nginx it was built with: loads, with a warning that the binary lacks --with-compat', { ...nginxSuite, timeout: SCENARIO_TIMEOUT_MS }, async (t) => {
  const { projectDir, plain, module, mainConfig } = await setup(t);

  const audit = await auditNginx(projectDir, plain.binary);
  assert.equal(audit.exitCode, 0, JSON.stringify(audit.diagnostics, null, 2));
  assert.equal(audit.nginx.compat, false);
  assert.deepEqual(
    audit.diagnostics.filter((d) => d.code !== 'ffi-undefined-symbol').map((d) => ({ file: d.file, line: d.line, column: d.column, severity: d.severity, code: d.code })),
    [{ ...loadModuleAt(projectDir), severity: 'warning', code: 'nginx-without-compat' }],
  );
  assert.deepEqual(audit.dynamicModules.map((d) => [d.file, d.compatible]), [[module, true]]);
  assert.ok(audit.modules.every((m) => m.loaded === true), JSON.stringify(audit.modules, null, 2));

  const server = await startNginx({ binary: plain.binary, serverConfig, mainConfig });
  t.after(() => server.stop());
  const response = await httpGet(server.port, '/t');
  assert.equal(response.status, 200, withErrorLog(server, `GET /t answered ${response.status}: ${response.body}`));
});
