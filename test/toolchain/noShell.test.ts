// No shell anywhere: the tools a workspace names (luajit, cc, ar) are run with
// argument arrays, so no path or module name is ever parsed by a shell.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

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
