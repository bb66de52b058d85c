-- Settings of this deployment, kept out of the checker's code.
local _M = { _VERSION = "0.1.0" }

_M.checker = {
  shm = "healthcheck",
  upstream = "backend",
  type = "http",
  http_req = "GET /healthz HTTP/1.0\r\nHost: backend\r\n\r\n",
  interval = 2000,
  timeout = 1000,
  fall = 3,
  rise = 2,
  valid_statuses = { 200, 204 },
}

return _M
