// `npm run bench`: Perdure's workflow latency and throughput next to raw postgres.js INSERT+commit on the
// same local database, then its queues (bench/queues.ts), then messages, events and streams
// (bench/communication.ts), all measured in one run.
//
//   npm run bench -- [--quick] [--cold] [--only=engine|queues|communication] [--runtime=node|bun|deno]
//   (bench/run.mjs starts the runtime)
//
//   --quick  reduced counts, for a smoke run
//   --cold   skip the VACUUM ANALYZE after warm-up (plans then stay those of near-empty tables)
//   --only   run one section; all run by default, in the order above
//
// Environment:
//   PERDURE_BENCH_DATABASE_URL  database to DROP and recreate (default below; its name must contain "bench")
//   PERDURE_BENCH_RUNTIME       runtime the caller expects this run to measure (checked, then printed)
//   PERDURE_BUN_SQL=0           on Bun, measure Perdure on postgres.js instead of Bun.SQL
import { cpus, loadavg } from 'node:os'
import postgres from 'postgres'
import { DBOS } from '../adapters/auto/mod.ts'
import { startCpuMeter } from './cpu.ts'
import { createFloorTable, floorInsert, floorThroughput } from './floor.ts'
import { printHeader, printRound, printSummary, type Round, type RunInfo } from './report.ts'
import { latency, throughput, timeInterleaved } from './stats.ts'

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/perdure_bench'
/** Perdure's default system database pool; the raw floor gets a pool of the same size. */
const POOL_SIZE = 10
const IN_FLIGHT = 200
const LATENCY_STEPS = 10
const THROUGHPUT_STEPS = 3

const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const cold = argv.includes('--cold')
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const SECTIONS = ['engine', 'queues', 'communication']
if (only !== undefined && !SECTIONS.includes(only)) {
  throw new TypeError(`--only must be one of ${SECTIONS.join(', ')}, got ${only}`)
}
const runs = (section: string) => only === undefined || only === section
const counts = quick
  ? { rounds: 3, warmup: 20, latencyIterations: 40, throughputWorkflows: 1_000 }
  : { rounds: 3, warmup: 100, latencyIterations: 300, throughputWorkflows: 5_000 }
// A 3-step workflow issues 5 statements when nothing is batched (insert, 3 checkpoints, outcome): the
// raw run sends as many INSERTs so both throughput runs move the same number of statements.
const rawInserts = counts.throughputWorkflows * (THROUGHPUT_STEPS + 2)

/** The runtime executing this file, as `name version`. */
function detectRuntime(): { name: string; version: string } {
  const g = globalThis as unknown as { Bun?: { version: string }; Deno?: { version: { deno: string } } }
  if (g.Bun) return { name: 'bun', version: g.Bun.version }
  if (g.Deno) return { name: 'deno', version: g.Deno.version.deno }
  return { name: 'node', version: process.version }
}

/** The runtime asked for by `--runtime=` or PERDURE_BENCH_RUNTIME must be the one running this file. */
function checkRuntime(): string {
  const actual = detectRuntime()
  const flag = argv.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length)
  const wanted = flag ?? process.env.PERDURE_BENCH_RUNTIME
  if (wanted && wanted !== actual.name) {
    throw new TypeError(
      `Asked to benchmark ${wanted}, but this is ${actual.name}: start bench/engine.ts with ${wanted} itself`,
    )
  }
  // On Bun, Perdure talks to Postgres through Bun.SQL unless PERDURE_BUN_SQL=0; the raw floor is postgres.js.
  const driver = actual.name === 'bun' && process.env.PERDURE_BUN_SQL !== '0' ? 'Bun.SQL' : 'postgres.js'
  return `${actual.name} ${actual.version}, Perdure on ${driver}`
}

/** Drops and recreates the benchmark database so every run starts from empty tables. */
async function freshDatabase(url: string): Promise<void> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''))
  // The database is dropped: refuse any name that does not say it is a benchmark's.
  if (!name.includes('bench')) {
    throw new TypeError(`PERDURE_BENCH_DATABASE_URL names database '${name}': use a name containing "bench"`)
  }
  target.pathname = '/postgres'
  const admin = postgres(target.toString(), { max: 1, onnotice: () => {} })
  try {
    const ident = `"${name.replace(/"/g, '""')}"`
    await admin.unsafe(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`)
    await admin.unsafe(`CREATE DATABASE ${ident}`)
  } finally {
    await admin.end()
  }
}

/** A workflow running `steps` steps one after another, each returning a small number. */
function stepsWorkflow(steps: number): (i: number) => Promise<number> {
  return DBOS.registerWorkflow(
    async (i: number) => {
      let sum = i
      for (let s = 0; s < steps; s++) sum += await DBOS.runStep(() => s, { name: `step${s}` })
      return sum
    },
    { name: `bench.steps${steps}` },
  )
}

async function main(): Promise<void> {
  const runtime = checkRuntime()
  const url = process.env.PERDURE_BENCH_DATABASE_URL ?? DEFAULT_URL
  await freshDatabase(url)
  if (runs('engine')) await engineSection(runtime, url)
  if (runs('queues')) {
    // Loaded only now: the module declares queues and registers workflows, which must come after the engine
    // section's shutdown and before the queue section's launch.
    const { runQueueBench } = await import('./queues.ts')
    await runQueueBench({ runtime, url, quick, cold, poolSize: POOL_SIZE, inFlight: IN_FLIGHT })
  }
  if (runs('communication')) {
    // Likewise: its workflows are registered after the previous section's shutdown, before its own launch.
    const { runCommunicationBench } = await import('./communication.ts')
    await runCommunicationBench({ runtime, url, quick, cold, poolSize: POOL_SIZE })
  }
}

/** The engine section: latency and throughput of plain workflows next to the raw floor. */
async function engineSection(runtime: string, url: string): Promise<void> {
  const zeroStep = stepsWorkflow(0)
  const tenStep = stepsWorkflow(LATENCY_STEPS)
  const threeStep = stepsWorkflow(THROUGHPUT_STEPS)
  DBOS.setConfig({
    name: 'perdure-bench', systemDatabaseUrl: url, systemDatabasePoolSize: POOL_SIZE, logLevel: 'warn',
  })
  await DBOS.launch()
  const sql = postgres(url, { max: POOL_SIZE, onnotice: () => {} })

  try {
    await createFloorTable(sql)
    const [version] = await sql<{ server_version: string }[]>`SHOW server_version`
    const info: RunInfo = {
      runtime,
      postgres: version!.server_version,
      url: url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
      cores: cpus().length,
      rounds: counts.rounds,
      latencyIterations: counts.latencyIterations,
      steps: LATENCY_STEPS,
      throughputWorkflows: counts.throughputWorkflows,
      throughputSteps: THROUGHPUT_STEPS,
      rawInserts,
      inFlight: IN_FLIGHT,
      poolSize: POOL_SIZE,
      quick,
      cold,
      load: loadavg()[0]!,
    }
    printHeader(info)

    const latencySeries = (label: string) => ({ raw: floorInsert(sql, label), zero: zeroStep, ten: tenStep })

    // Warm-up: JIT, prepared statements, every pool connection opened, and Postgres caches.
    await timeInterleaved(counts.warmup, latencySeries('warmup'))
    await floorThroughput(sql, counts.warmup * 10, IN_FLIGHT, 'warmup')
    await throughput(counts.warmup * 10, IN_FLIGHT, threeStep)
    // Steady state, as autovacuum would leave it in any deployment older than a minute: plans cached
    // while the tables were nearly empty are dropped (--cold keeps them, see the report for why it matters).
    if (!cold) await sql`VACUUM ANALYZE`

    const rounds: Round[] = []
    for (let r = 0; r < counts.rounds; r++) {
      const samples = await timeInterleaved(counts.latencyIterations, latencySeries(`latency-${r}`))
      const raw = latency(samples.raw)
      const zero = latency(samples.zero)
      const ten = latency(samples.ten)
      const stepOverhead = (ten.p50 - zero.p50) / LATENCY_STEPS

      let meter = startCpuMeter()
      const rawRate = await floorThroughput(sql, rawInserts, IN_FLIGHT, `throughput-${r}`)
      const rawCpu = meter()
      meter = startCpuMeter()
      const workflowRate = await throughput(counts.throughputWorkflows, IN_FLIGHT, threeStep)
      const workflowCpu = meter()

      const round: Round = {
        raw, zeroStep: zero, tenStep: ten, stepOverhead, stepRatio: stepOverhead / raw.p50,
        rawRate, workflowRate, rawCpu, workflowCpu,
      }
      rounds.push(round)
      printRound(r, round)
    }
    printSummary(info, rounds)
  } finally {
    await sql.end({ timeout: 5 })
    await DBOS.shutdown()
  }
}

await main()
