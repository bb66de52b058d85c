-- Helpers for Go builds, shared by this project's build scripts.
local cache = require("libs.cache")

local M = {}

--- Downloads modules, copies the sources in and builds one binary.
-- @param base the builder image state
-- @param src the source state (usually bk.local_("context"))
-- @param opts { cwd = "/app", main = "." }
function M.build(base, src, opts)
  local cwd = opts.cwd or "/app"
  local deps = base:run("go mod download", {
    cwd = cwd,
    mounts = { cache.go_modules() },
  })
  local with_src = deps:copy(src, ".", cwd)
  return with_src:run("go build -o /out/app " .. (opts.main or "."), {
    cwd = cwd,
    mounts = { cache.go_build() },
  })
end

return M
