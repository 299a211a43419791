// Checklist items 13 and 18 (docs/sysdb.md §11), which need Perdure in several processes or a crash: Perdure children
// (test/interop/perdure-peer.ts) serve work that the official 5.3.0 client enqueues and then inspects.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { PEER_APP } from './apps.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import type { Peers } from './peers.ts'
import { delay, within } from './world.ts'

const PEER = 'test/interop/perdure-peer.ts'
const RESULT_MS = 20_000

function peer(url: string, executorID: string, sideFile: string, start?: string): Child {
  const args = ['--db', url, '--executor-id', executorID, '--side-file', sideFile, ...(start ? ['--start', start] : [])]
  return new Child(`perdure peer ${executorID}`, scriptCommand(PEER, args))
}

/** The side file's lines, `<label> <pid>`, for every step execution that ran to its end. */
function ranLines(sideFile: string): string[] {
  return readFileSync(sideFile, 'utf8').split('\n').filter(Boolean)
}

export function peerChecks(peers: () => Peers): void {
  let scratch = ''
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'perdure-interop-'))
  })
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true })
  })

  it('13: 5.3.0-client-enqueued work on a Perdure queue {concurrency: 2} served by two processes never has 3 PENDING', async () => {
    const { official, url, sql } = peers()
    const sideFile = join(scratch, 'concurrency.log')
    const workers = [peer(url, 'peer-a', sideFile), peer(url, 'peer-b', sideFile)]
    await Promise.all(workers.map((w) => w.line('READY')))
    const handles = await Promise.all(Array.from({ length: 10 }, (_, i) => {
      return official.enqueue({ workflowName: 'peerSlow', queueName: PEER_APP.queue }, i)
    }))
    const ids = handles.map((h) => h.workflowID)
    let maxPending = 0
    const deadline = Date.now() + RESULT_MS
    for (;;) {
      const [row] = await sql<{ pending: number; done: number }[]>`
        SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
               count(*) FILTER (WHERE status = 'SUCCESS')::int AS done
        FROM dbos.workflow_status WHERE workflow_uuid = ANY(${ids})`
      maxPending = Math.max(maxPending, row!.pending)
      if (row!.done === ids.length) break
      if (Date.now() > deadline) throw new Error(`only ${row!.done} of ${ids.length} finished in time`)
      await delay(10)
    }
    await Promise.all(workers.map((w) => w.stop()))
    expect(maxPending).toBeLessThanOrEqual(2)
    // Sampling can miss a moment; the steps' own start and end times cannot.
    const steps = await sql<{ started: number; completed: number }[]>`
      SELECT started_at_epoch_ms::float8 AS started, completed_at_epoch_ms::float8 AS completed
      FROM dbos.operation_outputs WHERE workflow_uuid = ANY(${ids})`
    const overlap = Math.max(...steps.map((s) => steps.filter((o) => o.started <= s.started && s.started < o.completed).length))
    expect(steps).toHaveLength(10)
    expect(overlap).toBeLessThanOrEqual(2)
    expect(ranLines(sideFile)).toHaveLength(10)
  })

  it('18: a SIGKILLed Perdure process, relaunched, completes its workflow with recovery_attempts 2; done steps ran once', async () => {
    const { official, url } = peers()
    const sideFile = join(scratch, 'crash.log')
    const id = `crash-${crypto.randomUUID()}`
    const first = peer(url, 'peer-crash', sideFile, id)
    await first.line('STEP3_DONE')
    await first.kill()
    expect((await first.exited).signal).toBe('SIGKILL')
    const second = peer(url, 'peer-crash', sideFile)
    await second.line('READY')
    expect(await within(RESULT_MS, official.retrieveWorkflow(id).getResult(), 'the recovered workflow')).toBe(55)
    await second.stop()
    expect(await official.getWorkflow(id)).toMatchObject({ status: 'SUCCESS', recoveryAttempts: 2, executorId: 'peer-crash' })
    const steps = (await official.listWorkflowSteps(id)) ?? []
    expect(steps.map((s) => [s.functionID, s.name, s.output])).toEqual([
      [0, 'step-1', 1], [1, 'step-2', 4], [2, 'step-3', 9], [3, 'step-4', 16], [4, 'step-5', 25],
    ])
    const ran = ranLines(sideFile).map((line) => line.split(' ').slice(0, 2).join(' '))
    expect(ran).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5'])
    const pids = new Set(ranLines(sideFile).map((line) => line.split(' ')[2]))
    expect(pids.size).toBe(2)
  })
}
