// Interoperability with the official DBOS Transact SDK, @dbos-inc/dbos-sdk 5.3.0 (a devDependency, used only
// here): the items of the interop checklist in spec §11 that concern features Perdure has, in both
// directions. Perdure runs in this process; the official executor runs in a child (test/interop/dbos-executor.ts).
import { describeOn } from '../support/databases.ts'

const g = globalThis as { Bun?: unknown; Deno?: unknown }
// The official SDK is a CommonJS package built on `pg`, used here on Node only; on Bun and Deno this file
// declares nothing, and the other suites cover Perdure on those runtimes.
if (!g.Bun && !g.Deno) {
  const { declareInterop } = await import('./suite.ts')
  describeOn('postgres', 'interop with @dbos-inc/dbos-sdk 5.3.0', declareInterop)
}
