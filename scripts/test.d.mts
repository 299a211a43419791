// Types of what scripts/test.mjs exports, for its tests (test/unit/test-runner.test.ts).

export interface Counts {
  passed: number
  failed: number
  skipped: number
  todo: number
}

/** One file's run as its runner reported it: the counts and the names of the skipped tests and suites. */
export interface Report {
  counts: Counts
  skipped: string[]
}

/** One lane's outcome: its counts, the failures no test result reported, the skips, or why it did not run. */
export interface LaneResult {
  name: string
  counts: Counts
  seconds?: number
  problems: string[]
  skips: string[]
  notRun?: string
}

export function flag(name: string, unset?: boolean): boolean
export function parseNodeTap(tap: string): Report | undefined
export function parseBun(output: string): Report | undefined
export function parseDenoJunit(xml: string): Report | undefined
export function perdureErrors(output: string): string[]
export function closingBlock(
  results: LaneResult[],
  options: { ci: boolean; skipNotice?: string },
): { lines: string[]; failed: boolean }
