// The queue section of `npm run bench`: enqueue rate, end-to-end throughput with and without a worker limit,
// and enqueue→start latency. bench/engine.ts imports this module only after its own section has shut DBOS
// down, because loading it declares queues and registers workflows, which must happen before a launch.
import { loadavg } from 'node:os'
import postgres from 'postgres'
import { DBOS, WorkflowQueue } from '../adapters/auto/mod.ts'
import { startCpuMeter } from './cpu.ts'
import {
  type EndToEnd,
  printQueueHeader,
  printQueueRound,
  printQueueSummary,
  type QueueRound,
  type QueueRunInfo,
} from './queue-report.ts'
import { countingPool, type CountingPool, tallySince } from './statement-counter.ts'
import { latency, throughput } from './stats.ts'

const WORKER_CONCURRENCY = 10
/** Pause after each latency sample, so every enqueue meets an idle queue and an idle dispatcher. */
const IDLE_GAP_MS = 2

// Queue names are unique per process and declarations must precede DBOS.launch(): all at module load.
/** Declared but not in listenQueues: its rows stay ENQUEUED, so enqueueing is measured alone. */
const parked = new WorkflowQueue('bench.parked')
const open = new WorkflowQueue('bench.open')
const limited = new WorkflowQueue('bench.worker', { workerConcurrency: WORKER_CONCURRENCY })
const idle = new WorkflowQueue('bench.idle')

/** performance.now() at the first line of each latency probe, by probe number. */
const probeStarts = new Map<number, number>()

const oneStep = DBOS.registerWorkflow(
  async (i: number) => await DBOS.runStep(() => i + 1, { name: 'one' }),
  { name: 'bench.queue.oneStep' },
)

const probe = DBOS.registerWorkflow(
  async (i: number) => {
    // The workflow runs in this process, so its clock is the enqueuer's.
    probeStarts.set(i, performance.now())
    return await DBOS.runStep(() => i + 1, { name: 'one' })
  },
  { name: 'bench.queue.probe' },
)

/** What the engine section hands over: the database, and the run's flags. */
export interface QueueBenchOptions {
  /** `name version` of the runtime running this file. */
  runtime: string
  url: string
  quick: boolean
  cold: boolean
  poolSize: number
  inFlight: number
}

type Admin = ReturnType<typeof postgres>

/** startWorkflow() calls per second on the parked queue; its rows are deleted afterwards. */
async function enqueueOnly(admin: Admin, total: number, inFlight: number): Promise<number> {
  const enqueue = DBOS.startWorkflow(oneStep, { queueName: parked.name })
  const perSecond = await throughput(total, inFlight, (i) => enqueue(i))
  await admin`DELETE FROM dbos.workflow_status WHERE queue_name = ${parked.name}`
  return perSecond
}

/**
 * Enqueues `total` one-step workflows with `inFlight` startWorkflow() calls pending, calls getResult() on
 * each handle as soon as it is returned, and times first enqueue to last result.
 */
async function endToEnd(
  admin: Admin,
  counter: CountingPool,
  queue: WorkflowQueue,
  total: number,
  inFlight: number,
): Promise<EndToEnd> {
  const enqueue = DBOS.startWorkflow(oneStep, { queueName: queue.name })
  const results: Promise<number>[] = []
  const statementsBefore = counter.snapshot()
  const epochStart = Date.now() - 1
  const meter = startCpuMeter()
  const start = performance.now()
  await throughput(total, inFlight, async (i) => {
    const result = (await enqueue(i)).getResult()
    // Awaited below with the rest: a failure must not count as unhandled meanwhile.
    result.catch(() => {})
    results.push(result)
  })
  const enqueued = performance.now()
  await Promise.all(results)
  const end = performance.now()
  const cpu = meter()
  const statements = tallySince(statementsBefore, counter.snapshot())
  // A claim stamps its rows with its transaction's start time; claims of one queue never overlap.
  const [claims] = await admin<{ n: number; mean: number; max: number }[]>`
    SELECT COUNT(*)::int AS n, COALESCE(AVG(rows), 0)::float8 AS mean, COALESCE(MAX(rows), 0)::int AS max
    FROM (SELECT COUNT(*) AS rows FROM dbos.workflow_status
          WHERE queue_name = ${queue.name} AND started_at_epoch_ms >= ${epochStart}
          GROUP BY started_at_epoch_ms) AS per_claim`
  return {
    rate: total / ((end - start) / 1000),
    enqueueSeconds: (enqueued - start) / 1000,
    totalSeconds: (end - start) / 1000,
    cpu,
    statements,
    claims: { nonEmpty: claims!.n, meanRows: claims!.mean, maxRows: claims!.max },
  }
}

let nextProbe = 0

/** Sequential enqueues on the idle queue: call to first line, and call to return, in ms. */
async function startLatency(count: number): Promise<{ start: number[]; enqueue: number[] }> {
  const enqueue = DBOS.startWorkflow(probe, { queueName: idle.name })
  const start: number[] = []
  const returned: number[] = []
  for (let n = 0; n < count; n++) {
    await new Promise((resolve) => setTimeout(resolve, IDLE_GAP_MS))
    const i = nextProbe++
    const t0 = performance.now()
    const handle = await enqueue(i)
    returned.push(performance.now() - t0)
    await handle.getResult()
    start.push(probeStarts.get(i)! - t0)
    probeStarts.delete(i)
  }
  return { start, enqueue: returned }
}

/** Runs the queue section on `url` (already migrated by the engine section, or fresh) and prints it. */
export async function runQueueBench(options: QueueBenchOptions): Promise<void> {
  const { runtime, url, quick, cold, poolSize, inFlight } = options
  const counts = quick
    ? { rounds: 3, enqueues: 2_000, open: 2_000, limited: 500, latency: 40 }
    : { rounds: 3, enqueues: 10_000, open: 10_000, limited: 3_000, latency: 200 }
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  const [version] = await admin<{ server_version: string }[]>`SHOW server_version`
  const info: QueueRunInfo = {
    runtime,
    postgres: version!.server_version,
    load: loadavg()[0]!,
    rounds: counts.rounds,
    enqueues: counts.enqueues,
    openWorkflows: counts.open,
    limitedWorkflows: counts.limited,
    workerConcurrency: WORKER_CONCURRENCY,
    latencyIterations: counts.latency,
    idleGapMs: IDLE_GAP_MS,
    inFlight,
    poolSize,
    quick,
    cold,
  }
  const counter = countingPool(url, poolSize)
  DBOS.setConfig({
    name: 'perdure-bench',
    systemDatabasePool: counter.pool,
    logLevel: 'warn',
    listenQueues: [open, limited, idle],
  })
  await DBOS.launch()
  try {
    printQueueHeader(info)
    // Warm-up: JIT, prepared statements, and the queue code paths, at a tenth of the counts.
    await enqueueOnly(admin, counts.enqueues / 10, inFlight)
    await endToEnd(admin, counter, open, counts.open / 10, inFlight)
    await endToEnd(admin, counter, limited, counts.limited / 10, inFlight)
    await startLatency(Math.ceil(counts.latency / 10))
    if (!cold) await admin`VACUUM ANALYZE`

    const rounds: QueueRound[] = []
    for (let r = 0; r < counts.rounds; r++) {
      const before = counter.snapshot()
      const enqueueRate = await enqueueOnly(admin, counts.enqueues, inFlight)
      const enqueueStatements = tallySince(before, counter.snapshot())
      const openRun = await endToEnd(admin, counter, open, counts.open, inFlight)
      const limitedRun = await endToEnd(admin, counter, limited, counts.limited, inFlight)
      const samples = await startLatency(counts.latency)
      const round: QueueRound = {
        enqueueRate,
        enqueueStatements,
        open: openRun,
        limited: limitedRun,
        startLatency: latency(samples.start),
        enqueueLatency: latency(samples.enqueue),
      }
      rounds.push(round)
      printQueueRound(r, round, info)
    }
    printQueueSummary(info, rounds)
  } finally {
    await DBOS.shutdown()
    await counter.end()
    await admin.end({ timeout: 5 })
  }
}
