// Runs test/**/*.test.ts in each lane (one runtime's test runner) and closes with one count line.
//
//   node scripts/test.mjs [filter...]   filters are substrings of the test file path, any may match
//
// Environment:
//   PERDURE_TEST_DATABASE_URL  Postgres for the integration half (default below)
//   PERDURE_REQUIRE_POSTGRES=1 fail when that Postgres is unreachable instead of skipping its half
//   PERDURE_SKIP_POSTGRES=1    set for the test files when Postgres is skipped; they read it
//   PERDURE_TEST_DATABASES     lanes' databases to run, comma-separated (default postgres,pglite)
//   PERDURE_TEST_PGLITE_TEMPLATE  an initialized PGlite directory the PGlite suites copy (made here if unset)
//
// Plain Node ESM, so it runs before anything is built; its one dependency is PGlite, for the template.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres'
const probeTimeoutMs = 2000

/**
 * @typedef {{ passed: number, failed: number, skipped: number, todo: number }} Counts
 * @typedef {object} LaneRun
 * @property {number | null} code
 * @property {string | null} signal
 * @property {string} reportFile where the lane's runner was told to write its report
 * @property {string} output the child's stdout and stderr, when the lane captures them
 * @typedef {object} Lane
 * @property {string} name printed before the lane's count line
 * @property {string} command executable to spawn, run from the repository root
 * @property {(files: string[], reportFile: string) => string[]} args
 * @property {boolean} capture tee the child's stdout and stderr into `output` for `parse`
 * @property {(run: LaneRun) => Counts | undefined} parse undefined when no summary was found
 */

/** @type {Lane[]} */
const runtimes = [
  {
    name: 'node',
    command: process.execPath,
    args: (files, reportFile) => [
      '--import', 'tsx',
      '--test',
      ...(supportsTestConcurrency() ? ['--test-concurrency=2'] : []),
      // Two reporters: spec for people, TAP to a file for the counts below.
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${reportFile}`,
      ...files,
    ],
    capture: false,
    perFile: false,
    parse: ({ reportFile }) => parseNodeTap(readFileSync(reportFile, 'utf8')),
  },
  {
    name: 'bun',
    command: join(root, 'node_modules', '.bin', 'bun'),
    // bun:test's default 5 s per test is too short for the crash tests; node:test has no limit.
    args: (files) => ['test', '--timeout', '120000', ...files.map((f) => `./${f}`)],
    capture: true,
    perFile: true,
    parse: ({ output }) => parseBun(output),
  },
  {
    name: 'deno',
    command: join(root, 'node_modules', '.bin', 'deno'),
    // Types are checked once, by tsc (npm run check); Deno's own check would use its lib settings.
    args: (files, reportFile) => ['test', '-A', '--no-check', `--junit-path=${reportFile}`, ...files],
    capture: false,
    perFile: true,
    parse: ({ reportFile }) => parseDenoJunit(readFileSync(reportFile, 'utf8')),
  },
]

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

/** The system databases each runtime is tested against; unit tests run once, in the pglite lane. */
const databases = ['postgres', 'pglite']

/** --test-concurrency arrived in Node 21.0 and was backported to 20.10. */
function supportsTestConcurrency() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
  return major > 20 || (major === 20 && minor >= 10)
}

/**
 * Reads the summary that node's TAP reporter writes last (`# pass 3`, ...).
 * A skipped describe block never registers its tests, so each one counts as one skipped test
 * here; otherwise skipping the whole Postgres half would report 0 skipped.
 * @param {string} tap
 * @returns {Counts | undefined}
 */
function parseNodeTap(tap) {
  /** @type {Record<string, number>} */
  const summary = {}
  // Last occurrence wins: a test's own output is echoed into the TAP stream as `# ...` lines too.
  const line = /^# (tests|pass|fail|cancelled|skipped|skip|todo) (\d+)$/gm
  for (const [, key = '', value] of tap.matchAll(line)) {
    summary[key] = Number(value)
  }
  if (summary.tests === undefined) return undefined
  return {
    passed: summary.pass ?? 0,
    failed: (summary.fail ?? 0) + (summary.cancelled ?? 0),
    skipped: (summary.skipped ?? summary.skip ?? 0) + countSkippedSuites(tap),
    todo: summary.todo ?? 0,
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
 * bun test prints its totals last: ` 12 pass`, ` 0 fail`, ` 1 skip`.
 * @param {string} output
 * @returns {Counts | undefined}
 */
function parseBun(output) {
  const count = (/** @type {string} */ word) => {
    const all = [...output.matchAll(new RegExp(`^\\s*(\\d+) ${word}$`, 'gm'))]
    return all.length ? Number(all[all.length - 1]?.[1]) : undefined
  }
  const passed = count('pass')
  const failed = count('fail')
  if (passed === undefined && failed === undefined) return undefined
  return { passed: passed ?? 0, failed: failed ?? 0, skipped: count('skip') ?? 0, todo: count('todo') ?? 0 }
}

/**
 * Deno runs node:test's `it` blocks as steps of a test per `describe`; its JUnit report lists both. The
 * steps (named `suite > test`) are the tests. A suite that failed with no failed step (a failing hook)
 * counts as one failure.
 * @param {string} xml
 * @returns {Counts | undefined}
 */
function parseDenoJunit(xml) {
  if (!xml.includes('<testsuites')) return undefined
  const counts = { passed: 0, failed: 0, skipped: 0, todo: 0 }
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)]
  const failedSuites = new Set()
  const suitesWithFailedSteps = new Set()
  for (const [, name = '', body = ''] of cases) {
    const failed = body.includes('<failure')
    const skipped = body.includes('<skipped')
    const step = name.includes(' &gt; ')
    if (!step) {
      if (failed) failedSuites.add(name)
      if (skipped) counts.skipped++
      continue
    }
    if (failed) suitesWithFailedSteps.add(name.split(' &gt; ')[0])
    if (failed) counts.failed++
    else if (skipped) counts.skipped++
    else counts.passed++
  }
  for (const suite of failedSuites) if (!suitesWithFailedSteps.has(suite)) counts.failed++
  return counts
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

/**
 * Spawns one lane and waits for it, forwarding SIGINT and SIGTERM.
 * @param {Lane} lane
 * @param {string[]} files
 * @param {string} reportFile
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<LaneRun>}
 */
function runLane(lane, files, reportFile, env) {
  return new Promise((resolve) => {
    const child = spawn(lane.command, lane.args(files, reportFile), {
      cwd: root,
      env,
      stdio: lane.capture ? ['inherit', 'pipe', 'pipe'] : 'inherit',
    })
    let output = ''
    child.stdout?.on('data', (chunk) => {
      process.stdout.write(chunk)
      output += chunk
    })
    child.stderr?.on('data', (chunk) => {
      process.stderr.write(chunk)
      output += chunk
    })
    /** @param {NodeJS.Signals} signal */
    const forward = (signal) => child.kill(signal)
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    const finish = (/** @type {number | null} */ code, /** @type {string | null} */ signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      resolve({ code, signal, reportFile, output })
    }
    child.once('error', (error) => {
      console.error(`${lane.name}: could not start ${lane.command}: ${error.message}`)
      finish(null, null)
    })
    child.once('close', finish)
  })
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

async function main() {
  const args = process.argv.slice(2)
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: node scripts/test.mjs [filter...]  (filters match test file paths)')
    return 0
  }
  const unknown = args.filter((arg) => arg.startsWith('-'))
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}; arguments are file path filters`)
    return 1
  }

  const files = findTestFiles().filter((file) => {
    return args.length === 0 || args.some((filter) => file.includes(filter))
  })
  if (files.length === 0) {
    console.error(`no test files under test/ match ${args.length ? args.join(', ') : '*.test.ts'}`)
    return 1
  }

  const databaseUrl = process.env.PERDURE_TEST_DATABASE_URL || defaultDatabaseUrl
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, PERDURE_TEST_DATABASE_URL: databaseUrl }
  const requirePostgres = process.env.PERDURE_REQUIRE_POSTGRES === '1'
  /** @type {string | undefined} */
  let skipNotice
  if (requirePostgres) delete env.PERDURE_SKIP_POSTGRES
  if (!requirePostgres && process.env.PERDURE_SKIP_POSTGRES === '1') {
    skipNotice =
      'PERDURE_SKIP_POSTGRES=1: the Postgres half of the suite was SKIPPED (PGlite half ran).'
  } else {
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
            'PERDURE_REQUIRE_POSTGRES=1 forbids skipping its half of the suite.',
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

  const reportDir = mkdtempSync(join(tmpdir(), 'perdure-test-'))
  // One initdb for the whole run: the PGlite suites copy this directory instead of creating a database each.
  if (!env.PERDURE_TEST_PGLITE_TEMPLATE) {
    const template = join(reportDir, 'pglite-template')
    const { PGlite } = await import('@electric-sql/pglite')
    await (await PGlite.create(template)).close()
    env.PERDURE_TEST_PGLITE_TEMPLATE = template
  }
  const onlyRuntimes = (process.env.PERDURE_TEST_RUNTIMES || 'node,bun,deno').split(',')
  /** @type {{ name: string, counts: Counts, seconds?: number, crash?: string, skipped?: string }[]} */
  const results = []
  try {
    let index = 0
    for (const runtime of runtimes.filter((r) => onlyRuntimes.includes(r.name))) {
      const onlyDatabases = (process.env.PERDURE_TEST_DATABASES || databases.join(',')).split(',')
      for (const database of databases.filter((d) => onlyDatabases.includes(d))) {
        const name = `${runtime.name} × ${database}`
        if (database === 'postgres' && env.PERDURE_SKIP_POSTGRES === '1') {
          results.push({ name, counts: { passed: 0, failed: 0, skipped: 0, todo: 0 }, skipped: 'SKIPPED: no Postgres' })
          continue
        }
        // Unit tests touch no database: they run once per runtime, in the pglite lane.
        const laneFiles = files.filter(database === 'pglite' ? usesPGlite : usesPostgres)
        if (laneFiles.length === 0) continue
        console.log(`\n== ${name}: ${laneFiles.length} file(s)`)
        // Many test processes launch at once: none serves the admin API on the shared default port.
        const laneEnv = { ...env, PERDURE_TEST_DB: database, PERDURE_RUN_ADMIN_SERVER: 'false' }
        const batches = runtime.perFile ? laneFiles.map((f) => [f]) : [laneFiles]
        const total = { passed: 0, failed: 0, skipped: 0, todo: 0 }
        const started = Date.now()
        /** @type {string[]} */
        const crashes = []
        for (const batch of batches) {
          const run = await runLane(runtime, batch, join(reportDir, `${index++}-${runtime.name}.report`), laneEnv)
          /** @type {Counts | undefined} */
          let counts
          try {
            counts = runtime.parse(run)
          } catch {
            counts = undefined
          }
          const exit = run.signal ? `signal ${run.signal}` : `exit code ${run.code}`
          const where = runtime.perFile ? ` in ${batch[0]}` : ''
          if (counts === undefined) crashes.push(`runner crashed (${exit}) before writing a summary${where}`)
          else if (run.code !== 0 && counts.failed === 0) crashes.push(`runner failed (${exit}) with no failed test${where}`)
          if (counts) {
            total.passed += counts.passed
            total.failed += counts.failed
            total.skipped += counts.skipped
            total.todo += counts.todo
          }
        }
        const seconds = Math.round((Date.now() - started) / 1000)
        results.push({ name, counts: total, seconds, ...(crashes.length ? { crash: crashes.join('; ') } : {}) })
      }
    }
  } finally {
    rmSync(reportDir, { recursive: true, force: true })
  }

  const total = { passed: 0, failed: 0, skipped: 0, todo: 0 }
  console.log('')
  if (skipNotice) console.log(loud(skipNotice))
  for (const { name, crash } of results) if (crash) console.log(`${name}: ${crash}`)
  const noTests = results.reduce((n, { counts }) => n + counts.passed + counts.failed, 0) === 0
  if (noTests) console.log('no test ran')
  for (const { name, counts, seconds, crash, skipped } of results) {
    if (skipped) {
      console.log(`${name}: ${skipped}`)
      continue
    }
    // A crash is a failure even when no test result said so.
    const failed = crash ? Math.max(counts.failed, 1) : counts.failed
    const todo = counts.todo > 0 ? `, ${counts.todo} todo` : ''
    console.log(`${name}: ${formatCounts({ ...counts, failed }, true)}${todo} in ${seconds} s`)
    total.passed += counts.passed
    total.failed += failed
    total.skipped += counts.skipped
  }
  console.log(formatCounts(total))
  return total.failed > 0 || noTests ? 1 : 0
}

process.exitCode = await main()
