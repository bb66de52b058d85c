// A luakit build script and a module it requires, shared by the luakit API and
// sandbox tests: the script uses the bk API and calls sandboxed functions.
export const BUILD = [
  'local helpers = require("libs.helpers")', // 0
  'local base = bk.image("alpine:3.19")', // 1
  'local built = base:run("make", { mounts = { bk.cache("/root/.cache") } })', // 2
  'os.execute("rm -rf /")', // 3
  'local f = io.open("x")', // 4
  'local chunk = loadfile("y.lua")', // 5
  'print(debug.traceback())', // 6
  'bk.export(built)', // 7
  '',
].join('\n');
export const HELPERS = ['local M = {}', 'function M.tmp() return os.tmpname() end', 'local os = { exit = 1 }', 'M.code = os.exit', 'return M', ''].join('\n');
