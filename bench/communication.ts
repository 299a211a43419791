// The communication section of `npm run bench`: how long a write takes to reach a waiter, for messages
// (send → recv), events (setEvent → getEvent) and streams (writeStream → an SSE client over loopback).
// bench/engine.ts imports this module only after the queue section has shut DBOS down, because loading it
// registers workflows, which must happen before a launch.
import { loadavg } from 'node:os'
import postgres from 'postgres'
import { createStreamToken, DBOS, serve } from '../adapters/auto/mod.ts'
import { parseSse } from '../adapters/browser/sse-parser.ts'
import { EVENTS_CHANNEL, MESSAGES_CHANNEL, STREAMS_CHANNEL } from '../core/engine/signals.ts'
import {
  type CommunicationRound,
  type CommunicationRunInfo,
  type PathLatency,
  printCommunicationHeader,
  printCommunicationRound,
  printCommunicationSummary,
} from './communication-report.ts'
import { createFloorTable, floorInsert } from './floor.ts'
import { latency } from './stats.ts'

/** Idle time between a waiter starting to wait and the write, so every write meets a parked waiter. */
const IDLE_GAP_MS = 5
/** A sample still unfinished after this lost a wake-up for good: fail the run rather than hang. */
const SAMPLE_TIMEOUT_MS = 10_000
const STREAM_KEY = 'ticks'
/** Signs the SSE client's stream token; neither leaves this process. */
const TOKEN_SECRET = 'perdure-bench-stream-token-secret-0123456789'

type Admin = ReturnType<typeof postgres>

/** `p`, or a rejection after SAMPLE_TIMEOUT_MS naming what never came. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: no ${what} within ${SAMPLE_TIMEOUT_MS} ms`)), SAMPLE_TIMEOUT_MS)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * performance.now() at named moments, taken in workflow code or the SSE reader. Every workflow runs in this
 * process, so all clocks are one; `at` waits for a moment not yet reached.
 */
class Stamps {
  readonly #taken = new Map<string, number>()
  readonly #waiting = new Map<string, (t: number) => void>()

  take(name: string): void {
    const t = performance.now()
    const wake = this.#waiting.get(name)
    if (!wake) {
      this.#taken.set(name, t)
      return
    }
    this.#waiting.delete(name)
    wake(t)
  }

  at(name: string): Promise<number> {
    const t = this.#taken.get(name)
    if (t === undefined) return within(new Promise((resolve) => this.#waiting.set(name, resolve)), name)
    this.#taken.delete(name)
    return Promise.resolve(t)
  }
}

const stamps = new Stamps()

// Registered at module load, before the launch. Each workflow serves every sample of the section, numbered
// from 0; the number travels in the message that commands the write.

/** Receives `count` numbered pings, stamping each recv call and each return. */
const receiver = DBOS.registerWorkflow(
  async (count: number) => {
    for (let n = 0; n < count; n++) {
      stamps.take(`recv called ${n}`)
      const i = await DBOS.recv<number>('ping', 60)
      stamps.take(`received ${i}`)
    }
  },
  { name: 'bench.communication.receiver' },
)

/** On each numbered message, sets the event `k<number>`, stamping the call and its return. */
const publisher = DBOS.registerWorkflow(
  async (count: number) => {
    for (let n = 0; n < count; n++) {
      const i = await DBOS.recv<number>('publish', 60)
      stamps.take(`setEvent ${i}`)
      await DBOS.setEvent(`k${i}`, i)
      stamps.take(`setEvent returned ${i}`)
    }
  },
  { name: 'bench.communication.publisher' },
)

/** On each numbered message, writes the number to its stream, stamping the call and its return; then closes it. */
const writer = DBOS.registerWorkflow(
  async (count: number) => {
    for (let n = 0; n < count; n++) {
      const i = await DBOS.recv<number>('write', 60)
      stamps.take(`writeStream ${i}`)
      await DBOS.writeStream(STREAM_KEY, i)
      stamps.take(`writeStream returned ${i}`)
    }
    await DBOS.closeStream(STREAM_KEY)
  },
  { name: 'bench.communication.writer' },
)

/** NOTIFY arrivals on a LISTEN connection of the admin client's own: what another process would wait for. */
interface NotifyWatch {
  /** Resolves at the next arrival of (channel, payload); call it before the write that sends it. */
  next(channel: string, payload: string): Promise<number>
}

async function watchNotifications(admin: Admin): Promise<NotifyWatch> {
  const waiting = new Map<string, (t: number) => void>()
  for (const channel of [MESSAGES_CHANNEL, EVENTS_CHANNEL, STREAMS_CHANNEL]) {
    await admin.listen(channel, (payload) => {
      const t = performance.now()
      const key = `${channel} ${payload}`
      const wake = waiting.get(key)
      // Commands to the workflows notify too: arrivals nobody waits for are dropped.
      if (!wake) return
      waiting.delete(key)
      wake(t)
    })
  }
  return {
    next(channel, payload) {
      const arrival = new Promise<number>((resolve) => waiting.set(`${channel} ${payload}`, resolve))
      return within(arrival, `NOTIFY ${payload} on ${channel}`)
    },
  }
}

/**
 * Reads the writer's stream over HTTP as a browser would, stamping each event as it is parsed. Resolves at
 * the close event. The route answers once the first value exists, so the first sample includes the headers.
 */
async function readOverSse(url: string, token: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal })
  if (!res.ok || !res.body) throw new Error(`bench: SSE request failed with HTTP ${res.status}: ${await res.text()}`)
  for await (const event of parseSse(res.body)) {
    if (event.event === 'close') return
    stamps.take(`parsed ${JSON.parse(event.data)}`)
  }
}

/** One write, in ms from the writing call: to the waiter, to the call's return, to its NOTIFY elsewhere. */
interface Sample {
  total: number
  returned: number
  notify: number
}

type PathName = 'message' | 'event' | 'stream'

/** The three sample takers, each bound to its running workflow. */
function paths(watch: NotifyWatch, ids: Record<PathName, string>): Record<PathName, (i: number) => Promise<Sample>> {
  return {
    async message(i) {
      await stamps.at(`recv called ${i}`)
      await sleep(IDLE_GAP_MS)
      const seen = watch.next(MESSAGES_CHANNEL, `${ids.message}::ping`)
      const start = performance.now()
      await DBOS.send(ids.message, i, 'ping')
      const returned = performance.now()
      const [received, notified] = await Promise.all([stamps.at(`received ${i}`), seen])
      return { total: received - start, returned: returned - start, notify: notified - start }
    },

    async event(i) {
      const got = DBOS.getEvent<number>(ids.event, `k${i}`, 60).then((value) => {
        const t = performance.now()
        if (value !== i) throw new Error(`bench: getEvent k${i} returned ${value}`)
        return t
      })
      // Awaited below; should the send fail first, its rejection must not count as unhandled meanwhile.
      got.catch(() => {})
      await sleep(IDLE_GAP_MS)
      const seen = watch.next(EVENTS_CHANNEL, `${ids.event}::k${i}`)
      await DBOS.send(ids.event, i, 'publish')
      const [start, returned, gotAt, notified] = await Promise.all([
        stamps.at(`setEvent ${i}`),
        stamps.at(`setEvent returned ${i}`),
        within(got, `getEvent k${i}`),
        seen,
      ])
      return { total: gotAt - start, returned: returned - start, notify: notified - start }
    },

    async stream(i) {
      // The SSE route went back to waiting as soon as it had sent the previous value.
      await sleep(IDLE_GAP_MS)
      const seen = watch.next(STREAMS_CHANNEL, `${ids.stream}::${STREAM_KEY}`)
      await DBOS.send(ids.stream, i, 'write')
      const [start, returned, parsed, notified] = await Promise.all([
        stamps.at(`writeStream ${i}`),
        stamps.at(`writeStream returned ${i}`),
        stamps.at(`parsed ${i}`),
        seen,
      ])
      return { total: parsed - start, returned: returned - start, notify: notified - start }
    },
  }
}

type Samples = Record<PathName, Sample[]> & { select: number[]; commit: number[] }

/**
 * Samples `from`..`from + count - 1` on every path in turn, then times a plain commit and a plain round trip,
 * so each round says what the database cost meanwhile. The commit too follows an idle gap, as every write does.
 */
async function collect(
  take: Record<PathName, (i: number) => Promise<Sample>>,
  admin: Admin,
  from: number,
  count: number,
): Promise<Samples> {
  const out: Samples = { message: [], event: [], stream: [], select: [], commit: [] }
  const insert = floorInsert(admin, 'communication')
  for (let i = from; i < from + count; i++) {
    out.message.push(await take.message(i))
    out.event.push(await take.event(i))
    out.stream.push(await take.stream(i))
    await sleep(IDLE_GAP_MS)
    let start = performance.now()
    await insert(i)
    out.commit.push(performance.now() - start)
    start = performance.now()
    await admin`SELECT 1`
    out.select.push(performance.now() - start)
  }
  return out
}

function pathLatency(samples: readonly Sample[]): PathLatency {
  return {
    total: latency(samples.map((s) => s.total)),
    returned: latency(samples.map((s) => s.returned)),
    notify: latency(samples.map((s) => s.notify)),
  }
}

/** What the engine section hands over: the database, and the run's flags. */
export interface CommunicationBenchOptions {
  /** `name version` of the runtime running this file. */
  runtime: string
  url: string
  quick: boolean
  cold: boolean
  poolSize: number
}

/** Runs the communication section on `url` (already migrated by an earlier section, or fresh) and prints it. */
export async function runCommunicationBench(options: CommunicationBenchOptions): Promise<void> {
  const { runtime, url, quick, cold, poolSize } = options
  const counts = quick ? { rounds: 3, warmup: 10, samples: 40 } : { rounds: 3, warmup: 20, samples: 200 }
  const total = counts.warmup + counts.rounds * counts.samples
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  const [version] = await admin<{ server_version: string }[]>`SHOW server_version`
  const info: CommunicationRunInfo = {
    runtime,
    postgres: version!.server_version,
    load: loadavg()[0]!,
    rounds: counts.rounds,
    samples: counts.samples,
    warmup: counts.warmup,
    idleGapMs: IDLE_GAP_MS,
    poolSize,
    quick,
    cold,
  }
  DBOS.setConfig({
    name: 'perdure-bench', systemDatabaseUrl: url, systemDatabasePoolSize: poolSize, logLevel: 'warn',
  })
  await DBOS.launch()
  const server = await serve(DBOS.streamRoutes({ tokenSecret: TOKEN_SECRET }).fetch, { port: 0 })
  const disconnect = new AbortController()
  try {
    await createFloorTable(admin)
    printCommunicationHeader(info)
    const watch = await watchNotifications(admin)
    const handles = [
      await DBOS.startWorkflow(receiver)(total),
      await DBOS.startWorkflow(publisher)(total),
      await DBOS.startWorkflow(writer)(total),
    ] as const
    const ids = { message: handles[0].workflowID, event: handles[1].workflowID, stream: handles[2].workflowID }
    const grant = { workflowID: ids.stream, key: STREAM_KEY, expiresInSeconds: 3600 }
    const token = await createStreamToken(TOKEN_SECRET, grant)
    const sseUrl = `http://${server.hostname}:${server.port}/workflows/${ids.stream}/streams/${STREAM_KEY}`
    const reading = readOverSse(sseUrl, token, disconnect.signal)
    // Awaited at the end; a failure meanwhile shows up as a sample that never completes.
    reading.catch(() => {})
    const take = paths(watch, ids)

    // Warm-up: JIT, prepared statements, the SSE connection, and every wake-up path once.
    await collect(take, admin, 0, counts.warmup)
    if (!cold) await admin`VACUUM ANALYZE`

    const rounds: CommunicationRound[] = []
    for (let r = 0; r < counts.rounds; r++) {
      const samples = await collect(take, admin, counts.warmup + r * counts.samples, counts.samples)
      const round: CommunicationRound = {
        message: pathLatency(samples.message),
        event: pathLatency(samples.event),
        stream: pathLatency(samples.stream),
        select: latency(samples.select),
        commit: latency(samples.commit),
      }
      rounds.push(round)
      printCommunicationRound(r, round)
    }
    await Promise.all(handles.map((h) => h.getResult()))
    await within(reading, 'SSE close event')
    printCommunicationSummary(info, rounds)
  } finally {
    disconnect.abort()
    await server.close()
    await DBOS.shutdown()
    await admin.end({ timeout: 5 })
  }
}
