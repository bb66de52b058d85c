import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A deterministic synthetic OpenResty workspace: `modules` Lua modules in
 * require chains, each a table of exported functions; an nginx.conf whose
 * blocks require entry modules; a manifest embedding all but 1% of the
 * modules; about 1% of files with a syntax error and 1% with an unresolved
 * require; optionally facades, re-exports and modules using them (writeIdioms).
 * Same seed, same files, byte for byte.
 */
export interface GeneratedWorkspace {
  root: string;
  files: string[];
  modules: string[];
  /** A module with requires and members, for latency probes. */
  probe: { file: string; module: string; dependency: string; member: string };
  /** A module that reaches functions through facades, re-exports and locals bound to members (when asked for). */
  idioms?: IdiomProbe;
}

/** Positions (0-based) in an idiom module: one per idiom for definition, and a function reached many ways for references. */
export interface IdiomProbe {
  file: string;
  definitions: { what: string; line: number; character: number }[];
  references: { line: number; character: number };
}

/** mulberry32: small, fast, good enough for shaping test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = ['core', 'plugins', 'router', 'balancer', 'cache', 'auth', 'db', 'utils', 'pdk', 'runloop'];

export function moduleName(i: number): string {
  return `app.${AREAS[i % AREAS.length]}.m${i}`;
}

function moduleSource(i: number, count: number, random: () => number): string {
  const lines: string[] = [`-- ${moduleName(i)}: generated for benchmarks`];
  const deps = new Set<number>();
  const fanout = 1 + Math.floor(random() * 4);
  for (let k = 0; k < fanout && i > 0; k++) {
    // Mostly nearby modules (chains), sometimes far ones.
    const j = random() < 0.8 ? Math.max(0, i - 1 - Math.floor(random() * 20)) : Math.floor(random() * i);
    deps.add(j);
  }
  lines.push('local ngx = ngx', 'local ok, new_tab = pcall(require, "table.new")', 'local cjson_safe = nil');
  for (const j of deps) {
    lines.push(`local m${j} = require "${moduleName(j)}"`);
  }
  if (random() < 0.01) {
    lines.push(`local gone = require("app.gone.m${i}")`);
  }
  lines.push('', 'local _M = { _VERSION = "1.0.0" }', '');
  const functions = 3 + Math.floor(random() * 10);
  for (let f = 0; f < functions; f++) {
    lines.push(
      `--- Does step ${f} of module ${i}.`,
      `-- @param ctx the request context`,
      `-- @param opts options table`,
      `function _M.step${f}(ctx, opts)`,
      `  local t = new_tab and new_tab(0, 4) or {}`,
      `  for k, v in pairs(opts or {}) do`,
      `    if type(v) == "string" and #v > ${f} then`,
      `      t[k] = v:sub(1, ${f + 1}) .. "-" .. tostring(ctx and ctx.id or 0)`,
      `    elseif type(v) == "number" then`,
      `      t[k] = math.floor(v * ${f + 1} / 3)`,
      `    end`,
      `  end`,
    );
    const dep = [...deps][f % Math.max(1, deps.size)];
    if (dep !== undefined && deps.size > 0) {
      lines.push(`  local r = m${dep}.step0(ctx, t)`, `  if r then t.r = r end`);
    }
    lines.push(`  return t`, `end`, '');
  }
  lines.push(`_M.count = ${count}`);
  if (random() < 0.01) {
    lines.push('local broken = = 1');
  }
  lines.push('', 'return _M', '');
  return lines.join('\n');
}

/** Modules of an area, as facades and re-exports list them: the first `limit` of it. */
function areaModules(area: number, count: number, limit: number): number[] {
  const out: number[] = [];
  for (let i = area; i < count && out.length < limit; i += AREAS.length) {
    out.push(i);
  }
  return out;
}

/**
 * The idioms of real gateways on top of the modules: per area a facade
 * (`app.<area>` returns a table of requires) and a re-export module
 * (`app.<area>.api`: `_M.sN = mN.step0`, `local x = m.step1; _M.first = x`),
 * and one module in a hundred (`app.idioms.uK`) that uses them all.
 */
function writeIdioms(root: string, count: number, files: string[]): IdiomProbe {
  const per = 20;
  for (let a = 0; a < AREAS.length; a++) {
    const listed = areaModules(a, count, per);
    const facade = [`-- app.${AREAS[a]}: one require for the area's modules`, 'return {', ...listed.map((i) => `    m${i} = require("${moduleName(i)}"),`), '}', ''];
    const api = [
      ...listed.map((i) => `local m${i} = require "${moduleName(i)}"`),
      '',
      'local _M = {}',
      '',
      ...listed.map((i) => `_M.s${i} = m${i}.step0`),
      `local first = m${listed[0]}.step1`,
      '_M.first = first',
      '',
      'return _M',
      '',
    ];
    for (const [file, text] of [
      [path.join(root, 'lib', 'app', `${AREAS[a]}.lua`), facade],
      [path.join(root, 'lib', 'app', AREAS[a], 'api.lua'), api],
    ] as const) {
      fs.writeFileSync(file, text.join('\n'));
      files.push(file);
    }
  }
  const users = Math.max(1, Math.floor(count / 100));
  let probe: IdiomProbe | undefined;
  for (let k = 0; k < users; k++) {
    const a = k % AREAS.length;
    const listed = areaModules(a, count, per);
    const i = listed[k % listed.length];
    const area = AREAS[a];
    const lines = [
      `local ${area} = require "app.${area}"`,
      `local api = require("app.${area}.api")`,
      `local step = require("${moduleName(i)}").step0`,
      `local encode = ${area}.m${i}.step1`,
      '',
      'local _M = {}',
      '',
      'function _M.run(ctx)',
      `    local a = ${area}.m${i}.step0(ctx, {})`,
      `    local b = api.s${i}(ctx, {})`,
      '    local c = step(ctx)',
      '    local d = encode(ctx, {})',
      '    return a, b, c, d, api.first(ctx)',
      'end',
      '',
      'return _M',
      '',
    ];
    const file = path.join(root, 'lib', 'app', 'idioms', `u${k}.lua`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lines.join('\n'));
    files.push(file);
    const at = (line: number, needle: string, offset: number) => ({ line, character: lines[line].indexOf(needle) + offset });
    probe = {
      file,
      definitions: [
        { what: 'facade, two levels', ...at(8, `${area}.m${i}.step0`, `${area}.m${i}.`.length + 1) },
        { what: 're-export', ...at(9, `api.s${i}`, 'api.'.length + 1) },
        { what: 'require("m").member', ...at(10, 'step(ctx)', 1) },
        { what: 'local bound to a facade member', ...at(11, 'encode(ctx', 1) },
      ],
      references: at(8, `${area}.m${i}.step0`, `${area}.m${i}.`.length + 1),
    };
  }
  return probe!;
}

export interface GenerateOptions {
  seed?: number;
  /** Add the gateway idioms (writeIdioms): the benchmark measures navigation through them. */
  idioms?: boolean;
}

export function generateWorkspace(root: string, count: number, options: GenerateOptions = {}): GeneratedWorkspace {
  const seed = options.seed ?? 42;
  const random = rng(seed);
  fs.rmSync(root, { recursive: true, force: true });
  const files: string[] = [];
  const modules: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = moduleName(i);
    const file = path.join(root, 'lib', ...name.split('.')) + '.lua';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, moduleSource(i, count, random));
    files.push(file);
    modules.push(name);
  }
  const entries = [count - 1, Math.floor(count / 2), Math.floor(count / 3)].map(moduleName);
  fs.mkdirSync(path.join(root, 'conf'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'conf', 'nginx.conf'),
    [
      'http {',
      '    lua_package_path "$prefix/lib/?.lua;;";',
      '    init_worker_by_lua_block {',
      `        require "${entries[0]}".step0()`,
      '    }',
      '    server {',
      '        location / {',
      '            content_by_lua_block {',
      ...entries.map((e) => `                local m = require "${e}"`),
      '            }',
      '        }',
      '    }',
      '}',
      '',
    ].join('\n'),
  );
  // Embed every module but one in a hundred, as a project that keeps its manifest up to date
  // would: the closure reaches almost everything, and a few modules are "not-in-mapping".
  const embed = [...new Set([...entries, ...modules.filter((_, i) => i % 100 !== 7)])];
  fs.writeFileSync(
    path.join(root, 'resty-build.json'),
    JSON.stringify({ profile: 'openresty', path: ['lib/?.lua', 'lib/?/init.lua'], nginxConf: 'conf/nginx.conf', embed }, null, 2) + '\n',
  );
  // After the modules, so that they stay the same files whatever is added here.
  const idioms = options.idioms ? writeIdioms(root, count, files) : undefined;
  const probeIndex = count - 1;
  const probeFile = files[probeIndex];
  const probeText = fs.readFileSync(probeFile, 'utf8');
  const dep = /local m(\d+) = require "([^"]+)"/.exec(probeText)!;
  return { root, files, modules, probe: { file: probeFile, module: modules[probeIndex], dependency: dep[2], member: `m${dep[1]}.step0` }, idioms };
}

if (require.main === module) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: tsx bench/generate.ts <dir> [modules=1000]');
    process.exit(2);
  }
  const ws = generateWorkspace(path.resolve(dir), Number(count ?? 1000), { idioms: true });
  console.log(`wrote ${ws.files.length} modules to ${ws.root}`);
}
