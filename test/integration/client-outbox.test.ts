// The transactional outbox: DBOSClient's enqueueInTransaction, enqueuePortableInTransaction and sendInTransaction
// write through the caller's own transaction, of postgres.js or of node-postgres, so the workflow or message
// exists exactly when the caller's own writes do.
import pg, { type Pool } from 'pg'
import postgres from 'postgres'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, skipOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { rawSql } from '../support/raw-sql.ts'

const { DBOS, DBOSClient, WorkflowQueue, DBOSQueueDuplicatedError } = perdure

const queue = new WorkflowQueue('outbox-queue')

DBOS.registerWorkflow(async (order: string, amount: number) => `shipped ${order} x${amount}`, { name: 'outboxShip' })

const awaitNote = DBOS.registerWorkflow(async () => await DBOS.recv<string>('note', 60), { name: 'outboxAwaitNote' })

/** A transaction of the caller's own driver: run `body` in it, then commit, or roll back when `commit` is false. */
type Transact = (commit: boolean, body: (tx: unknown, own: (text: string, params: unknown[]) => Promise<void>) => Promise<void>) => Promise<void>

describeOn('postgres', 'DBOSClient transactional outbox', (db) => {
  let url: string
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  let sql: postgres.Sql
  let pool: Pool
  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: 'outbox-app', systemDatabaseUrl: url })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'outbox-app' })
    sql = postgres(url, { max: 2, onnotice: () => {} })
    pool = new pg.Pool({ connectionString: url, max: 2 })
    await sql.unsafe('CREATE TABLE orders (id text PRIMARY KEY)')
  })
  afterAll(async () => {
    await client?.destroy()
    await sql?.end({ timeout: 5 })
    await pool?.end()
    await DBOS.shutdown()
    await db.dropAll()
  })

  const rolledBack = new Error('the caller rolls back')

  const postgresJs: Transact = async (commit, body) => {
    await sql.begin(async (tx) => {
      await body(tx, async (text, params) => void (await tx.unsafe(text, params as string[])))
      if (!commit) throw rolledBack
    }).catch((e: unknown) => {
      if (e !== rolledBack) throw e
    })
  }

  const nodePostgres: Transact = async (commit, body) => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query('BEGIN')
      try {
        await body(c, async (text, params) => void (await c.query(text, params)))
      } catch (e) {
        await c.query('ROLLBACK')
        throw e
      }
      await c.query(commit ? 'COMMIT' : 'ROLLBACK')
    } finally {
      await c.end()
    }
  }

  /** Rows any table of the system schema holds for a workflow (as a destination, for notifications). */
  async function rowsOf(workflowID: string): Promise<number> {
    const { query, s } = rawSql()
    const [row] = await query<{ n: number }>(
      `SELECT (SELECT count(*) FROM ${s}.workflow_status WHERE workflow_uuid = $1)
            + (SELECT count(*) FROM ${s}.workflow_input WHERE workflow_uuid = $1)
            + (SELECT count(*) FROM ${s}.notifications WHERE destination_uuid = $1) AS n`,
      [workflowID],
    )
    return Number(row!.n)
  }

  async function messagesTo(workflowID: string): Promise<number> {
    const { query, s } = rawSql()
    const [row] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${s}.notifications WHERE destination_uuid = $1`, [workflowID])
    return row!.n
  }

  async function ordersNamed(id: string): Promise<number> {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM orders WHERE id = ${id}`
    return row!.n
  }

  for (const [driver, transact] of [['postgres.js', postgresJs], ['node-postgres', nodePostgres]] as const) {
    it(`${driver}: a rolled-back enqueueInTransaction leaves nothing; a committed one runs`, async () => {
      const lost = `outbox-lost-${driver}`
      await transact(false, async (tx, own) => {
        await own('INSERT INTO orders (id) VALUES ($1)', [lost])
        const handle = await client.enqueueInTransaction(tx, { workflowName: 'outboxShip', queueName: queue.name, workflowID: lost }, lost, 1)
        expect(handle.workflowID).toBe(lost)
      })
      expect(await ordersNamed(lost)).toBe(0)
      expect(await client.getWorkflow(lost)).toBeUndefined()
      expect(await rowsOf(lost)).toBe(0)

      const kept = `outbox-kept-${driver}`
      let handleID = ''
      await transact(true, async (tx, own) => {
        await own('INSERT INTO orders (id) VALUES ($1)', [kept])
        handleID = (await client.enqueueInTransaction(tx, { workflowName: 'outboxShip', queueName: queue.name, workflowID: kept }, kept, 2)).workflowID
        // Not visible outside the caller's transaction before it commits.
        expect(await client.getWorkflow(kept)).toBeUndefined()
      })
      expect(await ordersNamed(kept)).toBe(1)
      expect(await client.retrieveWorkflow(handleID).getResult()).toBe(`shipped ${kept} x2`)
    })

    it(`${driver}: enqueuePortableInTransaction commits and rolls back with the caller`, async () => {
      const lost = `outbox-portable-lost-${driver}`
      await transact(false, async (tx) => {
        await client.enqueuePortableInTransaction(tx, { workflowName: 'outboxShip', queueName: queue.name, workflowID: lost }, [lost, 3])
      })
      expect(await rowsOf(lost)).toBe(0)
      const kept = `outbox-portable-kept-${driver}`
      await transact(true, async (tx) => {
        await client.enqueuePortableInTransaction(tx, { workflowName: 'outboxShip', queueName: queue.name, workflowID: kept }, [kept, 4])
      })
      const handle = client.retrieveWorkflow<string>(kept)
      expect(await handle.getResult()).toBe(`shipped ${kept} x4`)
      const { query, s } = rawSql()
      expect(await query(`SELECT serialization FROM ${s}.workflow_status WHERE workflow_uuid = $1`, [kept])).toEqual([{ serialization: 'portable_json' }])
    })

    it(`${driver}: a rolled-back sendInTransaction is never received; a committed one is`, async () => {
      const target = await DBOS.startWorkflow(awaitNote, { workflowID: `outbox-receiver-${driver}` })()
      await transact(false, async (tx, own) => {
        await own('INSERT INTO orders (id) VALUES ($1)', [`note-lost-${driver}`])
        await client.sendInTransaction(tx, target.workflowID, 'lost', 'note')
      })
      expect(await messagesTo(target.workflowID)).toBe(0)
      await transact(true, async (tx, own) => {
        await own('INSERT INTO orders (id) VALUES ($1)', [`note-kept-${driver}`])
        await client.sendInTransaction(tx, target.workflowID, 'kept', 'note', `key-${driver}`)
        expect(await messagesTo(target.workflowID)).toBe(0) // not before the caller commits
      })
      // recv takes the oldest message on the topic: 'lost' would come first had it landed.
      expect(await target.getResult()).toBe('kept')
      expect(await ordersNamed(`note-lost-${driver}`)).toBe(0)
      expect(await ordersNamed(`note-kept-${driver}`)).toBe(1)
    })

    it(`${driver}: a duplicate inside the caller's transaction is DBOSQueueDuplicatedError and the caller rolls back`, async () => {
      const dedup = `outbox-dedup-${driver}`
      await client.enqueue({ workflowName: 'outboxShip', queueName: queue.name, deduplicationID: dedup, appVersion: 'never-runs' }, 'x', 1)
      let caught: unknown
      await transact(true, async (tx) => {
        await client.enqueueInTransaction(tx, { workflowName: 'outboxShip', queueName: queue.name, deduplicationID: dedup }, 'y', 1)
      }).catch((e: unknown) => (caught = e))
      expect(caught).toBeInstanceOf(DBOSQueueDuplicatedError)
    })
  }

  it('refuses what is not an open transaction: a postgres.js root, a pg Pool, a pg client without BEGIN', async () => {
    const options = { workflowName: 'outboxShip', queueName: queue.name }
    await expect(client.enqueueInTransaction(sql, options, 'a', 1)).rejects.toThrow(/not a transaction/)
    await expect(client.sendInTransaction(pool, 'any', 'm')).rejects.toThrow(/Pool, not a transaction/)
    await expect(client.enqueueInTransaction({}, options, 'a', 1)).rejects.toThrow(/open transaction/)
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query('SELECT 1')
      const idle = `outbox-idle-client`
      await expect(client.enqueueInTransaction(c, { ...options, workflowID: idle }, 'a', 1)).rejects.toThrow(/not in a transaction/)
      expect(await rowsOf(idle)).toBe(0)
    } finally {
      await c.end()
    }
  })

  it('refuses a postgres.js reserved connection: outside sql.begin it autocommits each statement', async () => {
    const reserved = await sql.reserve()
    try {
      const id = 'outbox-reserved'
      const options = { workflowName: 'outboxShip', queueName: queue.name, workflowID: id }
      await expect(client.enqueueInTransaction(reserved, options, 'a', 1)).rejects.toThrow(/not a transaction/)
      expect(await rowsOf(id)).toBe(0)
    } finally {
      reserved.release()
    }
  })

  it('refuses a query-only object that is neither a node-postgres client nor a PGlite transaction', async () => {
    const autocommits = { query: async (text: string, params?: unknown[]) => await pool.query(text, params) }
    const id = 'outbox-unknown-client'
    const options = { workflowName: 'outboxShip', queueName: queue.name, workflowID: id }
    await expect(client.enqueueInTransaction(autocommits, options, 'a', 1)).rejects.toThrow(/not a transaction/)
    expect(await rowsOf(id)).toBe(0)
  })
})

skipOn(
  'pglite',
  'DBOSClient transactional outbox',
  'the outbox joins a transaction on a connection the caller opens to the system database; an embedded PGlite database has none to open',
)
