import { builtWith, formatNgxLuaVersion, NginxBuildInfo } from './nginxBinary';

/**
 * Why a symbol an FFI call needs may be missing from a built nginx, said
 * from its name and `nginx -V`: lua-nginx-module exports its SSL functions
 * only when nginx has SSL, ngx.pipe's only with OpenResty's socket-cloexec
 * patch, and each release adds and removes `ngx_*_lua_ffi_*` functions.
 */
export function likelyCause(symbol: string, info: NginxBuildInfo, ngxLuaVersion: number | undefined): string {
  const lua = /^ngx_(http|stream)_lua_ffi_/.exec(symbol);
  if (!lua) {
    return 'Likely cause: it belongs to a library nginx does not link; load that library with ffi.load and call it through the namespace ffi.load returns.';
  }
  const subsystem = lua[1];
  if (/ssl|ocsp|cert|priv_key|client_hello|session/.test(symbol)) {
    const flag = subsystem === 'stream' ? 'stream_ssl_module' : 'http_ssl_module';
    return builtWith(info, flag)
      ? `Likely cause: lua-nginx-module has no such SSL function in this version.`
      : `Likely cause: this nginx was built without SSL (nginx -V has no --with-${flag}), and lua-nginx-module exports its SSL functions only with it.`;
  }
  if (/pipe/.test(symbol)) {
    return "Likely cause: ngx.pipe needs OpenResty's socket-cloexec patch of nginx, which this nginx lacks.";
  }
  const version = ngxLuaVersion === undefined ? '' : ` (${formatNgxLuaVersion(ngxLuaVersion)})`;
  return `Likely cause: the module was written for another lua-nginx-module release than this nginx's${version}; use the releases (lua-resty-core and the libraries) made for it.`;
}
