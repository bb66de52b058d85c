-- Cache mounts, named once so every build shares them.
local M = {}

function M.go_modules()
  return bk.cache("/go/pkg/mod")
end

function M.go_build()
  return bk.cache("/root/.cache/go-build")
end

return M
