// Interoperability with the official DBOS Transact SDK, @dbos-inc/dbos-sdk 5.3.0 (a devDependency, used only
// here): the items of the interop checklist in docs/sysdb.md §11 that concern features Perdure has, in both
// directions. Perdure runs in this process; the official executor runs in a child (test/interop/dbos-executor.ts).
import { describeOn, skipOn } from '../support/databases.ts'

const g = globalThis as { Bun?: unknown; Deno?: unknown }
const title = 'interop with @dbos-inc/dbos-sdk 5.3.0'
// The official SDK is a CommonJS package built on `pg`, used here on Node only; on Bun and Deno this file
// skips, saying so, and the other suites cover Perdure on those runtimes.
if (!g.Bun && !g.Deno) {
  const { declareInterop } = await import('./suite.ts')
  describeOn('postgres', title, declareInterop)
} else {
  skipOn('postgres', title, 'runs on Node only: the official SDK 5.3.0 is a CommonJS package built on pg')
}
