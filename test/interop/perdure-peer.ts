// Perdure in a child process, for test/interop/interop.test.ts (checklist items 13 and 18).
//
//   node --import tsx test/interop/perdure-peer.ts --db <url> --executor-id <id> --side-file <path>
//     [--start <workflowID>]
//
// Launches Perdure as PEER_APP (test/interop/apps.ts), which serves the queue PEER_APP.queue (global
// concurrency 2), and prints `READY`; then runs whatever is queued until the parent closes our stdin, shuts
// down, prints `STOPPED` and exits. Launch also recovers this executor's PENDING workflows.
// --start  starts the five-step workflow under that ID. Its step 4, in this process only, prints `STEP3_DONE`
//          and waits 10 s, long enough for the parent to SIGKILL us with steps 1-3 recorded.
//
// Every step appends `<label> <pid>` to the side file before returning: that file, not the database, is the
// record of what really ran. stdout carries only protocol lines; Perdure logs at warn level, to stderr.
import { appendFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { emit, exitAfter, readyUntilStdinCloses, runMain, stopAfter } from '../support/fixture.ts'
import { perdure } from '../support/perdure.ts'
import { PEER_APP } from './apps.ts'

const { DBOS, WorkflowQueue } = perdure

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    'executor-id': { type: 'string' },
    'side-file': { type: 'string' },
    start: { type: 'string' },
  },
})
const sideFile = values['side-file']
if (!values.db || !values['executor-id'] || !sideFile) {
  console.error('perdure-peer: --db, --executor-id and --side-file are required; see the usage at the top')
  process.exit(2)
}

exitAfter('perdure-peer', 300_000)

function ran(label: string): void {
  appendFileSync(sideFile!, `${label} ${process.pid}\n`)
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

new WorkflowQueue(PEER_APP.queue, { concurrency: 2 })

DBOS.registerWorkflow(async (i: number) => {
  return await DBOS.runStep(async () => {
    await delay(300)
    ran(`slow ${i}`)
    return process.pid
  }, { name: 'slow' })
}, { name: 'peerSlow' })

const fiveSteps = DBOS.registerWorkflow(async () => {
  let sum = 0
  for (let n = 1; n <= 5; n++) {
    sum += await DBOS.runStep(async () => {
      if (n === 4 && values.start) {
        // Step 3 returned only after its checkpoint committed, so a kill from here on must keep steps 1-3.
        emit('STEP3_DONE')
        await delay(10_000)
      }
      ran(`step ${n}`)
      return n * n
    }, { name: `step-${n}` })
  }
  return sum
}, { name: 'peerFiveSteps' })

async function main(): Promise<void> {
  DBOS.setConfig({
    name: PEER_APP.name,
    systemDatabaseUrl: values.db!,
    executorID: values['executor-id']!,
    applicationVersion: PEER_APP.version,
    logLevel: 'warn',
    runAdminServer: false,
  })
  await DBOS.launch()
  if (values.start) await DBOS.startWorkflow(fiveSteps, { workflowID: values.start })()
  await stopAfter(readyUntilStdinCloses, () => DBOS.shutdown())
}

runMain('perdure-peer', main, { exitWhenDone: true })
