import { DBOSInitializationError } from './errors.ts'
import type { Runtime } from './ports/runtime.ts'

let installed: Runtime | undefined

/** Called once by an adapter's entry point (perdure/node, perdure/bun, perdure/deno). */
export function installRuntime(runtime: Runtime): void {
  installed = runtime
}

/** The runtime the adapter installed. */
export function currentRuntime(): Runtime {
  if (!installed) {
    throw new DBOSInitializationError(
      "No runtime adapter is installed: import from 'perdure' (or 'perdure/node', 'perdure/bun', 'perdure/deno'), not from core",
    )
  }
  return installed
}
