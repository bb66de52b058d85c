// Odd module names (paths, '..', empty segments, non-ASCII): each has its
// reason, Lua still substitutes them into its templates, and none can be
// embedded.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { suspiciousNameReason } from '../../server/src/core/resolve/moduleNames';
import { moduleNameForFile, SearchTemplate } from '../../server/src/core/resolve/resolver';
import { checkSource, MEM_ROOT, memWorkspace, rangeOn } from '../helpers/core';
import { checkFile } from '../../server/src/core/checks/fileChecks';

describe('odd module names', () => {
  test('require "spec/helpers" resolves by template substitution, with a suspicious-module-name warning', () => {
    const source = 'local h = require "spec/helpers"\n';
    const findings = checkSource(source, { files: { 'spec/helpers.lua': 'return {}' } });
    assert.deepEqual(findings, [
      {
        file: path.join(MEM_ROOT, 'main.lua'),
        range: rangeOn(source, 0, '"spec/helpers"'),
        severity: 'warning',
        code: 'suspicious-module-name',
        message: `Suspicious module name 'spec/helpers': the module name contains characters outside [A-Za-z0-9_.-] ("/"). Lua substitutes it into the search templates as is; it cannot be embedded as bytecode.`,
        module: 'spec/helpers',
      },
    ]);
  });

  test('each kind of odd name has its own reason', () => {
    assert.equal(suspiciousNameReason(''), 'the module name is empty');
    assert.equal(suspiciousNameReason('/etc/passwd'), 'the module name is an absolute path');
    assert.equal(suspiciousNameReason('C:\\x'), 'the module name is an absolute path');
    assert.equal(suspiciousNameReason('..secret'), "the module name contains '..'");
    assert.equal(suspiciousNameReason('a..b'), "the module name contains '..'");
    assert.equal(suspiciousNameReason('.a'), 'the module name has an empty segment');
    assert.equal(suspiciousNameReason('a.'), 'the module name has an empty segment');
    assert.equal(suspiciousNameReason('a//b'), 'the module name has an empty segment');
    assert.equal(suspiciousNameReason('a b'), 'the module name contains characters outside [A-Za-z0-9_.-] (" ")');
    assert.equal(suspiciousNameReason('ü'), 'the module name contains characters outside [A-Za-z0-9_.-] ("ü")');
    assert.equal(suspiciousNameReason('resty.core-x_1'), undefined);
    // A name escaping the project is flagged and, unresolved, reported with Lua's trail.
    const findings = checkSource('require "../../etc/x"\n');
    assert.deepEqual(findings.map((f) => f.code), ['suspicious-module-name', 'unresolved-module']);
  });

  test('in the embed closure and in the mapping an odd name is an error: it cannot be embedded', () => {
    const ws = memWorkspace({
      'resty-build.json': JSON.stringify({ profile: 'openresty', path: ['lib/?.lua'], embed: ['app', 'spec/helpers'] }),
      'lib/app.lua': 'return require "spec/helpers"\n',
      'lib/spec/helpers.lua': 'return {}\n',
    });
    const app = checkFile(ws, path.join(MEM_ROOT, 'lib', 'app.lua'));
    assert.deepEqual(
      app.map((f) => [f.code, f.severity, f.message]),
      [['suspicious-module-name', 'error', `'spec/helpers' cannot be embedded: the module name contains characters outside [A-Za-z0-9_.-] ("/"), and luajit -n rejects such names.`]],
    );
    const manifest = checkFile(ws, path.join(MEM_ROOT, 'resty-build.json'));
    assert.deepEqual(
      manifest.map((f) => [f.code, f.severity, f.module]),
      [['suspicious-module-name', 'error', 'spec/helpers']],
    );
  });
});

test('a file is named by the most specific template, not the first that matches', () => {
  const root = path.resolve('/project');
  const templates: SearchTemplate[] = ['?.lua', '?/init.lua', 'lib/?.lua', 'lib/?/init.lua'].map((t) => ({ template: path.join(root, t), origin: 'workspace', source: 'test' }));
  assert.equal(moduleNameForFile(path.join(root, 'lib', 'resty', 'redis.lua'), templates), 'resty.redis');
  assert.equal(moduleNameForFile(path.join(root, 'kong', 'init.lua'), templates), 'kong');
  assert.equal(moduleNameForFile(path.join(root, 'lib', 'resty', 'store', 'init.lua'), templates), 'resty.store');
  assert.equal(moduleNameForFile(path.join(root, 'kong', 'db.lua'), templates), 'kong.db');
  assert.equal(moduleNameForFile(path.join(root, 'a.b', 'c.lua'), templates), undefined, 'a dot in a folder name cannot be required');
});
