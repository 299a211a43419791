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
