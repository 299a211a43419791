// The error classifier (core/internal/database-errors.ts) against errors each driver really throws on the
// runtime running this file: postgres.js on Node and Deno, Bun.SQL on Bun (both through the adapter's
// database factory), PGlite everywhere. A server error must give its SQLSTATE; a failed connection must read
// as lost (retried, replayed) and never as a SQLSTATE, whatever its code looks like (issue #19: `EPIPE`).
import { connect, createServer, type Server, Socket } from 'node:net'
import postgres from 'postgres'
import { classifyDatabaseError } from '../../core/internal/database-errors.ts'
import type { DatabasePort } from '../../core/ports/database.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'
import { perdure, runtimeName } from '../support/perdure.ts'

const runtime = perdure.createRuntime()
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

interface Row {
  case: string
  produce: () => Promise<unknown>
  /** Acceptable SQLSTATEs (undefined: a client-side error). */
  sqlState: readonly (string | undefined)[]
  connectionLost: boolean
}

/** What the driver threw when `run` failed; a success is a failure of the test. */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run()
  } catch (e) {
    return e
  }
  throw new Error('expected the statement to fail')
}

const seen: string[] = []

function declare(rows: () => Row[]): void {
  for (const row of rows()) {
    it(row.case, async () => {
      const e = await rejection(row.produce)
      const info = classifyDatabaseError(e)
      const code = (e as { code?: unknown }).code
      seen.push(`${runtimeName} | ${row.case} | ${String(code)} | ${info.sqlState ?? '-'} | ${info.connectionLost}`)
      expect(info.connectionLost).toBe(row.connectionLost)
      expect(row.sqlState).toContain(info.sqlState)
    })
  }
}

/** A 127.0.0.1 listener that passes bytes to the test Postgres and drops the client when told to. */
function proxy(): { server: Server; port: () => number; next: (fault: 'end-after-reply' | 'destroy-on-query') => void } {
  let fault: 'end-after-reply' | 'destroy-on-query' | undefined
  const target = new URL(postgresUrl('postgres'))
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname)
    client.on('error', () => {})
    upstream.on('error', () => {})
    upstream.on('data', (d) => {
      client.write(d)
      // The reply and the FIN arrive together: the driver's next write meets a socket the server ended.
      if (fault === 'end-after-reply') {
        fault = undefined
        client.end()
      }
    })
    client.on('data', (d) => {
      if (fault === 'destroy-on-query') {
        fault = undefined
        client.destroy()
        upstream.destroy()
        return
      }
      upstream.write(d)
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  return { server, port: () => (server.address() as { port: number }).port, next: (f) => (fault = f) }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await listen(server)
  const port = (server.address() as { port: number }).port
  await new Promise((r) => server.close(r))
  return port
}

/**
 * Unit-level, no live server: an ErrorResponse as the drivers surface it (SQLSTATE in `code`, with a
 * `severity`), for the class 08 states a test cannot make a real server send on demand.
 */
async function serverSent(state: string): Promise<never> {
  throw Object.assign(new Error(`server-shaped ${state}`), { code: state, severity: 'FATAL' })
}

/** The runtime's own socket error for a write after the peer ended the connection (node:net's EPIPE). */
async function writeAfterPeerEnded(): Promise<void> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', () => {})
    s.end()
  })
  await listen(server)
  try {
    const socket = new Socket()
    socket.on('data', () => {})
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject)
      // After 'end' the socket ends its side too; a write from then on fails as the driver's would.
      socket.on('end', () => setTimeout(() => socket.write('Q', (e) => (e ? reject(e) : resolve())), 10))
      socket.connect((server.address() as { port: number }).port, '127.0.0.1')
    })
  } finally {
    server.close()
  }
}

describeOn('postgres', `database errors classified (${runtimeName})`, () => {
  const name = `perdure_test_errors_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  const faulty = proxy()
  let admin: ReturnType<typeof postgres>
  let db: DatabasePort
  const open = (url: string) => runtime.openDatabase({ url, poolSize: 2, appName: 'errors' })

  beforeAll(async () => {
    admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
    await admin.unsafe(`CREATE DATABASE "${name}"`)
    db = await open(postgresUrl(name))
    await db.exec('CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (parent int REFERENCES parent (id))')
    await db.query('INSERT INTO parent VALUES (1)')
    await listen(faulty.server)
  })
  afterAll(async () => {
    await db.close()
    faulty.server.close()
    await admin.end()
    await dropPostgresDatabases([name])
    console.log(`runtime | case | code | sqlState | connectionLost\n${seen.join('\n')}`)
  })

  declare(() => [
    { case: 'unique violation', produce: () => db.query('INSERT INTO parent VALUES (1)'), sqlState: ['23505'], connectionLost: false },
    { case: 'foreign-key violation', produce: () => db.query('INSERT INTO child VALUES ($1)', [2]), sqlState: ['23503'], connectionLost: false },
    { case: 'syntax error', produce: () => db.query('SELEC 1'), sqlState: ['42601'], connectionLost: false },
    {
      case: 'backend killed while it runs a query (pg_terminate_backend)',
      produce: async () => {
        const running = db.query('SELECT pg_sleep(60)')
        running.catch(() => {})
        for (let i = 0; i < 200; i++) {
          const [row] = await admin<{ n: number }[]>`
            SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
            WHERE datname = ${name} AND query = 'SELECT pg_sleep(60)' AND state = 'active'`
          if (row!.n > 0) break
          await sleep(50)
        }
        await running
      },
      // postgres.js reports the socket closing; Bun.SQL the server's FATAL admin_shutdown.
      sqlState: [undefined, '57P01'],
      connectionLost: true,
    },
    {
      case: 'refused connection (closed 127.0.0.1 port)',
      produce: async () => {
        const refused = await open(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`)
        try {
          await refused.query('SELECT 1')
        } finally {
          await refused.close().catch(() => {})
        }
      },
      sqlState: [undefined],
      connectionLost: true,
    },
    {
      case: 'socket closed mid-query (a listener drops it)',
      produce: async () => {
        const viaProxy = await open(`postgres://postgres@127.0.0.1:${faulty.port()}/${name}`)
        try {
          await viaProxy.query('SELECT 1')
          faulty.next('destroy-on-query')
          await viaProxy.query('SELECT 2')
        } finally {
          await viaProxy.close().catch(() => {})
        }
      },
      sqlState: [undefined],
      connectionLost: true,
    },
    {
      case: 'server ended the socket after a reply, next query (EPIPE on Deno)',
      produce: async () => {
        // A driver that sees the FIN before the next query is sent reconnects and the query succeeds: nothing
        // to classify then, so the scenario runs again (up to 5 times) until the query meets the ended socket.
        for (let attempt = 0; attempt < 5; attempt++) {
          const viaProxy = await open(`postgres://postgres@127.0.0.1:${faulty.port()}/${name}`)
          try {
            await viaProxy.query('SELECT 1')
            faulty.next('end-after-reply')
            await viaProxy.query('SELECT 2')
            await viaProxy.query('SELECT 3')
          } finally {
            await viaProxy.close().catch(() => {})
          }
        }
      },
      sqlState: [undefined],
      connectionLost: true,
    },
    { case: "runtime socket: write after the peer ended (node:net's EPIPE)", produce: writeAfterPeerEnded, sqlState: [undefined], connectionLost: true },
    // Unit-level rows (server-shaped objects): class 08 is a failed connection, except 08P01, a protocol
    // violation in what was sent, which sending again repeats.
    ...['08000', '08003', '08006', '08001', '08004', '08007'].map((state) => ({
      case: `unit-level: server-shaped ${state} (connection failure)`, produce: () => serverSent(state), sqlState: [state], connectionLost: true,
    })),
    { case: 'unit-level: server-shaped 08P01 (protocol violation)', produce: () => serverSent('08P01'), sqlState: ['08P01'], connectionLost: false },
  ])
})

describeOn('pglite', `database errors classified (${runtimeName})`, (testDb) => {
  let db: DatabasePort
  beforeAll(async () => {
    db = await runtime.openDatabase({ url: testDb.fresh(), poolSize: 1, appName: 'errors' })
    await db.exec('CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (parent int REFERENCES parent (id))')
    await db.query('INSERT INTO parent VALUES (1)')
  })
  afterAll(async () => {
    await testDb.dropAll()
    console.log(`runtime | case | code | sqlState | connectionLost\n${seen.join('\n')}`)
  })

  declare(() => [
    { case: 'PGlite unique violation', produce: () => db.query('INSERT INTO parent VALUES (1)'), sqlState: ['23505'], connectionLost: false },
    { case: 'PGlite foreign-key violation', produce: () => db.query('INSERT INTO child VALUES ($1)', [2]), sqlState: ['23503'], connectionLost: false },
    {
      // Our own close: nothing to wait for, so not retried.
      case: 'PGlite used after close',
      produce: async () => {
        await db.close()
        await db.query('SELECT 1')
      },
      sqlState: [undefined],
      connectionLost: false,
    },
  ])
})
