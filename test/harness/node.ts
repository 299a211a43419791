// Node and Deno: node:test (Deno implements it) plus the npm `expect` package (Jest's matchers).
import { after, afterEach, before, beforeEach, describe, it as nodeIt } from 'node:test'
import { expect } from 'expect'

/**
 * A test that runs longer than this fails instead of hanging its file (bun:test gets the same limit from the
 * test runner, scripts/test.mjs). Node's own --test-timeout would also cut short a whole file, which runs as
 * one test of its runner; the slowest tests here (crash recovery) take about a minute on a loaded machine.
 */
const TEST_TIMEOUT_MS = 180_000

/** node:test's `it`, with the timeout above unless the test gives its own options. */
export const it: typeof nodeIt = Object.assign(
  (name: string, fn?: () => unknown) => nodeIt(name, { timeout: TEST_TIMEOUT_MS }, fn as never),
  { skip: nodeIt.skip, todo: nodeIt.todo, only: nodeIt.only },
) as typeof nodeIt

export { afterEach, beforeEach, describe, expect }
export const beforeAll: typeof before = before
export const afterAll: typeof after = after
