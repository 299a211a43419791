// Runs test/**/*.test.ts in each lane (one runtime's test runner against one system database), one child
// process per file, and closes with every lane's counts and then one count line, always the last line.
//
//   node scripts/test.mjs [filter...]   filters are substrings of the test file path, any may match
//
// Environment (flags take 1/true/yes/on or 0/false/no/off):
//   CI                         the whole suite must run: every one of the six lanes must run at least one test;
//                              filters, PERDURE_TEST_RUNTIMES/DATABASES and PERDURE_SKIP_POSTGRES are refused,
//                              and Postgres is required
//   PERDURE_TEST_DATABASE_URL  Postgres for the integration half (default below)
//   PERDURE_REQUIRE_POSTGRES   fail when that Postgres is unreachable instead of skipping its half
//   PERDURE_REQUIRE_<NAME>     fail the run when a test skips with a reason that names this variable (the
//                              browser test names PERDURE_REQUIRE_BROWSER when Chromium is missing)
//   PERDURE_SKIP_POSTGRES=1    set for the test files when Postgres is skipped; they read it
//   PERDURE_TEST_RUNTIMES      runtimes to run, comma-separated (default node,bun,deno)
//   PERDURE_TEST_DATABASES     lanes' databases to run, comma-separated (default postgres,pglite)
//   PERDURE_TEST_FILE_TIMEOUT_S  a file still running after this is killed and counted as failed (default 600)
//   PERDURE_TEST_PGLITE_TEMPLATE  an initialized PGlite directory the PGlite suites copy (made here if unset)
//
// A lane fails, naming the file, when a file's runner crashes, times out, exits non-zero with no failed test,
// declares no test at all (a file with nothing for a lane must skip with its reason), or prints a Perdure
// ERROR line: an error a test provokes on purpose belongs to that test (test/support/logs.ts catches it).
//
// Plain Node ESM, so it runs before anything is built; its one dependency is PGlite, for the template.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres'
const probeTimeoutMs = 2000
/** Per test, for bun:test (test/harness/node.ts sets the same for node:test): the slowest take about a minute. */
const testTimeoutMs = 180_000
/** After the per-file timeout's SIGTERM, how long a file's runner gets to exit before SIGKILL. */
const killGraceMs = 5_000

/**
 * @typedef {{ passed: number, failed: number, skipped: number, todo: number }} Counts
 * @typedef {object} LaneRun
 * @property {number | null} code
 * @property {string | null} signal
 * @property {boolean} timedOut the per-file timeout killed it
 * @property {string} reportFile where the lane's runner was told to write its report
 * @property {string} output the child's stdout and stderr
 * @typedef {object} Report
 * @property {Counts} counts
 * @property {string[]} skipped the names of the skipped tests and suites, which say why
 * @typedef {object} Lane
 * @property {string} name printed before the lane's count line
 * @property {string} command executable to spawn, run from the repository root
 * @property {(file: string, reportFile: string) => string[]} args
 * @property {number} concurrency files run at once; with more than one, each file's output is printed whole
 * @property {(run: LaneRun) => Report | undefined} parse undefined when no summary was found
 */

/** @type {Lane[]} */
const runtimes = [
  {
    name: 'node',
    command: process.execPath,
    args: (file, reportFile) => [
      '--import', 'tsx',
      // Per-test limits come from test/harness/node.ts: --test-timeout would also time the file as a whole.
      '--test',
      // Two reporters: spec for people, TAP to a file for the counts below.
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${reportFile}`,
      file,
    ],
    concurrency: 2,
    parse: ({ reportFile }) => parseNodeTap(readFileSync(reportFile, 'utf8')),
  },
  {
    name: 'bun',
    command: join(root, 'node_modules', '.bin', 'bun'),
    args: (file) => ['test', '--timeout', String(testTimeoutMs), `./${file}`],
    concurrency: 1,
    parse: ({ output }) => parseBun(output),
  },
  {
    name: 'deno',
    command: join(root, 'node_modules', '.bin', 'deno'),
    // Types are checked once, by tsc (npm run check); Deno's own check would use its lib settings. Deno has
    // no per-test limit: the per-file timeout bounds it.
    args: (file, reportFile) => ['test', '-A', '--no-check', `--junit-path=${reportFile}`, file],
    concurrency: 1,
    parse: ({ reportFile }) => parseDenoJunit(readFileSync(reportFile, 'utf8')),
  },
]

/** The system databases each runtime is tested against; unit tests run once per runtime, in the pglite lane. */
const databases = ['postgres', 'pglite']

/**
 * Whether a test file declares Postgres suites (through test/support/databases.ts); the others run only in
 * the pglite lane, so that a file with nothing to run is not counted as a passing test.
 * @param {string} file
 */
function usesPostgres(file) {
  const text = readFileSync(join(root, file), 'utf8')
  return text.includes('describeEachDatabase(') || text.includes("describeOn('postgres'")
}

/**
 * Whether a test file has anything for the pglite lane: suites on every database or on PGlite, or plain
 * unit tests (files that never pick a database).
 * @param {string} file
 */
function usesPGlite(file) {
  const text = readFileSync(join(root, file), 'utf8')
  if (text.includes('describeEachDatabase(') || text.includes("describeOn('pglite'")) return true
  return !text.includes("describeOn('postgres'")
}

/**
 * A boolean setting: 1/true/yes/on or 0/false/no/off (any case), unset or empty meaning `unset`. Anything else
 * is an error rather than a guess, since a misread flag silently drops or requires part of the suite.
 * @param {string} name
 * @param {boolean} unset
 * @returns {boolean}
 */
export function flag(name, unset = false) {
  const value = (process.env[name] ?? '').trim().toLowerCase()
  if (value === '') return unset
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off'].includes(value)) return false
  throw new Error(`${name}=${process.env[name]} is not a flag: use 1, true, yes or on (0, false, no or off to unset)`)
}

/**
 * Whether this is a CI run. CI services set CI to `true` or `1`; an unusual non-empty value counts as CI too,
 * since reading it as "not CI" would let lanes vanish.
 */
function isCI() {
  const value = (process.env.CI ?? '').trim().toLowerCase()
  return value !== '' && !['0', 'false', 'no', 'off'].includes(value)
}

/**
 * Reads the summary that node's TAP reporter writes last (`# pass 3`, ...).
 * A skipped describe block never registers its tests, so each one counts as one skipped test
 * here; otherwise skipping the whole Postgres half would report 0 skipped.
 * @param {string} tap
 * @returns {Report | undefined}
 */
export function parseNodeTap(tap) {
  /** @type {Record<string, number>} */
  const summary = {}
  // Last occurrence wins: a test's own output is echoed into the TAP stream as `# ...` lines too.
  const line = /^# (tests|pass|fail|cancelled|skipped|skip|todo) (\d+)$/gm
  for (const [, key = '', value] of tap.matchAll(line)) {
    summary[key] = Number(value)
  }
  if (summary.tests === undefined) return undefined
  const skipped = [...tap.matchAll(/^\s*ok \d+ - (.*) # SKIP\b/gm)].map(([, name = '']) => name)
  // A file that declares no test passes as one test named by its path: that is no test at all.
  const emptyFiles = [...tap.matchAll(/^ok \d+ - (\/\S*\.test\.ts)$/gm)].length
  return {
    counts: {
      passed: (summary.pass ?? 0) - emptyFiles,
      failed: (summary.fail ?? 0) + (summary.cancelled ?? 0),
      skipped: (summary.skipped ?? summary.skip ?? 0) + countSkippedSuites(tap),
      todo: summary.todo ?? 0,
    },
    skipped,
  }
}

/** @param {string} tap */
function countSkippedSuites(tap) {
  const lines = tap.split('\n')
  let count = 0
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*ok \d+ - .*# SKIP\b/.test(lines[i] ?? '')) continue
    // The YAML block after a result line carries `type: 'suite'` for describe blocks.
    for (let j = i + 1; j < lines.length && lines[j]?.trim() !== '...'; j++) {
      if (lines[j]?.trim() === "type: 'suite'") count++
    }
  }
  return count
}

/**
 * bun test prints its totals last: ` 12 pass`, ` 0 fail`, ` 1 skip`, and a `(skip) suite > test` line for
 * each skipped test.
 * @param {string} output
 * @returns {Report | undefined}
 */
export function parseBun(output) {
  const count = (/** @type {string} */ word) => {
    const all = [...output.matchAll(new RegExp(`^\\s*(\\d+) ${word}$`, 'gm'))]
    return all.length ? Number(all[all.length - 1]?.[1]) : undefined
  }
  const passed = count('pass')
  const failed = count('fail')
  if (passed === undefined && failed === undefined) return undefined
  const skipped = [...output.matchAll(/^\(skip\) (.*)$/gm)].map(([, name = '']) => name.trim())
  return {
    counts: { passed: passed ?? 0, failed: failed ?? 0, skipped: count('skip') ?? 0, todo: count('todo') ?? 0 },
    skipped,
  }
}

/**
 * Deno runs node:test's `it` blocks as steps of a test per `describe`; its JUnit report lists both. The
 * steps (named `suite > test`) are the tests. A suite that failed with no failed step (a failing hook)
 * counts as one failure; a skipped suite, as one skipped test.
 * @param {string} xml
 * @returns {Report | undefined}
 */
export function parseDenoJunit(xml) {
  if (!xml.includes('<testsuites')) return undefined
  const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 }
  /** @type {string[]} */
  const skippedNames = []
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map(([, name = '', body = '']) => ({
    name: unescapeXml(name),
    failed: body.includes('<failure'),
    skipped: body.includes('<skipped'),
  }))
  const suitesWithSteps = new Set(cases.filter((c) => c.name.includes(' > ')).map((c) => c.name.split(' > ')[0]))
  const suitesWithFailedSteps = new Set(
    cases.filter((c) => c.failed && c.name.includes(' > ')).map((c) => c.name.split(' > ')[0]),
  )
  for (const { name, failed, skipped } of cases) {
    if (skipped && !failed) skippedNames.push(name)
    // A suite with steps: its steps are counted; it adds a failure only when a hook failed (no step did).
    if (suitesWithSteps.has(name)) {
      if (failed && !suitesWithFailedSteps.has(name)) counts.failed++
      continue
    }
    // A step, a test outside any describe, or a skipped suite (which lists no steps).
    if (failed) counts.failed++
    else if (skipped) counts.skipped++
    else counts.passed++
  }
  return { counts, skipped: skippedNames }
}

/** @param {string} text */
function unescapeXml(text) {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity) => {
    return /** @type {Record<string, string>} */ ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] ?? ''
  })
}

/** Perdure's logger at ERROR level (core/logger.ts): `<ISO time> [perdure] ERROR: <message>`. */
const perdureErrorLine = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[perdure\] ERROR: .*/g

/**
 * The Perdure ERROR lines in a file's output: none may appear unless a test caught it on purpose (then it is
 * not printed at all), so each one fails the lane.
 * @param {string} output
 * @returns {string[]}
 */
export function perdureErrors(output) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '')
  return [...plain.matchAll(perdureErrorLine)].map(([line]) => line)
}

/** @returns {string[]} test files relative to the repository root, with `/` separators */
function findTestFiles() {
  /** @type {string[]} */
  const found = []
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path)
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
        found.push(relative(root, path).split(sep).join('/'))
      }
    }
  }
  walk(join(root, 'test'))
  return found.sort()
}

/**
 * Resolves true when host:port answers like Postgres within the timeout. An open TCP port is not
 * enough (a proxy may accept anything), so it sends an SSLRequest and waits for the one-byte
 * 'S' or 'N' reply that every Postgres server gives.
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function canReachPostgres(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    /** @param {boolean} ok */
    const done = (ok) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), probeTimeoutMs)
    // SSLRequest: length 8, then the magic code 80877103.
    socket.once('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])))
    socket.once('data', (reply) => done(reply[0] === 0x53 || reply[0] === 0x4e))
    socket.once('close', () => done(false))
    socket.once('error', () => done(false))
  })
}

/**
 * @param {string} databaseUrl
 * @returns {{ host: string, port: number, display: string }}
 */
function parseDatabaseUrl(databaseUrl) {
  const url = new URL(databaseUrl)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'
  if (url.password) url.password = '***'
  return { host, port: Number(url.port || 5432), display: url.toString() }
}

/** Children still running, for the signal handlers. @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set()

/**
 * Signals a file's runner and everything it started (it leads its own process group).
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function signalGroup(child, signal) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal)
  } catch {
    child.kill(signal)
  }
}

/** Forwards SIGINT and SIGTERM to the files' runners, which lead process groups of their own. */
function forwardSignals() {
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => {
      interrupted = true
      for (const child of running) signalGroup(child, signal)
    })
  }
}
let interrupted = false

/**
 * Runs one file on one lane: its stdout and stderr are kept (and, when `live`, printed as they come), and a
 * run longer than `timeoutMs` is killed, group and all.
 * @param {Lane} lane
 * @param {string} file
 * @param {string} reportFile
 * @param {NodeJS.ProcessEnv} env
 * @param {{ live: boolean, timeoutMs: number }} options
 * @returns {Promise<LaneRun>}
 */
function runFile(lane, file, reportFile, env, { live, timeoutMs }) {
  return new Promise((resolve) => {
    // Its own process group, so that a timeout also ends the processes the file's runner and tests started.
    const child = spawn(lane.command, lane.args(file, reportFile), {
      cwd: root,
      env,
      // No terminal input: a process group of its own must not read the terminal.
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    running.add(child)
    let output = ''
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      signalGroup(child, 'SIGTERM')
      setTimeout(() => signalGroup(child, 'SIGKILL'), killGraceMs).unref()
    }, timeoutMs)
    child.stdout?.on('data', (chunk) => {
      if (live) process.stdout.write(chunk)
      output += chunk
    })
    child.stderr?.on('data', (chunk) => {
      if (live) process.stderr.write(chunk)
      output += chunk
    })
    let finished = false
    const finish = (/** @type {number | null} */ code, /** @type {string | null} */ signal) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      running.delete(child)
      // Whatever the file's tests left running dies with it.
      signalGroup(child, 'SIGKILL')
      resolve({ code, signal, timedOut, reportFile, output })
    }
    child.once('error', (error) => {
      output += `\n${lane.name}: could not start ${lane.command}: ${error.message}\n`
      finish(null, null)
    })
    child.once('close', finish)
  })
}

/**
 * Runs `work` on every item, at most `concurrency` at a time, keeping the items' order in the results.
 * @template T, R
 * @param {T[]} items
 * @param {number} concurrency
 * @param {(item: T) => Promise<R>} work
 * @returns {Promise<R[]>}
 */
async function pool(items, concurrency, work) {
  /** @type {R[]} */
  const results = []
  let next = 0
  const worker = async () => {
    // After SIGINT or SIGTERM no new file starts: the run ends once the running ones have.
    while (next < items.length && !interrupted) {
      const index = next++
      results[index] = await work(/** @type {T} */ (items[index]))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/** @param {string} line */
function loud(line) {
  const color = process.stdout.isTTY && !process.env.NO_COLOR
  return color ? `\x1b[1;33m${line}\x1b[0m` : line
}

/** @param {Counts} counts */
function formatCounts({ passed, failed, skipped }, alwaysSkipped = false) {
  const base = `${passed} passed, ${failed} failed`
  return skipped > 0 || alwaysSkipped ? `${base}, ${skipped} skipped` : base
}

/**
 * @typedef {object} LaneResult
 * @property {string} name
 * @property {Counts} counts
 * @property {number} [seconds]
 * @property {string[]} problems failures no test result reported, each naming its file
 * @property {string[]} skips why tests were skipped, `file: name`
 * @property {string} [notRun] why the lane did not run
 */

/**
 * Runs one lane's files and judges each file's run.
 * @param {Lane} runtime
 * @param {string} database
 * @param {string[]} laneFiles
 * @param {NodeJS.ProcessEnv} env
 * @param {{ reportDir: string, timeoutMs: number, required: string[] }} options
 * @returns {Promise<LaneResult>}
 */
async function runLane(runtime, database, laneFiles, env, { reportDir, timeoutMs, required }) {
  const name = `${runtime.name} × ${database}`
  console.log(`\n== ${name}: ${laneFiles.length} file(s)`)
  // Many test processes launch at once: none serves the admin API on the shared default port.
  const laneEnv = { ...env, PERDURE_TEST_DB: database, PERDURE_RUN_ADMIN_SERVER: 'false' }
  // Deno colours its report even into a pipe; a log file (CI) should read as plain text.
  if (!process.stdout.isTTY) laneEnv.NO_COLOR = '1'
  const live = runtime.concurrency === 1
  const total = { passed: 0, failed: 0, skipped: 0, todo: 0 }
  /** @type {string[]} */
  const problems = []
  /** @type {string[]} */
  const skips = []
  const started = Date.now()
  let index = 0
  await pool(laneFiles, runtime.concurrency, async (file) => {
    const reportFile = join(reportDir, `${runtime.name}-${database}-${index++}.report`)
    const run = await runFile(runtime, file, reportFile, laneEnv, { live, timeoutMs })
    // Printed whole, so that files running side by side do not interleave.
    if (!live) process.stdout.write(run.output.endsWith('\n') || run.output === '' ? run.output : `${run.output}\n`)
    /** @type {Report | undefined} */
    let report
    try {
      report = runtime.parse(run)
    } catch {
      report = undefined
    }
    const exit = run.signal ? `signal ${run.signal}` : `exit code ${run.code}`
    if (run.timedOut) problems.push(`${file}: still running after ${timeoutMs / 1000} s, killed (PERDURE_TEST_FILE_TIMEOUT_S)`)
    else if (report === undefined) problems.push(`${file}: runner crashed (${exit}) before writing a summary`)
    else if (run.code !== 0 && report.counts.failed === 0) problems.push(`${file}: runner failed (${exit}) with no failed test`)
    if (report) {
      const { counts } = report
      total.passed += counts.passed
      total.failed += counts.failed
      total.skipped += counts.skipped
      total.todo += counts.todo
      if (counts.passed + counts.failed + counts.skipped + counts.todo === 0 && !run.timedOut) {
        problems.push(`${file}: declares no test on this lane; a file with nothing to run here must skip, saying why`)
      }
      for (const skip of report.skipped) {
        skips.push(`${file}: ${skip}`)
        const requirement = required.find((variable) => skip.includes(variable))
        if (requirement) problems.push(`${file}: skipped although ${requirement} requires it: ${skip}`)
      }
    }
    for (const line of perdureErrors(run.output)) {
      problems.push(`${file}: printed an ERROR line no test caught: ${line.slice(0, 300)}`)
    }
  })
  const seconds = Math.round((Date.now() - started) / 1000)
  return { name, counts: total, seconds, problems, skips }
}

async function main() {
  const args = process.argv.slice(2)
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: node scripts/test.mjs [filter...]  (filters match test file paths; see the top of the file)')
    return 0
  }
  const unknown = args.filter((arg) => arg.startsWith('-'))
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}; arguments are file path filters`)
    return 1
  }

  forwardSignals()
  const ci = isCI()
  /** @type {boolean} */
  let requirePostgres
  /** @type {boolean} */
  let skipPostgres
  /** @type {string[]} PERDURE_REQUIRE_* variables set, for skips that name them */
  const required = []
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env }
  try {
    requirePostgres = ci || flag('PERDURE_REQUIRE_POSTGRES')
    skipPostgres = flag('PERDURE_SKIP_POSTGRES')
    for (const variable of Object.keys(process.env).filter((k) => k.startsWith('PERDURE_REQUIRE_')).sort()) {
      // Normalized for the tests, which read these as set or unset.
      if (flag(variable)) {
        required.push(variable)
        env[variable] = '1'
      } else delete env[variable]
    }
  } catch (e) {
    console.error(/** @type {Error} */ (e).message)
    return 1
  }
  const runtimeNames = runtimes.map((r) => r.name)
  const onlyRuntimes = (process.env.PERDURE_TEST_RUNTIMES || runtimeNames.join(',')).split(',').map((r) => r.trim())
  const onlyDatabases = (process.env.PERDURE_TEST_DATABASES || databases.join(',')).split(',').map((d) => d.trim())
  const badNames = [
    ...onlyRuntimes.filter((r) => !runtimeNames.includes(r)).map((r) => `PERDURE_TEST_RUNTIMES names no runtime ${r}`),
    ...onlyDatabases.filter((d) => !databases.includes(d)).map((d) => `PERDURE_TEST_DATABASES names no database ${d}`),
  ]
  if (badNames.length) {
    console.error(`${badNames.join('; ')} (runtimes: ${runtimeNames.join(', ')}; databases: ${databases.join(', ')})`)
    return 1
  }
  const allLanes = runtimeNames.flatMap((r) => databases.map((d) => `${r} × ${d}`))

  // Under CI nothing may narrow the run: refuse at once rather than finish green on part of the suite.
  if (ci) {
    /** @type {string[]} */
    const refusals = []
    const dropped = allLanes.filter((lane) => {
      const [runtime = '', database = ''] = lane.split(' × ')
      return !onlyRuntimes.includes(runtime) || !onlyDatabases.includes(database)
    })
    if (dropped.length) {
      const vars = ['PERDURE_TEST_RUNTIMES', 'PERDURE_TEST_DATABASES'].filter((v) => process.env[v])
      refusals.push(`${vars.join(' and ')} would leave out the lanes ${dropped.join(', ')}`)
    }
    if (args.length) refusals.push(`the file filters ${args.join(', ')} would leave out test files`)
    if (skipPostgres) refusals.push('PERDURE_SKIP_POSTGRES would leave out the Postgres lanes')
    if (refusals.length) {
      console.error(
        `CI is set (CI=${process.env.CI}): every lane runs the whole suite, but ${refusals.join('; ')}.\n` +
          'Unset CI (CI= npm test ...) to run part of the suite.',
      )
      console.log(`${allLanes.length - dropped.length} of ${allLanes.length} lanes requested; refused under CI`)
      return 1
    }
  }

  const files = findTestFiles().filter((file) => {
    return args.length === 0 || args.some((filter) => file.includes(filter))
  })
  if (files.length === 0) {
    console.error(`no test files under test/ match ${args.length ? args.join(', ') : '*.test.ts'}`)
    return 1
  }

  const databaseUrl = process.env.PERDURE_TEST_DATABASE_URL || defaultDatabaseUrl
  env.PERDURE_TEST_DATABASE_URL = databaseUrl
  /** @type {string | undefined} */
  let skipNotice
  delete env.PERDURE_SKIP_POSTGRES
  if (!requirePostgres && skipPostgres) {
    env.PERDURE_SKIP_POSTGRES = '1'
    skipNotice = 'PERDURE_SKIP_POSTGRES is set: the Postgres half of the suite was SKIPPED (PGlite half ran).'
  } else if (onlyDatabases.includes('postgres')) {
    /** @type {ReturnType<typeof parseDatabaseUrl>} */
    let target
    try {
      target = parseDatabaseUrl(databaseUrl)
    } catch {
      console.error(`PERDURE_TEST_DATABASE_URL is not a URL: ${databaseUrl}`)
      return 1
    }
    if (!(await canReachPostgres(target.host, target.port))) {
      if (requirePostgres) {
        console.error(
          `Postgres at ${target.display} is unreachable (no Postgres answered at ` +
            `${target.host}:${target.port} within ${probeTimeoutMs / 1000} s), and ` +
            `${ci ? 'CI' : 'PERDURE_REQUIRE_POSTGRES'} forbids skipping its half of the suite.`,
        )
        return 1
      }
      env.PERDURE_SKIP_POSTGRES = '1'
      skipNotice =
        `Postgres at ${target.display} is unreachable: ` +
        'the Postgres half of the suite was SKIPPED (PGlite half ran).'
    }
  }
  if (skipNotice) console.log(`${loud(skipNotice)}\n`)

  const timeoutSeconds = Number(process.env.PERDURE_TEST_FILE_TIMEOUT_S || 600)
  if (!(timeoutSeconds > 0)) {
    console.error(`PERDURE_TEST_FILE_TIMEOUT_S=${process.env.PERDURE_TEST_FILE_TIMEOUT_S} is not a positive number of seconds`)
    return 1
  }

  const reportDir = mkdtempSync(join(tmpdir(), 'perdure-test-'))
  // One initdb for the whole run: the PGlite suites copy this directory instead of creating a database each.
  if (!env.PERDURE_TEST_PGLITE_TEMPLATE) {
    const template = join(reportDir, 'pglite-template')
    const { PGlite } = await import('@electric-sql/pglite')
    await (await PGlite.create(template)).close()
    env.PERDURE_TEST_PGLITE_TEMPLATE = template
  }
  /** @type {LaneResult[]} */
  const results = []
  try {
    for (const runtime of runtimes) {
      for (const database of databases) {
        const name = `${runtime.name} × ${database}`
        const none = { passed: 0, failed: 0, skipped: 0, todo: 0 }
        if (!onlyRuntimes.includes(runtime.name) || !onlyDatabases.includes(database)) {
          const by = onlyRuntimes.includes(runtime.name) ? 'PERDURE_TEST_DATABASES' : 'PERDURE_TEST_RUNTIMES'
          results.push({ name, counts: none, problems: [], skips: [], notRun: `not run (${by})` })
          continue
        }
        if (database === 'postgres' && env.PERDURE_SKIP_POSTGRES === '1') {
          results.push({ name, counts: none, problems: [], skips: [], notRun: 'SKIPPED: no Postgres' })
          continue
        }
        // Unit tests touch no database: they run once per runtime, in the pglite lane.
        const laneFiles = files.filter(database === 'pglite' ? usesPGlite : usesPostgres)
        if (laneFiles.length === 0) {
          results.push({ name, counts: none, problems: [], skips: [], notRun: 'no matching file for this lane' })
          continue
        }
        results.push(await runLane(runtime, database, laneFiles, env, {
          reportDir, timeoutMs: timeoutSeconds * 1000, required,
        }))
        if (interrupted) return 130
      }
    }
  } finally {
    rmSync(reportDir, { recursive: true, force: true })
  }

  console.log('')
  const { lines, failed } = closingBlock(results, { ci, skipNotice })
  for (const line of lines) console.log(line)
  return failed ? 1 : 0
}

/**
 * The closing block: why tests were skipped, each problem, every lane's counts (or why it did not run), and
 * last the combined `N passed, N failed` line. Under CI a lane that ran no test is a failure.
 * @param {LaneResult[]} results
 * @param {{ ci: boolean, skipNotice?: string }} options
 * @returns {{ lines: string[], failed: boolean }}
 */
export function closingBlock(results, { ci, skipNotice }) {
  /** @type {string[]} */
  const lines = []
  const total = { passed: 0, failed: 0, skipped: 0, todo: 0 }
  if (skipNotice) lines.push(loud(skipNotice))
  const skipLines = results.flatMap(({ name, skips }) => skips.map((skip) => `  ${name}: ${skip}`))
  if (skipLines.length) lines.push(`skipped, and why:\n${skipLines.join('\n')}`)
  for (const { name, problems } of results) for (const problem of problems) lines.push(`${name}: ${problem}`)
  // Under CI every lane must have run tests; elsewhere a lane left out is listed with the reason.
  const missing = results.filter(({ counts }) => counts.passed + counts.failed === 0).map(({ name }) => name)
  if (ci && missing.length) lines.push(`CI: these lanes ran no test: ${missing.join(', ')}`)
  const noTests = results.every(({ counts }) => counts.passed + counts.failed === 0)
  if (noTests) lines.push('no test ran')
  for (const { name, counts, seconds, problems, notRun } of results) {
    if (notRun) {
      lines.push(`${name}: ${notRun}`)
      continue
    }
    // Each problem is a failure even when no test result said so.
    const failed = counts.failed + problems.length
    const todo = counts.todo > 0 ? `, ${counts.todo} todo` : ''
    lines.push(`${name}: ${formatCounts({ ...counts, failed }, true)}${todo} in ${seconds} s`)
    total.passed += counts.passed
    total.failed += failed
    total.skipped += counts.skipped
  }
  if (ci) total.failed += missing.length
  lines.push(formatCounts(total))
  return { lines, failed: total.failed > 0 || noTests }
}

// Run as a script; imported (by test/unit/test-runner.test.ts), it only exports its pieces.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main()
}
