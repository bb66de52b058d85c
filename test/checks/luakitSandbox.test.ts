// The luakit-sandbox warning at the exact token, in the build script and in
// the modules it requires (only in luakit projects).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BUILD, HELPERS } from '../helpers/luakitBuild';
import { navWorkspace, rangeIn } from '../helpers/nav';
import { checkFile } from '../../server/src/core/checks/fileChecks';

describe('luakit-sandbox', () => {
  test('every removed function at its exact range, in the script and a module it requires', () => {
    const n = navWorkspace({ 'build.lua': BUILD, 'libs/helpers.lua': HELPERS, 'unrelated.lua': 'os.execute("ls")\n' });
    const sandbox = (file: string) =>
      checkFile(n.ws, n.file(file))
        .filter((f) => f.code === 'luakit-sandbox')
        .map((f) => ({ range: f.range, severity: f.severity }));
    assert.deepEqual(sandbox('build.lua'), [
      { range: rangeIn(BUILD, 3, 'os.execute'), severity: 'warning' },
      { range: rangeIn(BUILD, 4, 'io.open'), severity: 'warning' },
      { range: rangeIn(BUILD, 5, 'loadfile'), severity: 'warning' },
      { range: rangeIn(BUILD, 6, 'debug.traceback'), severity: 'warning' },
    ]);
    // os.exit after `local os = …` is the local's field, not the sandboxed global.
    assert.deepEqual(sandbox('libs/helpers.lua'), [{ range: rangeIn(HELPERS, 1, 'os.tmpname'), severity: 'warning' }]);
    assert.deepEqual(sandbox('unrelated.lua'), [], 'a file the build script never requires is not sandboxed');
    const message = checkFile(n.ws, n.file('build.lua')).find((f) => f.code === 'luakit-sandbox')!.message;
    assert.match(message, /^'os\.execute' is removed by the luakit sandbox: it will be nil when the build runs/);
  });

  test('not reported in OpenResty projects', () => {
    const n = navWorkspace({ 'main.lua': 'os.execute("ls")\n' });
    assert.deepEqual(checkFile(n.ws, n.file('main.lua')).filter((f) => f.code === 'luakit-sandbox'), []);
  });
});
