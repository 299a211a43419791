// The test runner's own pieces (scripts/test.mjs): what it reads from each runtime's report, the ERROR lines
// it refuses, and the closing block that decides the exit code.
import {
  closingBlock, flag, type LaneResult, parseBun, parseDenoJunit, parseNodeTap, perdureErrors,
} from '../../scripts/test.mjs'
import { describe, expect, it } from '../harness.ts'

const none = { passed: 0, failed: 0, skipped: 0, todo: 0 }

describe('test runner', () => {
  it("reads node's TAP: counts, skipped tests and suites by name, and a file with no test as none", () => {
    // As node 20 writes it: every result line has its YAML block.
    const tap = [
      'TAP version 13',
      '# Subtest: suite A',
      '    ok 1 - passes',
      '      ---',
      '      duration_ms: 2.5',
      '      ...',
      '    ok 2 - SKIPPED: runs on Node only: because # SKIP',
      '      ---',
      '      duration_ms: 0.3',
      '      ...',
      'ok 1 - suite A',
      '  ---',
      "  type: 'suite'",
      '  ...',
      'ok 2 - suite B skipped whole # SKIP',
      '  ---',
      "  type: 'suite'",
      '  ...',
      '# tests 2', '# pass 1', '# fail 0', '# cancelled 0', '# skipped 1', '# todo 0',
    ].join('\n')
    expect(parseNodeTap(tap)).toEqual({
      counts: { passed: 1, failed: 0, skipped: 2, todo: 0 },
      skipped: ['SKIPPED: runs on Node only: because', 'suite B skipped whole'],
    })
    const empty = 'ok 1 - /repo/test/unit/empty.test.ts\n# tests 1\n# pass 1\n# fail 0\n# skipped 0\n'
    expect(parseNodeTap(empty)?.counts).toEqual(none)
    expect(parseNodeTap('# Subtest: crashed before its summary')).toBeUndefined()
  })

  it("reads bun's totals and its (skip) lines", () => {
    const output = [
      '(pass) suite A > passes [0.03ms]',
      '(skip) suite A > SKIPPED: runs on Node only: because',
      '', ' 1 pass', ' 1 skip', ' 0 fail',
    ].join('\n')
    expect(parseBun(output)).toEqual({
      counts: { passed: 1, failed: 0, skipped: 1, todo: 0 },
      skipped: ['suite A > SKIPPED: runs on Node only: because'],
    })
    expect(parseBun('error: could not load the file')).toBeUndefined()
  })

  it("reads Deno's JUnit: steps are the tests, a hook failure is one, a skipped suite is one skip", () => {
    const testcase = (name: string, body = '') => `<testcase name="${name}" classname="x">${body}</testcase>`
    const xml = `<testsuites name="deno test">${[
      testcase('suite A'),
      testcase('suite A &gt; passes'),
      testcase('suite A &gt; SKIPPED: runs on Node only', '<skipped/>'),
      testcase('suite B', '<skipped/>'),
      testcase('suite C', '<failure message="beforeAll failed"/>'),
      testcase('suite C &gt; never ran', '<skipped/>'),
      testcase('top-level test outside a describe'),
    ].join('')}</testsuites>`
    expect(parseDenoJunit(xml)).toEqual({
      counts: { passed: 2, failed: 1, skipped: 3, todo: 0 },
      skipped: ['suite A > SKIPPED: runs on Node only', 'suite B', 'suite C > never ran'],
    })
    expect(parseDenoJunit('')).toBeUndefined()
  })

  it("finds Perdure's ERROR lines, coloured or not, and nothing else", () => {
    const output = [
      '2026-12-06T23:52:19.433Z [perdure] WARN: only a warning',
      '\x1b[31m2026-12-06T23:52:19.434Z [perdure] ERROR: Admin request GET /deactivate failed\x1b[0m',
      "  ✔ matches /\\[perdure\\] ERROR: boom/ in a test's own name",
    ].join('\n')
    expect(perdureErrors(output)).toEqual(['2026-12-06T23:52:19.434Z [perdure] ERROR: Admin request GET /deactivate failed'])
  })

  it('reads flags as 1/true/yes/on or 0/false/no/off, and refuses anything else', () => {
    const name = 'PERDURE_TEST_RUNNER_FLAG_PROBE'
    try {
      for (const [value, expected] of [['1', true], ['TRUE', true], ['yes', true], ['0', false], ['false', false], ['', false]] as const) {
        process.env[name] = value
        expect(flag(name)).toBe(expected)
      }
      process.env[name] = 'maybe'
      expect(() => flag(name)).toThrow(/is not a flag/)
    } finally {
      delete process.env[name]
    }
  })

  it('ends with every lane and then the count line; under CI a lane with no test fails the run', () => {
    const lane = (name: string, counts = none, more: Partial<LaneResult> = {}): LaneResult => ({
      name, counts, seconds: 1, problems: [], skips: [], ...more,
    })
    const passing = { passed: 3, failed: 0, skipped: 0, todo: 0 }
    const results = [
      lane('node × postgres', passing),
      lane('node × pglite', passing),
      lane('bun × postgres'),
      lane('bun × pglite', passing),
      lane('deno × postgres', none, { notRun: 'not run (PERDURE_TEST_RUNTIMES)' }),
      lane('deno × pglite', passing, { skips: ['test/x.test.ts: SKIPPED: why'] }),
    ]
    const ci = closingBlock(results, { ci: true })
    expect(ci.failed).toBe(true)
    expect(ci.lines).toContain('CI: these lanes ran no test: bun × postgres, deno × postgres')
    expect(ci.lines.at(-1)).toBe('12 passed, 2 failed')
    expect(ci.lines).toContain('deno × postgres: not run (PERDURE_TEST_RUNTIMES)')
    expect(ci.lines).toContain('skipped, and why:\n  deno × pglite: test/x.test.ts: SKIPPED: why')

    const local = closingBlock(results, { ci: false })
    expect(local.failed).toBe(false)
    expect(local.lines.at(-1)).toBe('12 passed, 0 failed')

    const problem = closingBlock([lane('node × pglite', passing, { problems: ['test/y.test.ts: printed an ERROR line'] })], { ci: false })
    expect(problem.failed).toBe(true)
    expect(problem.lines.at(-1)).toBe('3 passed, 1 failed')
  })
})
