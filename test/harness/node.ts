// Node and Deno: node:test (Deno implements it) plus the npm `expect` package (Jest's matchers).
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { expect } from 'expect'

export { afterEach, beforeEach, describe, expect, it }
export const beforeAll: typeof before = before
export const afterAll: typeof after = after
