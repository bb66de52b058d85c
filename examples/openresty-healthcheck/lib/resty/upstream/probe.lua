-- One health probe: sends a request to a peer and judges the answer.
local _M = {}

local function status_of(line)
  local code = line and line:match("^HTTP/%d%.%d%s+(%d+)")
  return tonumber(code)
end

--- Sends the configured request to one peer.
-- @param peer { host = "127.0.0.1", port = 80 }
-- @param opts the checker options (http_req, timeout, valid_statuses)
-- @return true when the peer answered with a valid status
function _M.check(peer, opts)
  local sock = ngx.socket.tcp()
  sock:settimeout(opts.timeout)
  local ok, err = sock:connect(peer.host, peer.port)
  if not ok then
    return nil, err
  end
  local bytes
  bytes, err = sock:send(opts.http_req)
  if not bytes then
    sock:close()
    return nil, err
  end
  local line
  line, err = sock:receive()
  sock:close()
  if not line then
    return nil, err
  end
  local status = status_of(line)
  for _, valid in ipairs(opts.valid_statuses or { 200 }) do
    if status == valid then
      return true
    end
  end
  return false, "bad status " .. tostring(status)
end

return _M
