// Tests import describe/it/expect only from here, so one suite runs under Node, Bun and Deno.
// Use only what bun:test and node:test + `expect` share: describe(.skip), it(.skip), before/after hooks,
// and Jest's matchers.
import type * as NodeHarness from './harness/node.ts'

const g = globalThis as { Bun?: unknown }
const impl: typeof NodeHarness = g.Bun ? await import('./harness/bun.ts') : await import('./harness/node.ts')

export const { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } = impl
