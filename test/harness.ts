// Tests import describe/it/expect only from here, so one suite runs under several runtimes.
// Node: node:test plus the npm `expect` package (Jest's matchers, the ones bun:test shares).
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { expect } from 'expect'

export { afterEach, beforeEach, describe, expect, it }
export const beforeAll: typeof before = before
export const afterAll: typeof after = after
