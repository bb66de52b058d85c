// Lua inside nginx configurations that no manifest names: requires in
// *_by_lua_block and *_by_lua get the same diagnostics, links and definitions
// as in .lua files, and *_by_lua_file paths become links (nginx's prefix).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { findDefinition, findDocumentLinks } from '../../server/src/features/navigation';
import { findHover } from '../../server/src/features/hover';
import { checkFile, checkedFiles } from '../../server/src/core/checks/fileChecks';
import { isNginxConfFile } from '../../server/src/core/nginx/nginxConf';
import { pathToUri } from '../../server/src/convert';
import { navWorkspace, rangeIn } from '../helpers/nav';

const CONF = [
  'http {', // 0
  '    lua_package_path "$prefix/lib/?.lua;;";', // 1
  '    server {', // 2
  '        location / {', // 3
  '            content_by_lua_block {', // 4
  '                local util = require "app.util"', // 5
  '                local missing = require("app.missing")', // 6
  '                util.run({ a = 1 })', // 7
  '            }', // 8
  '        }', // 9
  '        location /f { content_by_lua_file lua/handler.lua; }', // 10
  "        location /i { access_by_lua 'require(\"app.gone\")'; }", // 11
  '    }', // 12
  '}', // 13
  '',
].join('\n');
const UTIL = ['local _M = {}', 'function _M.run(opts) end', 'return _M', ''].join('\n');

function workspace() {
  return navWorkspace({ 'conf/nginx.conf': CONF, 'lib/app/util.lua': UTIL, 'lua/handler.lua': 'ngx.say("hi")\n', 'site.nginx': 'server { content_by_lua_block { require "nope" } }\n' });
}

describe('Lua in nginx.conf without a manifest', () => {
  test('which files count as nginx configurations', () => {
    assert.ok(isNginxConfFile('/x/nginx.conf'));
    assert.ok(isNginxConfFile('/x/site.nginx'));
    assert.ok(isNginxConfFile('/x/conf/api.conf'));
    assert.ok(!isNginxConfFile('/x/etc/api.conf'));
  });

  test('unresolved requires in blocks and inline chunks, at their exact ranges', () => {
    const n = workspace();
    const conf = n.file('conf/nginx.conf');
    assert.ok(checkedFiles(n.ws).includes(conf), 'the conf is checked with the workspace');
    assert.ok(checkedFiles(n.ws).includes(n.file('site.nginx')));
    const findings = checkFile(n.ws, conf).map((f) => ({ code: f.code, severity: f.severity, range: f.range, module: f.module }));
    assert.deepEqual(findings, [
      { code: 'unresolved-module', severity: 'error', range: rangeIn(CONF, 6, '"app.missing"'), module: 'app.missing' },
      { code: 'unresolved-module', severity: 'error', range: rangeIn(CONF, 11, '"app.gone"'), module: 'app.gone' },
    ]);
    assert.match(checkFile(n.ws, conf)[0].message, /^module 'app\.missing' not found:\n\tno field package\.preload\['app\.missing'\]\n\tno file '\.\/lib\/app\/missing\.lua'/);
  });

  test('links on module names and *_by_lua_file paths; definitions into modules', () => {
    const n = workspace();
    const conf = n.file('conf/nginx.conf');
    assert.deepEqual(
      findDocumentLinks(n.ws, conf).map((l) => ({ range: l.range, target: l.target })),
      [
        { range: rangeIn(CONF, 5, 'app.util'), target: pathToUri(n.file('lib/app/util.lua')) },
        { range: rangeIn(CONF, 10, 'lua/handler.lua'), target: pathToUri(n.file('lua/handler.lua')) },
      ],
    );
    assert.deepEqual(findDefinition(n.ws, conf, { line: 7, character: 22 }), { uri: pathToUri(n.file('lib/app/util.lua')), range: rangeIn(UTIL, 1, 'run') });
    assert.match((findHover(n.ws, conf, { line: 5, character: 40 })?.contents as { value: string }).value, /^\*\*module\*\* `app\.util`\n\n`lib\/app\/util\.lua` — from the workspace/);
  });
});
