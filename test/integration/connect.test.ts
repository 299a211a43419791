// Reaching the system database: a host that accepts connections and never answers must fail the launch
// within its bound, with a typed error saying what timed out; a percent-encoded database name means the same
// database to CREATE DATABASE and to the driver. Both run in each runtime's Postgres lane (Bun's driver is
// Bun.SQL there, Node's and Deno's postgres.js).
import { createServer, type Server, type Socket } from 'node:net'
import postgres from 'postgres'
import { afterAll, afterEach, expect, it } from '../harness.ts'
import { describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSInitializationError } = perdure

/** A 127.0.0.1 listener that accepts every connection and never sends a byte. */
async function silentHost(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

describeOn('postgres', 'connecting to the system database', () => {
  const names: string[] = []
  afterEach(async () => {
    delete process.env.PERDURE_CONNECT_TIMEOUT_MS
    await DBOS.shutdown()
  })
  afterAll(async () => {
    await dropPostgresDatabases(names)
  })

  it('fails a launch against a host that never answers within its bound, saying what timed out', async () => {
    const host = await silentHost()
    try {
      process.env.PERDURE_CONNECT_TIMEOUT_MS = '1500'
      DBOS.setConfig({ name: 'silent-host', systemDatabaseUrl: `postgres://postgres:secret@127.0.0.1:${host.port}/nowhere`, runAdminServer: false, logLevel: 'error' })
      const started = performance.now()
      const error = await DBOS.launch().then(() => undefined, (e: unknown) => e)
      const elapsed = performance.now() - started
      expect(error).toBeInstanceOf(DBOSInitializationError)
      const message = (error as Error).message
      expect(message).toContain('timed out')
      expect(message).toContain('1500 ms')
      expect(message).toContain(`127.0.0.1:${host.port}/nowhere`)
      // The password never goes into a message.
      expect(message).not.toContain('secret')
      // Not before its bound, and well before the minutes an unbounded launch waits (margin for a loaded machine).
      expect(elapsed).toBeGreaterThanOrEqual(1400)
      expect(elapsed).toBeLessThan(15_000)
    } finally {
      await host.close()
    }
  })

  it("holds a bound above the driver's own default connect timeout, failing with the same typed error", async () => {
    // The drivers' defaults were 10 s: a bound of 12 s must be the one that fires, not theirs.
    const host = await silentHost()
    try {
      process.env.PERDURE_CONNECT_TIMEOUT_MS = '12000'
      DBOS.setConfig({ name: 'silent-host-long', systemDatabaseUrl: `postgres://postgres@127.0.0.1:${host.port}/nowhere`, runAdminServer: false, logLevel: 'error' })
      const started = performance.now()
      const error = await DBOS.launch().then(() => undefined, (e: unknown) => e)
      const elapsed = performance.now() - started
      expect(error).toBeInstanceOf(DBOSInitializationError)
      const message = (error as Error).message
      expect(message).toContain('timed out')
      expect(message).toContain('12000 ms')
      expect(elapsed).toBeGreaterThanOrEqual(11_900)
      expect(elapsed).toBeLessThan(40_000)
    } finally {
      await host.close()
    }
  })

  it('creates and then uses the database a percent-encoded name means', async () => {
    const name = `perdure_test_pct ${crypto.randomUUID().slice(0, 8)}`
    names.push(name)
    const encoded = postgresUrl(encodeURIComponent(name))
    expect(encoded).toContain('%20')
    DBOS.setConfig({ name: 'percent', systemDatabaseUrl: encoded, runAdminServer: false, logLevel: 'warn' })
    await DBOS.launch()
    await DBOS.shutdown()
    const admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
    try {
      const rows = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'perdure_test_pct%'`
      const names = rows.map((r) => r.datname)
      expect(names).toContain(name)
      expect(names).not.toContain(encodeURIComponent(name))
    } finally {
      await admin.end({ timeout: 5 })
    }
    const sql = postgres(postgresUrl('postgres'), { database: name, max: 1, onnotice: () => {} })
    try {
      const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM dbos.application_versions`
      expect(row!.n).toBeGreaterThanOrEqual(1)
    } finally {
      await sql.end({ timeout: 5 })
    }
  })
})
