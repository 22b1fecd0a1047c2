/** The environment that points a sandboxed command's tools at the egress
 * proxy. docs/network.md ("The child's environment") says what each variable
 * is for. The command cannot reach anything but the proxy's port, so a tool
 * that ignores all of these fails closed (EACCES on connect) rather than
 * going around the proxy. */

/** The child's environment for proxy mode. */
export function proxyEnv(port: number): Record<string, string> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`proxy port out of range: ${port}`);
  const http = `http://127.0.0.1:${port}`;
  const socks = `socks5h://127.0.0.1:${port}`;
  return {
    // The de facto standard, read by curl, wget, git (through libcurl), pip (requests), uv, cargo, Go, Deno, Bun,
    // npm, pnpm, Python's urllib and many more. curl reads only the lowercase http_proxy; most tools read both.
    HTTP_PROXY: http,
    HTTPS_PROXY: http,
    http_proxy: http,
    https_proxy: http,
    // Everything else that understands a proxy (curl for other protocols, some SOCKS-only tools). socks5h: the
    // proxy resolves names, since the command cannot.
    ALL_PROXY: socks,
    all_proxy: socks,
    // Empty: no exceptions, not even localhost (the proxy decides about loopback destinations too). Replaces any
    // NO_PROXY the caller had.
    NO_PROXY: "",
    no_proxy: "",
    // npm and pnpm configuration (npm also derives them from HTTP(S)_PROXY; explicit is safer across versions).
    npm_config_proxy: http,
    npm_config_https_proxy: http,
    // Yarn 2+ settings httpProxy/httpsProxy; Yarn 1 reads them as yarn config too and also reads npm_config_*.
    // Not YARN_NO_PROXY: Yarn 2+ rejects unknown YARN_ settings and has no noProxy.
    YARN_HTTP_PROXY: http,
    YARN_HTTPS_PROXY: http,
    // pip's --proxy option (pip also reads HTTPS_PROXY through requests).
    PIP_PROXY: http,
    // cargo's http.proxy (cargo also reads HTTPS_PROXY/http_proxy).
    CARGO_HTTP_PROXY: http,
    // Node >= 24 and >= 22.21: fetch() (and from 24.5/22.21 the http/https modules) use HTTP(S)_PROXY. Node 20
    // ignores it: its fetch connects directly and fails with EACCES.
    NODE_USE_ENV_PROXY: "1",
  };
}
