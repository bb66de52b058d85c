// The protocol library, imported once for the whole server: the bundle turns
// every module's import of a CommonJS package into its own copy of the
// package's namespace (some 1,500 names), which cost milliseconds at start-up.
export * from 'vscode-languageserver/node';
