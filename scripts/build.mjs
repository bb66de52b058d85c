// Bundles the extension, the language server and the CLI with esbuild.
// `tsc --noEmit` (npm run check-types) does the type-checking; esbuild only strips types.
// --production: minified, no source maps (the .vsix). --outdir <dir>: instead of dist/ (scripts/package.mjs
// stages the package elsewhere so a running test never sees dist/ change under it).
import { writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const outdirAt = process.argv.indexOf('--outdir');
const outdir = outdirAt > 0 ? process.argv[outdirAt + 1] : 'dist';
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not.
  mainFields: ['module', 'main'],
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: `${outdir}/server-bundle.js` }),
  esbuild.build({ ...common, entryPoints: ['server/src/analysisWorker.ts'], outfile: `${outdir}/analysisWorker.js` }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli.ts'], outfile: `${outdir}/cli-bundle.js` }),
  esbuild.build({ ...common, entryPoints: ['server/src/launch.ts'], outfile: `${outdir}/launch.js` }),
]);

// What node starts: the CLI and the server are launched from V8's code cache of their bundle
// (server/src/launch.ts), so a command or a server start does not compile a megabyte of JavaScript.
const launcher = (what, bundle, shebang) =>
  `${shebang ? '#!/usr/bin/env node\n' : ''}'use strict';\n// ${what}: ${bundle}, started with V8's code cache of it (launch.js).\nrequire('./launch.js').launch('${bundle}', module);\n`;
writeFileSync(`${outdir}/cli.js`, launcher('The resty-build CLI', 'cli-bundle.js', true), { mode: 0o755 });
writeFileSync(`${outdir}/server.js`, launcher('The resty-build language server', 'server-bundle.js', false));
