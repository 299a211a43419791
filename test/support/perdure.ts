// The Perdure entry point of the runtime running the tests, so that each adapter is tested on its own
// runtime: `const { DBOS } = perdure`. Types come from any entry point (the three export the same names).
import type * as Perdure from '../../adapters/node/mod.ts'

const g = globalThis as { Bun?: unknown; Deno?: unknown }

export const perdure: typeof Perdure = g.Bun
  ? await import('../../adapters/bun/mod.ts')
  : g.Deno
    ? await import('../../adapters/deno/mod.ts')
    : await import('../../adapters/node/mod.ts')

/** 'node', 'bun' or 'deno'. */
export const runtimeName: string = perdure.createRuntime().name
