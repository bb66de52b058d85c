import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadBuildProject } from '../../server/src/toolchain/buildProject';
import { compileProject } from '../../server/src/toolchain/compile';
import { compareWithRuntime, describeHeader, identifyLuaJit, parseBytecodeHeader } from '../../server/src/toolchain/luajitInfo';
import { BuildEnvironmentError } from '../../server/src/toolchain/tool';
import { copyFixture, tempDir, writeScript } from '../helpers/toolchain';

test('parseBytecodeHeader reads ESC L J, the version byte and the flags', () => {
  const h = parseBytecodeHeader(Uint8Array.from([0x1b, 0x4c, 0x4a, 0x02, 0x0a, 0x00]));
  assert.deepEqual(h, { version: 2, flags: 0x0a, bigEndian: false, stripped: true, ffi: false, fr2: true, unknownFlags: 0 });
  const upstream = parseBytecodeHeader(Uint8Array.from([0x1b, 0x4c, 0x4a, 0x02, 0x1d]));
  assert.equal(upstream?.unknownFlags, 0x10);
  assert.equal(upstream?.bigEndian, true);
  assert.equal(upstream?.ffi, true);
  assert.equal(parseBytecodeHeader(Uint8Array.from([0x1b, 0x4c, 0x75, 0x51, 0])), undefined); // PUC Lua 5.1 bytecode
  assert.equal(parseBytecodeHeader(Uint8Array.from([0x1b, 0x4c])), undefined);
  assert.match(describeHeader(h!), /version 2 \(LuaJIT 2\.1\), GC64/);
});

test('identifyLuaJit: the real luajit, with the header its own raw dump starts with', async () => {
  const info = await identifyLuaJit('luajit');
  assert.match(info.versionText, /^LuaJIT 2\.1/);
  assert.equal(info.header.version, 2);
  const raw = spawnSync('luajit', ['-b', '-t', 'raw', '-e', 'return 1', '-']).stdout;
  assert.equal(info.headerHex, raw.subarray(0, 5).toString('hex'));
  assert.equal(info.header.stripped, true);
});

test('identifyLuaJit refuses what is not a LuaJIT and names a missing one', async () => {
  const dir = tempDir();
  const notLuajit = writeScript(dir, 'lua5.1', 'echo "Lua 5.1.5  Copyright (C) 1994-2012 Lua.org, PUC-Rio"');
  await assert.rejects(identifyLuaJit(notLuajit), (e: Error) => e instanceof BuildEnvironmentError && /is not LuaJIT/.test(e.message));
  await assert.rejects(identifyLuaJit('no-such-luajit-here'), (e: Error) => e instanceof BuildEnvironmentError && /no-such-luajit-here' not found on PATH/.test(e.message));
});

function fakeRuntime(dir: string): string {
  // A LuaJIT 2.0 without GC64: version byte 1, flags 0x02.
  return writeScript(dir, 'luajit-2.0', `case "$1" in\n  -v) echo "LuaJIT 2.0.5 -- Copyright (C) 2005-2017 Mike Pall. http://luajit.org/";;\n  -b) printf '\\033LJ\\001\\002';;\nesac`);
}

test('bytecode-mismatch: a runtime with another version byte and FR2 flag, reported on the manifest', async () => {
  const runtime = await identifyLuaJit(fakeRuntime(tempDir()));
  assert.equal(runtime.header.version, 1);
  assert.equal(runtime.header.fr2, false);
  const compiler = await identifyLuaJit('luajit');
  const dir = copyFixture('build-basic');
  const { manifest } = loadBuildProject(dir);
  const findings = compareWithRuntime(manifest, compiler, runtime);
  assert.equal(findings.length, 1);
  assert.equal(findings[0].code, 'bytecode-mismatch');
  assert.equal(findings[0].file, manifest.file);
  assert.match(findings[0].message, /bytecode version 2 vs 1/);
  assert.match(findings[0].message, /module '…' not found/);
  assert.deepEqual(compareWithRuntime(manifest, compiler, compiler), []);
});

test('compile checks luajit.runtime from the manifest and still compiles', async () => {
  const dir = copyFixture('build-basic');
  const file = path.join(dir, 'resty-build.json');
  const runtime = fakeRuntime(tempDir());
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"debugInfo": true', `"debugInfo": true, "runtime": ${JSON.stringify(runtime)}`));
  const project = loadBuildProject(dir);
  const result = await compileProject({ manifest: project.manifest, entries: project.entries, sources: project.sources });
  assert.deepEqual(result.findings.map((f) => f.code), ['bytecode-mismatch']);
  assert.equal(result.findings[0].range.start.line, project.manifest.ranges.get('luajit')!.start.line);
  assert.equal(result.compiled.length, 4);
});
