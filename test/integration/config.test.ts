// Configuration: a custom schema, a caller-supplied postgres.js pool, and a custom serializer.
import postgres from 'postgres'
import { afterAll, expect, it } from '../harness.ts'
import { describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS } = perdure

const echo = DBOS.registerWorkflow(async (value: unknown) => {
  return await DBOS.runStep(() => value, { name: 'echo' })
}, { name: 'configEcho' })

/** A JSON serializer that tags its payloads, to prove the configured one is used. */
const taggedJson = {
  name: () => 'tagged_json',
  stringify: (value: unknown) => `tagged:${JSON.stringify(value ?? null)}`,
  parse: (text: string | null | undefined) => (text ? JSON.parse(text.slice('tagged:'.length)) : null),
}

describeOn('postgres', 'configuration', () => {
  const names: string[] = []
  afterAll(async () => {
    await DBOS.shutdown()
    await dropPostgresDatabases(names)
  })

  it('keeps its tables in systemDatabaseSchemaName, on a pool the caller owns, with the configured serializer', async () => {
    const name = `perdure_test_cfg_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
    names.push(name)
    const admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
    await admin.unsafe(`CREATE DATABASE "${name}"`)
    await admin.end()
    const pool = postgres(postgresUrl(name), { max: 3, onnotice: () => {} })
    try {
      DBOS.setConfig({ name: 'config', systemDatabasePool: pool, systemDatabaseUrl: postgresUrl(name), systemDatabaseSchemaName: 'perdure_sys', serializer: taggedJson })
      await DBOS.launch()
      const handle = await DBOS.startWorkflow(echo)({ n: 1 })
      expect(await handle.getResult()).toEqual({ n: 1 })
      await DBOS.shutdown()
      // The pool is still open: Perdure did not close what it did not open.
      const [row] = await pool`SELECT serialization, (SELECT inputs FROM perdure_sys.workflow_input wi WHERE wi.workflow_uuid = ws.workflow_uuid) AS inputs
        FROM perdure_sys.workflow_status ws WHERE workflow_uuid = ${handle.workflowID}`
      expect(row).toEqual({ serialization: 'tagged_json', inputs: 'tagged:[{"n":1}]' })
      const [dbos] = await pool`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'dbos'`
      expect(dbos?.n).toBe(0)
    } finally {
      await pool.end()
    }
  })
})
