// A new embedded directory starts from a pre-initialized PGlite template instead of running initdb
// (adapters/shared/pglite-template.ts). What it ends up holding must be what initdb and the migrations make:
// the same DBOS schema, the same database settings. A template PGlite cannot use must fall back to initdb.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, afterEach, beforeAll, expect, it } from '../harness.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS } = perdure

const work = DBOS.registerWorkflow(async (n: number) => await DBOS.runStep(async () => n + 1, { name: 'add' }), { name: 'templated' })

/** Everything of a directory's database that must not depend on how it was created. */
async function snapshot(dir: string): Promise<Record<string, unknown>> {
  const db = await PGlite.create(dir)
  try {
    const rows = async (sql: string) => (await db.query(sql)).rows
    return {
      databases: await rows(`SELECT datname, pg_encoding_to_char(encoding) AS encoding, datcollate, datctype
        FROM pg_database ORDER BY datname`),
      extensions: await rows('SELECT extname, extversion FROM pg_extension ORDER BY extname'),
      columns: await rows(`SELECT table_name, column_name, data_type, column_default, is_nullable
        FROM information_schema.columns WHERE table_schema = 'dbos' ORDER BY table_name, column_name`),
      indexes: await rows(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'dbos' ORDER BY indexname`),
      constraints: await rows(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'dbos'::regnamespace ORDER BY conname`),
      functions: await rows(`SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'dbos'::regnamespace ORDER BY proname`),
      migrations: await rows('SELECT * FROM dbos.dbos_migrations'),
    }
  } finally {
    await db.close()
  }
}

/** The cluster's identifier, set by initdb: a directory unpacked from a template keeps the template's. */
async function systemIdentifier(dir?: string): Promise<string> {
  const db = dir ? await PGlite.create(dir) : await PGlite.create()
  try {
    const [row] = (await db.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows
    return row!.id
  } finally {
    await db.close()
  }
}

describeOn('pglite', 'PGlite template for new embedded directories', () => {
  let root = ''
  let template = ''
  let templateID = ''
  const saved = process.env.PERDURE_PGLITE_TEMPLATE

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'perdure-template-'))
    // Made as scripts/pglite-template.mjs makes it, remembering which cluster it is.
    const source = await PGlite.create()
    templateID = (await source.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]!.id
    const dump = await source.dumpDataDir('gzip')
    await source.close()
    template = join(root, 'template.tar.gz')
    writeFileSync(template, new Uint8Array(await dump.arrayBuffer()))
  })
  afterEach(async () => {
    await DBOS.shutdown()
    if (saved === undefined) delete process.env.PERDURE_PGLITE_TEMPLATE
    else process.env.PERDURE_PGLITE_TEMPLATE = saved
  })
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true })
  })

  async function launchOn(dir: string, templatePath: string): Promise<void> {
    process.env.PERDURE_PGLITE_TEMPLATE = templatePath
    DBOS.setConfig({ name: 'template-test', systemDatabaseUrl: `file:${dir}`, runAdminServer: false, logLevel: 'warn' })
    await DBOS.launch()
    expect(await (await DBOS.startWorkflow(work)(1)).getResult()).toBe(2)
    await DBOS.shutdown()
  }

  it('starts a new directory from the template, with the schema and settings initdb gives', async () => {
    const templated = join(root, 'templated')
    const initdb = join(root, 'initdb')
    await launchOn(templated, template)
    await launchOn(initdb, join(root, 'no-such-template.tar.gz'))
    // The first really came from the template, the second from initdb.
    expect(await systemIdentifier(templated)).toBe(templateID)
    expect(await systemIdentifier(initdb)).not.toBe(templateID)
    const [fromTemplate, fromInitdb] = [await snapshot(templated), await snapshot(initdb)]
    expect((fromTemplate.columns as unknown[]).length).toBeGreaterThan(10)
    expect(fromTemplate).toEqual(fromInitdb)
  })

  it('runs initdb when the template is unusable', async () => {
    const broken = join(root, 'broken.tar.gz')
    writeFileSync(broken, 'not a tarball')
    const dir = join(root, 'fallback')
    await launchOn(dir, broken)
    expect(await systemIdentifier(dir)).not.toBe(templateID)
  })
})
