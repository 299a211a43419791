// Riding out Postgres (issue #16): a launch waits for a server that is starting, workflows in flight survive
// crash restarts (`-m immediate`) with no uncaught exception in their process, and the driver's own failure
// paths (a transaction whose connection is lost, a connection lost while it starts) stay inside their query.
// These stop and start a server, so they run on a Postgres cluster of their own (pg_createcluster, on a free
// port), never the shared one, and remove it at the end.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import postgres from 'postgres'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn, skipOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSInitializationError } = perdure
const WORKER = 'test/fixtures/restart-worker.ts'
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** The newest Postgres version with cluster tools here (Debian's postgresql-common), or undefined. */
function clusterVersion(): string | undefined {
  if (!existsSync('/usr/bin/pg_createcluster') || !existsSync('/etc/postgresql')) return undefined
  if (process.getuid?.() !== 0) return undefined
  return readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0]
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address ? address.port : 0
}

/** Uncaught exceptions and unhandled rejections, as a runtime reports them on stderr. */
const CRASH = /TypeError|Uncaught|unhandled|UnhandledPromiseRejection|reading 'write'/i

const version = clusterVersion()
if (!version) {
  skipOn('postgres', 'riding out Postgres restarts', 'needs root and pg_createcluster (Debian postgresql-common) for a cluster of its own')
}

describeOn('postgres', 'riding out Postgres restarts', () => {
  if (!version) return
  const cluster = `perdure_restart_${process.pid}`
  let port = 0
  let url = (_db: string) => ''
  let admin: ReturnType<typeof postgres>
  const ctl = (...args: string[]) => execFileSync('pg_ctlcluster', [version, cluster, ...args], { stdio: 'pipe' })

  beforeAll(async () => {
    port = await freePort()
    execFileSync('pg_createcluster', [version, cluster, '--port', String(port), '--', '--auth=trust'], { stdio: 'pipe' })
    ctl('start')
    url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`
    admin = postgres(url('postgres'), { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await Child.killAll()
    await admin?.end({ timeout: 1 }).catch(() => {})
    execFileSync('pg_dropcluster', [version, cluster, '--stop'], { stdio: 'pipe' })
  })

  it('a launch while the server is down waits for it, and succeeds once it is up 3 s later', async () => {
    ctl('stop', '-m', 'immediate')
    const child = new Child('restart-worker (late server)', scriptCommand(WORKER, ['--db', url('late_start'), '--workflows', '2', '--steps', '5']))
    await sleep(3000)
    ctl('start')
    expect(JSON.parse(await child.line('DONE', 90_000))).toEqual([10, 10])
    expect((await child.exited).code).toBe(0)
    // It said once that it waits, and why.
    expect(child.stderr.match(/is not accepting connections yet/g)?.length).toBe(1)
  })

  it('workflows in flight across crash restarts finish, and nothing is uncaught in their process', async () => {
    const child = new Child('restart-worker (crash restarts)', scriptCommand(WORKER, ['--db', url('crash_restarts'), '--workflows', '8', '--steps', '60']))
    await child.line('STARTED', 60_000)
    for (let i = 0; i < 2; i++) {
      await sleep(1000)
      ctl('restart', '-m', 'immediate')
    }
    const done = await child.line('DONE', 150_000)
    const exit = await child.exited
    expect({ exit, crash: child.stderr.match(CRASH)?.[0] }).toEqual({ exit: { code: 0, signal: null }, crash: undefined })
    // 0 + 1 + ... + 59 per workflow: every step ran, once recorded.
    expect(JSON.parse(done)).toEqual(Array.from({ length: 8 }, () => 1770))
  })

  it('a launch gives up with a clear error once its wait runs out', async () => {
    ctl('stop', '-m', 'immediate')
    try {
      DBOS.setConfig({ name: 'restart-patience', systemDatabaseUrl: url('never_up'), systemDatabaseWaitMs: 2000, runAdminServer: false, logLevel: 'error' })
      const started = Date.now()
      const error = await DBOS.launch().then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(DBOSInitializationError)
      expect((error as Error).message).toMatch(new RegExp(`^Cannot connect to the system database at postgres://postgres@127\\.0\\.0\\.1:${port}/never_up: .*ECONNREFUSED|Failed to connect`))
      expect((error as Error).message).toContain('waited up to 2 s')
      expect((error as Error).message).toContain('systemDatabaseWaitMs')
      expect(Date.now() - started).toBeGreaterThan(1000)
      expect(Date.now() - started).toBeLessThan(15_000)
    } finally {
      ctl('start')
    }
  })

  it('a wrong URL fails at once, not after the wait: unknown host, unknown role, no CONNECT permission', async () => {
    await admin.unsafe('CREATE ROLE restart_locked LOGIN')
    await admin.unsafe('CREATE DATABASE restart_closed')
    await admin.unsafe('REVOKE CONNECT ON DATABASE restart_closed FROM PUBLIC')
    const cases: [string, RegExp][] = [
      ['postgres://postgres@no-such-host.invalid:5432/x', /no-such-host\.invalid/],
      [`postgres://nobody_here@127.0.0.1:${port}/postgres`, /nobody_here/],
      [`postgres://restart_locked@127.0.0.1:${port}/restart_closed`, /permission denied for database/],
    ]
    for (const [target, why] of cases) {
      DBOS.setConfig({ name: 'restart-wrong-url', systemDatabaseUrl: target, runAdminServer: false, logLevel: 'error' })
      const started = Date.now()
      const error = await DBOS.launch().then(() => undefined, (e: unknown) => e)
      expect({ target, error: error instanceof DBOSInitializationError, why: why.test((error as Error).message) }).toEqual({ target, error: true, why: true })
      expect({ target, fast: Date.now() - started < 10_000 }).toEqual({ target, fast: true })
    }
  })

  it('a transaction whose connection dies while it is idle fails its next statement; the pool goes on', async () => {
    await admin.unsafe('CREATE DATABASE idle_in_tx')
    const db = await perdure.createRuntime().openDatabase({ url: url('idle_in_tx'), poolSize: 2, appName: 'idle-in-tx' })
    try {
      const error = await db.transaction(async (tx) => {
        const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        await admin`SELECT pg_terminate_backend(${row!.pid})`
        // The socket's close arrives while the transaction has nothing in flight.
        await sleep(300)
        await tx.query('SELECT 1')
      }).then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(Error)
      // A lost connection, as the engine reads it: the transaction did not commit, a replay may follow.
      expect((error as { code?: string }).code).toMatch(/^(CONNECTION_CLOSED|ECONNRESET|EPIPE|57P01)$/)
      await sleep(300)
      for (let i = 0; i < 6; i++) expect(await db.query<{ n: number }>('SELECT $1::int AS n', [i])).toEqual([{ n: i }])
      expect(await db.transaction((tx) => tx.query<{ n: string }>("SELECT 'ok' AS n"))).toEqual([{ n: 'ok' }])
    } finally {
      await db.close()
    }
  })

  it('connections terminated while they start (postgres.js reading pg_type) leave nothing unhandled', async () => {
    await admin.unsafe('CREATE DATABASE starting_up')
    const child = new Child('startup-kill-worker', scriptCommand('test/fixtures/startup-kill-worker.ts', ['--db', url('starting_up'), '--admin', url('postgres')]), {
      env: { PERDURE_BUN_SQL: '0' },
    })
    const killed = await child.line('KILLED', 90_000).catch(() => '')
    const settled = await child.line('SETTLED', 30_000).catch(() => '')
    const exit = await child.exited
    expect({ exit, crash: child.stderr.match(CRASH)?.[0] ?? child.stderr.slice(-400) }).toEqual({ exit: { code: 0, signal: null }, crash: '' })
    expect(Number(killed)).toBeGreaterThan(0)
    // Every statement sent meanwhile succeeded or failed: none hangs on a connection lost as it started.
    const [done, , sent] = settled.split(' ')
    expect(done).toBe(sent)
  })
})
