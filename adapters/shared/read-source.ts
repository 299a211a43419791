// The source reader behind the default application version (core/version-source.ts): Node's fs and url
// modules run on Node, Bun and Deno alike. Each adapter's entry point installs it.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The text of the module a stack frame names (a path or a file: URL); undefined if it cannot be read. */
export function readSource(location: string): string | undefined {
  try {
    return readFileSync(location.startsWith('file:') ? fileURLToPath(location) : location, 'utf8')
  } catch {
    // Not a readable file (removed since, or not a file at all): the version falls back to the function's text.
    return undefined
  }
}
