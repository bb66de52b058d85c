-- A luakit build script: builds a Go server and exports a distroless image.
local go = require("libs.go")
local prelude = require("prelude")

local base = bk.image("golang:1.22")
local src = bk.local_("context")
local built = go.build(base, src, { main = "./cmd/server" })

local final = prelude.multi_stage("golang:1.22", "gcr.io/distroless/static-debian12", function(builder)
  return builder
end):copy(built, "/out/app", "/server")

bk.export(final, { entrypoint = { "/server" } })
