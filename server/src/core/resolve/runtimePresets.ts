/**
 * Named runtime presets for the manifest's `provided`: the modules an
 * OpenResty release ships in its `lualib` (and registers in its nginx), so a
 * project running on that release declares them all with one entry
 * (`"provided": ["@openresty-1.27.1.2"]`) instead of embedding or listing
 * them.
 *
 * OpenResty 1.27.1.2 (released 14 Mar 2025). Its components are those of
 * the release's bundle script (util/mirror-tarballs of
 * github.com/openresty/openresty) and ChangeLog
 * (https://openresty.org/en/changelog-1027001.html: lua-resty-core 0.1.31,
 * lua-cjson 2.1.0.14, …); the modules are the `lib/` files each component
 * installs into `<prefix>/lualib`:
 *
 * | component | modules |
 * |---|---|
 * | lua-resty-core | resty.core, resty.core.*, ngx.* (Lua over the FFI) |
 * | lua-resty-lrucache | resty.lrucache, resty.lrucache.pureffi |
 * | lua-resty-lock | resty.lock |
 * | lua-resty-string | resty.aes, resty.md5, resty.random, resty.sha*, resty.string |
 * | lua-resty-dns | resty.dns.resolver |
 * | lua-resty-memcached | resty.memcached |
 * | lua-resty-redis | resty.redis |
 * | lua-resty-mysql | resty.mysql |
 * | lua-resty-upload | resty.upload |
 * | lua-resty-websocket | resty.websocket.client, .protocol, .server |
 * | lua-resty-limit-traffic | resty.limit.conn, .count, .req, .traffic |
 * | lua-resty-upstream-healthcheck | resty.upstream.healthcheck |
 * | lua-resty-shell | resty.shell |
 * | lua-resty-signal | resty.signal |
 * | lua-tablepool | tablepool |
 * | lua-cjson | cjson, cjson.safe (C: lualib/cjson.so) |
 * | lua-redis-parser | redis.parser (C: lualib/redis/parser.so) |
 * | lua-rds-parser | rds.parser (C: lualib/rds/parser.so) |
 * | lua-upstream-nginx-module | ngx.upstream (registered by the nginx module) |
 *
 * The resty.core.* and ngx.* names are those lua-resty-core has shipped
 * since 0.1.25 (checked against Debian's lua-resty-core 0.1.25 package);
 * a file a later release added and this list does not name is simply not
 * declared, never wrongly declared.
 */

export interface RuntimePreset {
  /** What the preset stands for, for messages. */
  title: string;
  /** The release whose contents it lists. */
  release: string;
  modules: readonly string[];
}

const RESTY_CORE = [
  'resty.core',
  ...['base', 'base64', 'coroutine', 'ctx', 'exit', 'hash', 'misc', 'ndk', 'param', 'phase', 'regex', 'request', 'response', 'shdict', 'socket', 'time', 'uri', 'utils', 'var', 'worker'].map(
    (m) => `resty.core.${m}`,
  ),
  ...['balancer', 'base64', 'errlog', 'ocsp', 'pipe', 'process', 're', 'req', 'resp', 'semaphore', 'ssl', 'ssl.clienthello', 'ssl.session'].map((m) => `ngx.${m}`),
];

const OPENRESTY_1_27_1_2: RuntimePreset = {
  title: 'the Lua libraries OpenResty 1.27.1.2 bundles',
  release: 'OpenResty 1.27.1.2',
  modules: [
    ...RESTY_CORE,
    'resty.lrucache',
    'resty.lrucache.pureffi',
    'resty.lock',
    ...['aes', 'md5', 'random', 'sha', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'string'].map((m) => `resty.${m}`),
    'resty.dns.resolver',
    'resty.memcached',
    'resty.redis',
    'resty.mysql',
    'resty.upload',
    'resty.websocket.client',
    'resty.websocket.protocol',
    'resty.websocket.server',
    'resty.limit.conn',
    'resty.limit.count',
    'resty.limit.req',
    'resty.limit.traffic',
    'resty.upstream.healthcheck',
    'resty.shell',
    'resty.signal',
    'tablepool',
    'cjson',
    'cjson.safe',
    'redis.parser',
    'rds.parser',
    'ngx.upstream',
  ],
};

/** Presets by the name written in `provided` (with its leading '@'). */
export const RUNTIME_PRESETS: Readonly<Record<string, RuntimePreset>> = {
  '@openresty-1.27.1.2': OPENRESTY_1_27_1_2,
};

/** The preset `fix` and the quick fixes offer: the newest release described. */
export const NEWEST_OPENRESTY_PRESET = '@openresty-1.27.1.2';

export function isPresetName(entry: string): boolean {
  return entry.startsWith('@');
}
