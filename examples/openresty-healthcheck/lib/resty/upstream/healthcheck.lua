-- Active health checks for nginx upstreams.
local probe = require "resty.upstream.probe"

-- Both are optional: the module degrades when the runtime lacks them.
local ok_upstream, upstream = pcall(require, "ngx.upstream")
local ok_new, new_tab = pcall(require, "table.new")
if not ok_new then
  new_tab = function() return {} end
end

local _M = { _VERSION = "0.1.0" }

local checkers = new_tab(0, 4)

--- Starts a timer that probes every peer of the configured upstream.
-- @param opts the checker options (see app.config)
-- @return true, or nil and an error message
function _M.spawn_checker(opts)
  if not ok_upstream then
    return nil, "ngx.upstream is not available in this nginx"
  end
  local peers, err = upstream.get_primary_peers(opts.upstream)
  if not peers then
    return nil, err
  end
  checkers[opts.upstream] = { opts = opts, peers = peers }
  return ngx.timer.every(opts.interval / 1000, function()
    for _, peer in ipairs(peers) do
      peer.healthy = probe.check(peer, opts) == true
    end
  end)
end

--- Renders the state of every checked upstream as plain text.
function _M.status_page()
  local lines = {}
  for name, checker in pairs(checkers) do
    lines[#lines + 1] = "Upstream " .. name
    for _, peer in ipairs(checker.peers) do
      lines[#lines + 1] = "    " .. peer.name .. (peer.healthy and " up" or " DOWN")
    end
  end
  return table.concat(lines, "\n")
end

return _M
