// An official DBOS Transact 5.3.0 executor, for test/interop/interop.test.ts, which runs it beside Perdure on
// one system database.
//
//   node --import tsx test/interop/dbos-executor.ts --db <url> [--no-migrations]
//
// Launches DBOS as the application DBOS_APP (test/interop/apps.ts), registers its queue and prints `READY`.
// It then runs whatever is enqueued for it until the parent closes our stdin, shuts down, prints `STOPPED`
// and exits. With --no-migrations it launches with `runMigrations: false`, so launch only
// verifies that the schema is current.
//
// Every workflow here is named `dbos…`; Perdure registers none of them, and this executor registers none of
// Perdure's. Both applications are named, so each dispatches only its own rows (docs/sysdb.md §3.1) plus the unnamed
// rows of the queues it serves. stdout carries only protocol lines; DBOS logs at warn level, to stderr.
import { parseArgs } from 'node:util'
import { DBOS } from '@dbos-inc/dbos-sdk'
import { exitAfter, readyUntilStdinCloses, runMain, stopAfter } from '../support/fixture.ts'
import { DBOS_APP } from './apps.ts'

/** The error `dbosFails` throws: a user error with its own name and code. */
class DbosErr extends Error {
  code = 43
  constructor(message: string) {
    super(message)
    this.name = 'DbosErr'
  }
}

DBOS.registerWorkflow(async (n: number, when: Date) => {
  return { n, when, isDate: when instanceof Date, later: new Date(when.getTime() + 1000) }
}, { name: 'dbosEcho' })

// Blocks in DBOS.getEvent after a step that tells the parent it is about to: an executor polls events only
// every 10 s, so a wake-up within 1 s of the setEvent proves the NOTIFY arrived.
DBOS.registerWorkflow(async (targetID: string, key: string) => {
  await DBOS.runStep(async () => 'waiting', { name: 'before-wait' })
  const value = await DBOS.getEvent<unknown>(targetID, key, 30)
  const wokeAt = await DBOS.runStep(async () => Date.now(), { name: 'woke' })
  return { value, wokeAt }
}, { name: 'dbosAwaitEvent' })

DBOS.registerWorkflow(async (topic: string) => {
  return [await DBOS.recv<unknown>(topic, 10), await DBOS.recv<unknown>(topic, 1)]
}, { name: 'dbosRecvTwice' })

DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('status', { at: new Date(0), n: 1 })
  await DBOS.writeStream('s', 'a')
  await DBOS.writeStream('s', { b: 2, at: new Date(0) })
  await DBOS.closeStream('s')
  await DBOS.runStep(async () => ({ done: true }), { name: 'finish' })
  return 'published'
}, { name: 'dbosPublish' })

DBOS.registerWorkflow(async () => {
  throw new DbosErr('failed in DBOS 5.3.0')
}, { name: 'dbosFails' })

// Sets an event only once told to, so that a Perdure workflow can be waiting for it first; returns the time
// just before its setEvent. A number sent as `go` is the epoch millisecond to set it at (a little later, if
// that has passed), so the parent can place the write between two of the waiter's polls.
DBOS.registerWorkflow(async (key: string) => {
  const at = await DBOS.recv<unknown>('go', 30)
  const before = await DBOS.runStep(async () => {
    if (typeof at === 'number') await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())))
    return Date.now()
  }, { name: 'before-set' })
  await DBOS.setEvent(key, 'from-dbos')
  return before
}, { name: 'dbosSetEventOnGo' })

// Fired by schedules (test/interop/schedule-checks.ts): each returns what it was fired with. Perdure registers
// `sharedTick` too, so an unclaimed schedule of it is fired by both executors.
DBOS.registerWorkflow(async (slot: Date, context: unknown) => ({ slot, context }), { name: 'dbosTick' })
DBOS.registerWorkflow(async (slot: Date, context: unknown) => ({ slot, context, by: 'dbos' }), { name: 'sharedTick' })

// Rewound by test/interop/rewind-checks.ts: each step returns how many times it has executed in this process
// for that tag, so a replayed step shows its first value and a re-executed one a higher count.
const counted: Record<string, number> = {}
DBOS.registerWorkflow(async (tag: string) => {
  const count = (label: string) => DBOS.runStep(async () => (counted[`${tag}:${label}`] = (counted[`${tag}:${label}`] ?? 0) + 1), { name: label })
  const a = await count('alpha')
  const b = await count('beta')
  const c = await count('gamma')
  return { a, b, c }
}, { name: 'dbosCounted' })

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, 'no-migrations': { type: 'boolean', default: false } },
  })
  if (!values.db) {
    console.error('dbos-executor: --db <url> is required; see the usage at the top of the file')
    process.exit(2)
  }
  exitAfter('dbos-executor', 300_000)
  DBOS.setConfig({
    name: DBOS_APP.name,
    systemDatabaseUrl: values.db,
    executorID: DBOS_APP.executorID,
    applicationVersion: DBOS_APP.version,
    logLevel: 'warn',
    runMigrations: !values['no-migrations'],
  })
  await DBOS.launch()
  await DBOS.registerQueue(DBOS_APP.queue)
  await stopAfter(readyUntilStdinCloses, () => DBOS.shutdown())
}

runMain('dbos-executor', main, { exitWhenDone: true })
