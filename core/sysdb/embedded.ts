import type { DatabasePort } from '../ports/database.ts'

// An embedded (PGlite) database lives inside one process, and a directory must not be opened twice. So a
// DBOSClient in the process that launched DBOS on that database uses the launch's instance instead of opening
// its own; for memory:// it is the only way to reach the data at all.
const launched = new Map<string, DatabasePort>()

/** The real directory of a file: URL, as the runtime adapter finds it; without one, the URL's path as written. */
let directoryOf: (url: string) => string = (url) => url.replace(/^file:(\/\/)?/, '')

/**
 * Set by the adapter that opens embedded databases: keys the sharing on the real directory, so that `file:data`,
 * `file:./data` and a symlink to it name one database, as they name one directory lock.
 */
export function setEmbeddedDirectoryResolver(resolve: (url: string) => string): void {
  directoryOf = resolve
}

function key(url: string): string {
  return url.startsWith('memory://') ? 'memory://' : `file:${directoryOf(url)}`
}

/** Makes a launched embedded database reachable by URL until the returned function is called. */
export function shareEmbedded(url: string, db: DatabasePort): () => void {
  const k = key(url)
  launched.set(k, db)
  return () => {
    if (launched.get(k) === db) launched.delete(k)
  }
}

/** The launched embedded database at this URL, if this process has one. */
export function launchedEmbedded(url: string): DatabasePort | undefined {
  return launched.get(key(url))
}

/** True for the URLs that name an embedded database. */
export function isEmbeddedUrl(url: string): boolean {
  return url.startsWith('memory://') || url.startsWith('file:')
}
