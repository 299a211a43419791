// The system database drops every connection mid-workflow (as in a restart or failover): workflows wait for
// it, replay, and finish; nothing is recorded twice and nothing fails.
import postgres from 'postgres'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const executed = new Map<string, number>()
const tenSteps = DBOS.registerWorkflow(async (tag: string) => {
  let sum = 0
  for (let i = 0; i < 10; i++) {
    sum += await DBOS.runStep(async () => {
      executed.set(`${tag}:${i}`, (executed.get(`${tag}:${i}`) ?? 0) + 1)
      await sleep(40)
      return i
    }, { name: `step-${i}` })
  }
  return sum
}, { name: 'outageTenSteps' })

// Each execution of a step body leaves a fresh token; the step returns it, so its checkpoint says which
// execution it recorded. Every fifth step is followed by an event: a write in its own transaction, which a
// lost connection sends back through replay rather than a retry.
const STORM_STEPS = 20
const STORM_OPS = STORM_STEPS + STORM_STEPS / 5
const runs = new Map<string, string[]>()
const stormSteps = DBOS.registerWorkflow(async () => {
  const workflowID = DBOS.workflowID!
  const tokens: string[] = []
  for (let i = 0; i < STORM_STEPS; i++) {
    tokens.push(await DBOS.runStep(async () => {
      const token = crypto.randomUUID()
      runs.set(`${workflowID}:storm-${i}`, [...(runs.get(`${workflowID}:storm-${i}`) ?? []), token])
      await sleep(10 + Math.random() * 20)
      return token
    }, { name: `storm-${i}` }))
    if (i % 5 === 4) await DBOS.setEvent('progress', i)
  }
  return tokens
}, { name: 'outageStormSteps' })

describeOn('postgres', 'system database outage', () => {
  const name = `perdure_test_outage_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  let admin: ReturnType<typeof postgres>
  const warnings: string[] = []
  const warn = console.warn
  beforeAll(async () => {
    // Warnings are kept, not printed: the storm test counts the engine's retries and replays in them.
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '))
    DBOS.setConfig({ name: 'outage', systemDatabaseUrl: postgresUrl(name), logLevel: 'warn' })
    await DBOS.launch()
    admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await DBOS.shutdown()
    console.warn = warn
    await admin.end()
    await dropPostgresDatabases([name])
  })

  it('finishes workflows whose connections were all terminated mid-run', async () => {
    const handles = await Promise.all(['a', 'b', 'c'].map((tag) => DBOS.startWorkflow(tenSteps, { workflowID: `outage-${tag}` })(tag)))
    await sleep(150)
    const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`
    expect(killed.length).toBeGreaterThan(0)
    expect(await Promise.all(handles.map((h) => h.getResult()))).toEqual([45, 45, 45])
    for (const h of handles) {
      const steps = await DBOS.listWorkflowSteps(h.workflowID)
      expect(steps?.map((s) => s.functionID)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect((await h.getStatus())?.status).toBe('SUCCESS')
    }
    // A step whose checkpoint was lost with the connection runs again: at most once more.
    for (const [key, n] of executed) expect({ key, n: Math.min(n, 2) }).toEqual({ key, n })
  })

  // Issue #19: a connection dropped under a checkpoint (EPIPE on Deno, CONNECTION_CLOSED, ECONNRESET, a FATAL
  // 57P01) must be retried or replayed, never become the workflow's outcome.
  it('finishes every workflow while backends are terminated again and again during checkpoints', async () => {
    warnings.length = 0
    let killed = 0
    let rounds = 0
    let settled = false
    const ids = Array.from({ length: 16 }, (_, i) => `storm-${i}-${crypto.randomUUID().slice(0, 8)}`)
    const handles = await Promise.all(ids.map((workflowID) => DBOS.startWorkflow(stormSteps, { workflowID })()))
    const results = Promise.allSettled(handles.map((h) => h.getResult())).finally(() => (settled = true))
    // Kill every session of the test's database every ~100 ms while the workflows run (for at most 60 s,
    // then the database stays up and they must finish). Sessions younger than 100 ms are spared, so that each
    // gets some work done; postgres-restart.test.ts terminates them as they start.
    const stormEnds = Date.now() + 60_000
    while (!settled && Date.now() < stormEnds) {
      const rows = await admin`
        SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
        WHERE datname = ${name} AND pid <> pg_backend_pid() AND backend_start < now() - interval '100 milliseconds'`
      killed += rows.filter((r) => r.ok).length
      rounds++
      await sleep(100)
    }
    const outcomes = await results
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([])
    expect(killed).toBeGreaterThan(0)

    // The engine met the dropped connections (retried writes, replayed workflows): else this proves nothing.
    const retried = warnings.filter((w) => w.includes('System database unavailable, retrying')).length
    const replayed = warnings.filter((w) => w.includes('lost the system database')).length
    expect(retried + replayed).toBeGreaterThan(0)

    // One row per (workflow, function ID), for exactly the steps that ran. The primary key forbids a second
    // row; what this checks is that none is missing and none landed at another ID.
    const own = postgres(postgresUrl(name), { max: 1, onnotice: () => {} })
    const rows = await own<{ workflow_uuid: string; function_id: number; n: number }[]>`
      SELECT workflow_uuid, function_id, count(*)::int AS n FROM dbos.operation_outputs
      WHERE workflow_uuid = ANY(${ids}) GROUP BY 1, 2`.finally(() => own.end())
    expect(rows.map((r) => `${r.workflow_uuid}:${r.function_id}:${r.n}`).sort()).toEqual(
      ids.flatMap((id) => Array.from({ length: STORM_OPS }, (_, k) => `${id}:${k}:1`)).sort(),
    )
    const reruns = [...runs.values()].filter((tokens) => tokens.length > 1).length
    const epipes = warnings.filter((w) => w.includes('EPIPE') || w.includes('ended by the other party')).length
    console.log(`storm: ${rounds} rounds, ${killed} backends terminated, ${retried} retried writes (${epipes} EPIPE), ${replayed} replays, ${reruns} of ${runs.size} step bodies ran again`)
    for (const [i, h] of handles.entries()) {
      expect({ id: ids[i], status: (await h.getStatus())?.status }).toEqual({ id: ids[i], status: 'SUCCESS' })
      const steps = (await DBOS.listWorkflowSteps(h.workflowID)) ?? []
      // Each step checkpointed exactly once, at its own function ID, and holding the token of the body's
      // last execution: an earlier execution ran again only because its checkpoint never committed
      // (had it committed, replay would have returned its token instead of running the body).
      expect(steps.map((s) => s.functionID)).toEqual(Array.from({ length: STORM_OPS }, (_, k) => k))
      const bodies = steps.filter((s) => s.name.startsWith('storm-'))
      expect(bodies.map((s) => s.name)).toEqual(Array.from({ length: STORM_STEPS }, (_, k) => `storm-${k}`))
      const stored = bodies.map((s) => s.output)
      expect(stored).toEqual(bodies.map((s) => runs.get(`${ids[i]}:${s.name}`)?.at(-1)))
      expect((outcomes[i] as PromiseFulfilledResult<string[]>).value).toEqual(stored)
      expect(await DBOS.getEvent(ids[i]!, 'progress', 0)).toBe(STORM_STEPS - 1)
    }
  })
})
