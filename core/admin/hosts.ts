// Names and origins the admin server's browser guard compares: kept apart from the app so that configuration
// validation can use them without loading Hono.

/** The host name of a `Host` value (`name[:port]`, `[v6][:port]`), lowercased; undefined if malformed. */
export function hostName(host: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/@\[\]]+)(?::([0-9]{1,5}))?$/.exec(host.trim())
  return match ? match[1]!.toLowerCase().replace(/\.$/, '') : undefined
}

/** The canonical form of a configured origin, or undefined when it is not `scheme://host[:port]`. */
export function canonicalOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin)
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin === 'null') return undefined
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') return undefined
    return url.origin
  } catch {
    return undefined
  }
}

/**
 * The host name of a configured host (adminHost, adminAllowedHosts), which may be a bare IPv6 address:
 * `::1` is read as `[::1]`. Undefined when it is no host name (`fe80::1%lo0`, `a b`).
 */
export function configuredHostName(host: string): string | undefined {
  return hostName(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)
}

/**
 * True for a configured host that only this machine can reach: localhost, 127.0.0.0/8 and ::1. A wildcard
 * (0.0.0.0, ::), any other address, and any other name (which a resolver may map anywhere) count as reachable
 * from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const name = configuredHostName(host)
  if (name === undefined) return false
  if (name === 'localhost') return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true
  return name === '[::1]' || name === '[0:0:0:0:0:0:0:1]'
}
