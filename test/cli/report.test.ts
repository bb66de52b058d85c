// How `check` reports to people and to CI: an unresolved module's trail once for
// all its sites, findings outside the project at the project's entry point,
// suppressions and severities honoured, --summary, --format github and
// --format sarif (validated by Microsoft's SARIF multitool).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CheckJson } from '../../server/src/commands/check';
import { sortFindings } from '../../server/src/core/findingFormat';
import type { DiagnosticCode, Finding } from '../../server/src/core/types';
import { checkJson, runCli } from '../helpers/cli';
import { fixture } from '../helpers/paths';
import { DIAGNOSTIC_CODES } from '../../server/src/core/codes';

const APP = fixture('cli-report', 'app');
const SHARED_DEP = fixture('cli-report', 'shared', 'dep.lua');

function jsonReport(args: string[] = []): CheckJson {
  const run = runCli(['check', APP, '--format', 'json', ...args]);
  assert.equal(run.status, 1, run.stderr);
  return checkJson(run.stdout);
}

describe('check: what it reports', () => {
  test('suppressed and severity-off findings are gone; the one outside the project comes to the require that reaches it', () => {
    const brief = jsonReport().diagnostics.map((d) => [d.file, d.line, d.column, d.severity, d.code, d.module]);
    assert.deepEqual(brief, [
      ['lib/app.lua', 1, 21, 'error', 'not-in-mapping', 'dep'],
      ['lib/app.lua', 1, 21, 'error', 'unresolved-module', 'nowhere.deep'],
      ['lib/app.lua', 2, 19, 'error', 'unresolved-module', 'nowhere.twice'],
      ['lib/app.lua', 3, 19, 'error', 'unresolved-module', 'nowhere.twice'],
      ['lib/tool.lua', 1, 19, 'error', 'unresolved-module', 'nowhere.twice'],
      ['resty-build.json', 4, 3, 'warning', 'manifest-path-outside', null],
    ]);
    const moved = jsonReport().diagnostics[1].message;
    assert.ok(moved.startsWith(`In ${SHARED_DEP}:1, outside the project, reached through this require of 'dep': module 'nowhere.deep' not found:\n`), moved);
  });

  test('text: the trail of a module with several sites is printed once, then one line per site', () => {
    const run = runCli(['check', APP]);
    assert.equal(run.status, 1);
    const lines = run.stdout.split('\n');
    const head = lines.indexOf('nowhere.twice: not found, 3 sites');
    assert.ok(head > 0, run.stdout);
    assert.deepEqual(lines.slice(head + 1, head + 3), ["    no field package.preload['nowhere.twice']", "    no file 'lib/nowhere/twice.lua'"]);
    const sites = lines.slice(head + 1).filter((l) => !l.startsWith(' '));
    assert.deepEqual(sites.slice(0, 3), [
      "lib/app.lua:2:19: error unresolved-module: module 'nowhere.twice' not found (part of the embed closure)",
      "lib/app.lua:3:19: error unresolved-module: module 'nowhere.twice' not found (part of the embed closure)",
      "lib/tool.lua:1:19: error unresolved-module: module 'nowhere.twice' not found",
    ]);
    assert.equal(lines.filter((l) => l === "    no field package.preload['nowhere.twice']").length, 1, 'the trail once');
    assert.equal(run.stderr.trim(), '5 errors, 1 warning, 0 infos in 2 Lua files');
  });

  test('--summary: counts per code and the modules with the most sites, in text and in JSON', () => {
    const run = runCli(['check', APP, '--summary']);
    assert.equal(run.status, 1);
    assert.deepEqual(run.stdout.trimEnd().split('\n'), [
      'Findings by code:',
      '  unresolved-module      4 errors',
      '  manifest-path-outside  1 warning',
      '  not-in-mapping         1 error',
      'Modules with the most sites:',
      '  nowhere.twice  3 sites    unresolved-module',
      '  dep            1 site     not-in-mapping',
      '  nowhere.deep   1 site     unresolved-module',
    ]);
    const json = jsonReport(['--summary']);
    assert.deepEqual(Object.keys(json), ['diagnostics', 'summary'], 'the documented key stays first, the summary is added');
    assert.deepEqual((json.summary as { codes: unknown[] }).codes[0], { code: 'unresolved-module', counts: { error: 4 }, total: 4 });
    assert.equal(runCli(['check', APP, '--summary', '--format', 'sarif']).status, 2);
  });

  test('a clean project stays quiet: nothing on stdout, exit 0, also with --summary and --format github', () => {
    for (const extra of [[], ['--summary'], ['--format', 'github']]) {
      const run = runCli(['check', fixture('cli-clean'), ...extra]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, '', extra.join(' '));
    }
  });
});

describe('check --format github', () => {
  test('one workflow command per finding, paths relative to the job folder, the trail with the first site only', () => {
    const run = runCli(['check', APP, '--format', 'github'], { cwd: path.dirname(APP) });
    assert.equal(run.status, 1);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.equal(
      lines[0],
      `::error file=app/lib/app.lua,line=1,col=21,endLine=1,endColumn=26,title=resty-build not-in-mapping::'dep' is required here but not embedded: the nginx binary will say "module 'dep' not found". Add it to "embed" in resty-build.json.`,
    );
    assert.match(lines[2], /^::error file=app\/lib\/app\.lua,line=2,col=19,endLine=2,endColumn=34,title=resty-build unresolved-module::module 'nowhere\.twice' not found:%0A  no field package\.preload\['nowhere\.twice'\]%0A/);
    assert.equal(lines[3], "::error file=app/lib/app.lua,line=3,col=19,endLine=3,endColumn=34,title=resty-build unresolved-module::module 'nowhere.twice' not found (part of the embed closure) (search trail at app/lib/app.lua:2)");
    assert.match(lines[5], /^::warning file=app\/resty-build\.json,line=4,col=3,/);
    assert.ok(
      lines.every((l) => !l.slice(2).includes('\n')),
      'no raw line breaks',
    );
    const workspace = runCli(['check', APP, '--format', 'github'], { env: { GITHUB_WORKSPACE: APP } });
    assert.match(workspace.stdout, /^::error file=lib\/app\.lua,line=1,/, '$GITHUB_WORKSPACE is the base when set');
  });
});

/** The validator's native binary: the package's main export is its path (it spawns it with a shell, which the test avoids). */
function multitool(): string {
  return createRequire(__filename)('@microsoft/sarif-multitool') as string;
}

describe('check --format sarif', () => {
  test("Microsoft's SARIF validator accepts the log with no error or warning; rules and results match the registry and the JSON", (t) => {
    const run = runCli(['check', APP, '--format', 'sarif'], { cwd: path.dirname(APP) });
    assert.equal(run.status, 1, run.stderr);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resty-sarif-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const log = path.join(dir, 'check.sarif');
    fs.writeFileSync(log, run.stdout);
    const out = path.join(dir, 'validation.sarif');
    const validation = spawnSync(multitool(), ['validate', log, '--output', out, '--log', 'ForceOverwrite'], {
      encoding: 'utf8',
      // .NET without ICU (a slim Debian): culture data is not needed to validate.
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
      timeout: 120_000,
    });
    assert.equal(validation.status, 0, validation.stdout + validation.stderr);
    const verdict = JSON.parse(fs.readFileSync(out, 'utf8')) as { runs: { results?: { ruleId: string; level?: string; message: unknown }[] }[] };
    assert.deepEqual(verdict.runs[0].results ?? [], [], validation.stdout);

    const sarif = JSON.parse(run.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; helpUri: string; help: { text: string } }[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number } } }[]; relatedLocations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const { rules } = sarif.runs[0].tool.driver;
    assert.deepEqual(
      rules.map((r) => r.id),
      DIAGNOSTIC_CODES.map((c) => c.code),
    );
    assert.equal(rules.find((r) => r.id === 'not-in-mapping')!.helpUri, 'https://github.com/resty-build/resty-build/blob/main/README.md#code-not-in-mapping');
    assert.ok(rules.every((r) => r.help.text.length > 20));
    assert.equal(sarif.runs[0].originalUriBaseIds.SRCROOT.uri, `file://${path.dirname(APP)}/`);

    const json = jsonReport().diagnostics;
    const results = sarif.runs[0].results;
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine, r.locations[0].physicalLocation.region.startColumn]),
      json.map((d) => [d.code, `app/${d.file}`, d.line, d.column]),
    );
    assert.ok(results.every((r) => rules[r.ruleIndex].id === r.ruleId && r.locations[0].physicalLocation.artifactLocation.uriBaseId === 'SRCROOT'));
    assert.deepEqual(
      results.map((r) => r.level),
      json.map((d) => (d.severity === 'info' ? 'note' : d.severity)),
    );
    const moved = results.find((r) => r.relatedLocations !== undefined)!;
    assert.equal(moved.relatedLocations![0].physicalLocation.artifactLocation.uri, 'shared/dep.lua');
  });
});

test('findings are listed by file in code-unit order, the same whatever the locale', () => {
  const at = (file: string, line: number, code: DiagnosticCode): Finding => ({
    file,
    range: { start: { line, character: 0 }, end: { line, character: 1 } },
    severity: 'error',
    code,
    message: '',
  });
  const findings = [at('/w/b.lua', 1, 'syntax-error'), at('/w/B.lua', 9, 'syntax-error'), at('/w/a.lua', 3, 'unresolved-module'), at('/w/a.lua', 3, 'syntax-error')];
  const order = () => sortFindings(findings).map((f) => `${path.basename(f.file)}:${f.range.start.line}:${f.code}`);
  const expected = ['B.lua:9:syntax-error', 'a.lua:3:syntax-error', 'a.lua:3:unresolved-module', 'b.lua:1:syntax-error'];
  assert.deepEqual(order(), expected);
  // A locale whose collation would put a.lua before B.lua changes nothing.
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const { sortFindings } = require(${JSON.stringify(require.resolve('../../server/src/core/findingFormat'))}); console.log(JSON.stringify(sortFindings(${JSON.stringify(findings)}).map((f) => f.file)))`], {
    env: { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), ['/w/B.lua', '/w/a.lua', '/w/a.lua', '/w/b.lua']);
});
