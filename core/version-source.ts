// The default application version is a digest of the workflows' code. `fn.toString()` is not that code: it is
// what the runtime made of it. tsx/esbuild minifies TypeScript and folds constants, Bun merges declarations and
// inlines enums, Deno keeps the layout: the same file gives three different texts, so three versions, and each
// runtime's launch strands the others' pending work. The source file a workflow was registered from is the same
// bytes on every runtime. So a registration records where it was made (its stack), and the version digests the
// file found there; only where no file can be read (a browser, a remote module) does it fall back to
// `fn.toString()`. Editing a workflow edits its file, which changes the version, as before; so does editing
// anything else in that file, which errs on the safe side (a new version never runs another's pending work).
import type { WorkflowRegistration } from './engine/registry.ts'

/** Reads a module's source text by the location a stack frame names (a path or a file: URL); undefined if it cannot. */
export type SourceReader = (location: string) => string | undefined

let reader: SourceReader | undefined

/** Called by the runtime adapters, which can read files (core cannot). */
export function installSourceReader(read: SourceReader): void {
  reader = read
}

const sites = new WeakMap<WorkflowRegistration, string>()

/** Records the stack of a registration being made: the caller's file is on it. */
export function recordRegistrationSite(reg: WorkflowRegistration): void {
  const holder = Error as { stackTraceLimit?: number }
  const limit = holder.stackTraceLimit
  // Decorators put a few frames between the user's class and here; the default limit (10) could cut them off.
  holder.stackTraceLimit = 50
  const stack = new Error().stack
  holder.stackTraceLimit = limit
  if (stack) sites.set(reg, stack)
}

/**
 * The source text of the file `reg` was registered from, or undefined when unknown. `cache` holds files read
 * so far, by location, for one digest.
 */
export function registrationSource(reg: WorkflowRegistration, cache: Map<string, string | undefined>): string | undefined {
  const stack = sites.get(reg)
  if (!stack || !reader) return undefined
  const location = callerLocation(stack)
  if (!location) return undefined
  if (!cache.has(location)) cache.set(location, reader(location))
  return cache.get(location)
}

/**
 * A frame's file: `at f (/a/b.ts:1:2)`, `at /a/b.ts:1:2`, `at file:///a/b.ts:1:2`, `f@/a/b.ts:1:2`. The file
 * starts after a space, `(` or `@`, and may itself hold `@` (scoped packages: `node_modules/@org/…`).
 */
const FRAME = /(?:^|[\s(@])((?:file:\/\/|\/|[A-Za-z]:[\\/])[^\s()]*?):\d+:\d+\)?\s*$/

/**
 * The first file on the stack that is not Perdure's own. The first frame is this module, which sits in
 * `<root>/core/` when run from source (a checkout, JSR) or in `<root>/dist/` when built: Perdure's files are
 * those under `<root>/core/`, `<root>/adapters/` and `<root>/dist/`.
 */
export function callerLocation(stack: string): string | undefined {
  const files = stack.split('\n').map((line) => FRAME.exec(line)?.[1]).filter((f): f is string => f !== undefined)
  const own = files[0]
  if (!own) return undefined
  const cut = Math.max(own.lastIndexOf('/core/'), own.lastIndexOf('/dist/'))
  if (cut < 0) return undefined
  const root = own.slice(0, cut)
  const ours = ['/core/', '/adapters/', '/dist/'].map((dir) => root + dir)
  return files.find((file) => !ours.some((prefix) => file.startsWith(prefix)))
}
