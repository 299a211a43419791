// Bun: its own runner, which already has this API (https://bun.sh/docs/cli/test).
import type * as NodeHarness from './node.ts'

const bunTest = (await import('bun:test' as string)) as typeof NodeHarness
export const { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } = bunTest
