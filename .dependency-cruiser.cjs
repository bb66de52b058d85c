// The layering rules of ARCHITECTURE (README, "Architecture"), checked by `npm run deps` in `npm test`.
// Type-only imports count too (tsPreCompilationDeps): a cycle through types is still a knot for a reader.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make the code impossible to read (or load) in order. Move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'The analysis core knows nothing of LSP, VS Code, the CLI or the toolchain: adapters call it, never the reverse.',
      from: { path: '^server/src/core/' },
      to: { path: ['^server/src/(features|commands|toolchain|protocol)/', '^server/src/[^/]+\\.ts$', '^client/', 'node_modules/(vscode-languageserver|vscode-languageclient|vscode-jsonrpc)'] },
    },
    {
      name: 'core-has-no-vscode',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^vscode$', dependencyTypes: ['core', 'npm', 'unknown', 'undetermined'] },
    },
    {
      name: 'toolchain-below-adapters',
      severity: 'error',
      comment: 'The build pipeline is called by the CLI and the server; it does not call them.',
      from: { path: '^server/src/toolchain/' },
      to: { path: ['^server/src/(features|commands)/', '^server/src/(server|cli)\\.ts$', '^client/'] },
    },
    {
      name: 'protocol-is-shared',
      severity: 'error',
      comment: 'The client bundles the protocol: it may use the LSP protocol library, nothing of the server.',
      from: { path: '^server/src/protocol/' },
      to: { path: ['^server/src/', '^client/'], pathNot: '^server/src/protocol/' },
    },
    {
      name: 'client-has-no-analysis',
      severity: 'error',
      comment: 'The extension shows what the server computed; it shares only the protocol with it.',
      from: { path: '^client/' },
      to: { path: '^server/src/', pathNot: '^server/src/protocol/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
