// Preloaded into a CLI run (node -r) by tests that bound its memory: prints
// the process's peak resident set size when it exits.
process.on('exit', () => {
  process.stderr.write(`\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
