// Issue 9 over LSP: an untrusted workspace runs nothing, a failing handler
// is answered and the next request works, memory stays flat over edits.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileUri, startServer } from '../helpers/lspClient';
import { tempCopy } from '../helpers/paths';

const UNTRUSTED = (what: string, runs: string) =>
  `${what} is disabled in an untrusted workspace: it would run ${runs}, which this workspace's resty-build.json can name. Trust the workspace (Workspaces: Manage Workspace Trust) to build; analysis keeps working without it.`;

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

describe('server reliability', () => {
  test('untrusted workspace: analysis works, compile / verify / archive refuse and spawn no process', async (t) => {
    const tmp = tempCopy('build-basic');
    const marker = path.join(tmp.dir, 'PLANTED-RAN');
    // A compiler the workspace plants: running it in any way leaves the marker.
    const planted = path.join(tmp.dir, 'tools', 'luajit');
    fs.mkdirSync(path.dirname(planted));
    fs.writeFileSync(planted, `#!/bin/sh\ntouch '${marker}'\nexec luajit "$@"\n`, { mode: 0o755 });
    const manifestFile = path.join(tmp.dir, 'resty-build.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    manifest.luajit.compiler = 'tools/luajit';
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const client = await startServer(tmp.dir, { initializationOptions: { trusted: false }, env: { CC: planted } });
    t.after(async () => {
      await client.stop();
      tmp.cleanup();
    });
    // Analysis still runs: a missing module is reported.
    const main = path.join(tmp.dir, 'lib', 'app', 'handler', 'init.lua');
    await client.open(fileUri(main), fs.readFileSync(main, 'utf8') + '\nrequire "app.nowhere"\n');
    await client.waitForDiagnostics(fileUri(main), (ds) => ds.some((d) => d.code === 'unresolved-module' || d.code === 'not-in-mapping'));

    const refused = async (method: string, params: unknown) => {
      try {
        await client.request(method, params);
      } catch (e) {
        return (e as Error).message;
      }
      return 'answered';
    };
    assert.equal(await refused('resty-build/compile', { dir: tmp.dir, luajitPath: planted }), UNTRUSTED('Compiling bytecode', 'luajit'));
    assert.equal(await refused('resty-build/verify', { dir: tmp.dir }), UNTRUSTED('Verifying the embedding', 'luajit, a C compiler and the linked probe program'));
    assert.equal(await refused('resty-build/linkFlags', { dir: tmp.dir, mode: 'archive' }), UNTRUSTED('Creating the archive for the link flags', 'ar'));
    assert.equal(fs.existsSync(marker), false, 'the planted compiler never ran');
    assert.equal(fs.existsSync(path.join(tmp.dir, 'build')), false, 'nothing was written');
    // Objects-mode link flags are computed without running anything and still answer.
    const flags = await client.request<{ withLdOpt: string }>('resty-build/linkFlags', { dir: tmp.dir, mode: 'objects' });
    assert.match(flags.withLdOpt, /app_config\.o/);
    assert.equal(fs.existsSync(marker), false);
  });

  test('a handler that fails internally is answered (empty) and logged; the next request works', async (t) => {
    const tmp = tempCopy('lsp-missing-module');
    const client = await startServer(tmp.dir, { env: { RESTY_BUILD_TEST_FAULTS: '1' } });
    t.after(async () => {
      await client.stop();
      tmp.cleanup();
    });
    assert.equal(await client.request('resty-build/test/fault', {}), null);
    assert.match(client.log(), /\[resty-build\] test fault failed: Error: injected fault/);
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: fileUri(path.join(tmp.dir, 'main.lua')) } });
    assert.ok(Array.isArray(symbols));
  });

  test('memory stays flat over 3000 edits of one file (RSS growth after warm-up < 50 MB)', async (t) => {
    const tmp = tempCopy('lsp-missing-module');
    const client = await startServer(tmp.dir);
    t.after(async () => {
      await client.stop();
      tmp.cleanup();
    });
    const uri = fileUri(path.join(tmp.dir, 'main.lua'));
    const base = fs.readFileSync(path.join(tmp.dir, 'main.lua'), 'utf8');
    await client.open(uri, base);
    let version = 1;
    const edits = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const text = `${base}\nlocal v${i % 97} = require "app.m${i % 13}" -- edit ${version}\n${'local x = { 1, 2, 3 }\n'.repeat(i % 50)}`;
        await client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
        if (i % 100 === 99) {
          // A round trip: the server has processed every edit before it.
          await client.request('textDocument/documentSymbol', { textDocument: { uri } });
        }
      }
    };
    await edits(500);
    const warm = rssKb(client.pid);
    await edits(3000);
    const after = rssKb(client.pid);
    const growthMb = (after - warm) / 1024;
    t.diagnostic(`server RSS after warm-up ${Math.round(warm / 1024)} MB, after 3000 edits ${Math.round(after / 1024)} MB`);
    assert.ok(growthMb < 50, `RSS grew ${growthMb.toFixed(1)} MB`);
  });
});

describe('no shell', () => {
  test('every process is spawned with an argument array: no shell option, no exec/execSync, child_process imports are spawn/execFile only', () => {
    const repo = path.resolve(__dirname, '..', '..');
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          walk(full);
        } else if (/\.(ts|js|mjs)$/.test(e.name)) {
          sources.push(full);
        }
      }
    };
    walk(path.join(repo, 'server', 'src'));
    walk(path.join(repo, 'client', 'src'));
    assert.ok(sources.length > 40);
    const problems: string[] = [];
    for (const file of sources) {
      // Comments may speak of shells; only code counts.
      const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      const rel = path.relative(repo, file);
      if (/\bshell\s*:\s*(true|1|['"`/\w])/.test(text)) {
        problems.push(`${rel}: a shell option`);
      }
      // Bare exec( / execSync( (child_process), not RegExp#exec.
      if (/(^|[^.\w])exec(Sync)?\s*\(/m.test(text) || /child_process['"]\)?\.exec(Sync)?\b/.test(text)) {
        problems.push(`${rel}: exec/execSync`);
      }
      for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](?:node:)?child_process['"]/g)) {
        const names = m[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean);
        const bad = names.filter((n) => !['spawn', 'spawnSync', 'execFile', 'execFileSync', 'ChildProcess', 'ChildProcessWithoutNullStreams', 'SpawnOptions'].includes(n));
        if (bad.length > 0) {
          problems.push(`${rel}: imports ${bad.join(', ')} from child_process`);
        }
      }
      if (/import\s+\*\s+as\s+\w+\s+from\s+['"](?:node:)?child_process['"]/.test(text)) {
        problems.push(`${rel}: imports all of child_process`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
