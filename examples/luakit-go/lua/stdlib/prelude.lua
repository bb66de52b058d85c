-- Common build helpers, shipped in luakit's stdlib folder.
local M = {}

function M.container(base, build_fn)
  return build_fn(base)
end

function M.multi_stage(builder_image, runtime_image, build_fn)
  local builder = bk.image(builder_image)
  build_fn(builder)
  return bk.image(runtime_image)
end

function M.copy_all(source_state, from_path, to_path)
  return function(target_state)
    return target_state:copy(source_state, from_path, to_path)
  end
end

return M
