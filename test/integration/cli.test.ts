// Issue #15, "Must show" 5: the `perdure` command line, end to end. An application runs in this test process on
// Postgres; the CLI runs as a child process on the same runtime as the test (node, bun or deno lane) against its
// system database, and its output and exit codes are what is checked. Bad input needs no Postgres, so it runs
// on the PGlite lane, beside `migrate` on an embedded database.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { launchedSystem } from '../../core/dbos.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS, WorkflowQueue } = perdure

/** Per CLI run: a start of the runtime and one connection, slow only on a loaded machine. */
const CLI_TIMEOUT_MS = 60_000

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `perdure <args>` from source on this runtime; DBOS_SYSTEM_DATABASE_URL is unset unless `env` sets it. */
async function perdureCli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const child = new Child(`perdure ${args.join(' ')}`, scriptCommand('adapters/cli/main.ts', args), {
    env: { DBOS_SYSTEM_DATABASE_URL: '', ...env },
    stdin: 'ignore',
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), CLI_TIMEOUT_MS)
  })
  try {
    const exit = await Promise.race([child.exited, timedOut])
    if (!exit) {
      await child.kill()
      throw new Error(`perdure ${args.join(' ')} did not exit within ${CLI_TIMEOUT_MS} ms\n${child.report()}`)
    }
    return { code: exit.code, stdout: child.stdout, stderr: child.stderr }
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `perdure <args>`, expects exit code 0, and parses its standard output as JSON. */
async function json<T = unknown>(args: readonly string[], env?: Record<string, string>): Promise<T> {
  const run = await perdureCli([...args, '--json'], env)
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' })
  return JSON.parse(run.stdout) as T
}

/** Expects a clean refusal: this exit code, a message on stderr naming `message`, and no stack trace. */
function refused(run: Run, code: number, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code, stdout: '' })
  expect(run.stderr).toMatch(message)
  expect(run.stderr).not.toMatch(/^\s+at /m)
}

interface StatusJson {
  workflowID: string
  status: string
  workflowName: string
  queueName?: string
  input?: unknown[]
  output?: unknown
  forkedFrom?: string
}

interface StepJson {
  functionID: number
  name: string
  output: unknown
}

const twoSteps = DBOS.registerWorkflow(async (x: number) => {
  const a = await DBOS.runStep(async () => x + 1, { name: 'addOne' })
  const b = await DBOS.runStep(async () => a * 2, { name: 'double' })
  return { a, b }
}, { name: 'cliTwoSteps' })

/** A step, then a wait for a message: it stays PENDING until the test sends one. */
const waiting = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(async () => 'before', { name: 'before' })
  return await DBOS.recv<string>('go', 120)
}, { name: 'cliWaiting' })

// One at a time: while the first workflow waits, the second stays ENQUEUED.
const queue = new WorkflowQueue('cli-queue', { concurrency: 1 })

describeOn('postgres', 'perdure CLI against a running application', (db) => {
  let url = ''

  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: 'cli-test', systemDatabaseUrl: url, applicationVersion: 'cli-v1' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await Child.killAll()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('lists, gets and shows the steps of a finished workflow, as JSON and as a table', async () => {
    expect(await DBOS.startWorkflow(twoSteps, { workflowID: 'cli-done' })(5).then((h) => h.getResult())).toEqual({ a: 6, b: 12 })

    const listed = await json<StatusJson[]>(['workflow', 'list', '--db', url, '-n', 'cliTwoSteps'])
    expect(listed).toEqual([expect.objectContaining({ workflowID: 'cli-done', status: 'SUCCESS', input: [5], output: { a: 6, b: 12 } })])
    // The URL from the environment, and DBOS's spelling -s.
    expect(await json(['workflow', 'list', '-n', 'cliTwoSteps'], { DBOS_SYSTEM_DATABASE_URL: url })).toEqual(listed)
    expect(await json(['wf', 'list', '-s', url, '-n', 'cliTwoSteps', '-S', 'SUCCESS'])).toEqual(listed)
    expect(await json(['workflow', 'list', '--db', url, '-n', 'cliTwoSteps', '-S', 'ERROR'])).toEqual([])

    const table = await perdureCli(['workflow', 'list', '--db', url])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^WORKFLOW ID\s+NAME\s+STATUS/)
    expect(table.stdout).toMatch(/^cli-done\s+cliTwoSteps\s+SUCCESS/m)

    const got = await json<StatusJson>(['workflow', 'get', 'cli-done', '--db', url])
    expect(got).toMatchObject({ workflowID: 'cli-done', status: 'SUCCESS', workflowName: 'cliTwoSteps', output: { a: 6, b: 12 } })
    const record = await perdureCli(['workflow', 'get', 'cli-done', '--db', url])
    expect(record.stdout).toMatch(/^Status:\s+SUCCESS$/m)
    expect(record.stdout).toMatch(/^Output:\s+\{"a":6,"b":12\}$/m)

    const steps = await json<StepJson[]>(['workflow', 'steps', 'cli-done', '--db', url])
    expect(steps.map((s) => [s.name, s.output])).toEqual([['addOne', 6], ['double', 12]])
    const stepsTable = await perdureCli(['workflow', 'steps', 'cli-done', '--db', url])
    expect(stepsTable.stdout).toMatch(/^\d+\s+double\s+12/m)
  })

  it('cancels a waiting workflow and resumes it, which an executor then finishes', async () => {
    await DBOS.startWorkflow(waiting, { workflowID: 'cli-wait' })()
    await waitFor('the workflow to wait for its message', async () => ((await DBOS.listWorkflowSteps('cli-wait'))?.length ?? 0) >= 2 || undefined)

    expect(await json(['workflow', 'cancel', 'cli-wait', '--db', url])).toEqual({ cancelled: ['cli-wait'] })
    expect(await json(['workflow', 'get', 'cli-wait', '--db', url])).toMatchObject({ status: 'CANCELLED' })
    // A cancel from another process reaches the run here through its watchdog.
    await waitFor('the cancelled run to stop', async () => launchedSystem()!.engine.localOutcome('cli-wait') === undefined || undefined, 30_000)

    const resumed = await perdureCli(['workflow', 'resume', 'cli-wait', '--db', url])
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(/^Resumed cli-wait/)
    await DBOS.send('cli-wait', 'go on', 'go')
    expect(await DBOS.retrieveWorkflow('cli-wait').getResult()).toBe('go on')
    expect(await json(['workflow', 'get', 'cli-wait', '--db', url])).toMatchObject({ status: 'SUCCESS', output: 'go on' })
  })

  it('forks a workflow from a step, reusing the steps before it', async () => {
    const steps = await json<StepJson[]>(['workflow', 'steps', 'cli-done', '--db', url])
    const double = steps.find((s) => s.name === 'double')!.functionID
    const forked = await json(['workflow', 'fork', 'cli-done', '--step', String(double), '-f', 'cli-forked', '--db', url])
    expect(forked).toEqual({ workflowID: 'cli-forked' })
    expect(await DBOS.retrieveWorkflow('cli-forked').getResult()).toEqual({ a: 6, b: 12 })
    expect(await json(['workflow', 'get', 'cli-forked', '--db', url])).toMatchObject({ status: 'SUCCESS', forkedFrom: 'cli-done' })
    const forkSteps = await json<StepJson[]>(['workflow', 'steps', 'cli-forked', '--db', url])
    expect(forkSteps.map((s) => s.name)).toEqual(['addOne', 'double'])
    // A step the workflow does not have, and one that is not a number.
    refused(await perdureCli(['workflow', 'fork', 'cli-done', '--step', 'two', '--db', url]), 2, /--step must be a whole number/)
    refused(await perdureCli(['workflow', 'fork', 'cli-none', '--step', '1', '--db', url]), 2, /cli-none/)
  })

  it('lists the workflows on a queue, under both spellings', async () => {
    await DBOS.startWorkflow(waiting, { workflowID: 'cli-q1', queueName: queue.name })()
    await DBOS.startWorkflow(waiting, { workflowID: 'cli-q2', queueName: queue.name })()
    await waitFor('the first queued workflow to start', async () => (await DBOS.getWorkflowStatus('cli-q1'))?.status === 'PENDING' || undefined)

    const queued = await json<StatusJson[]>(['queue', 'list', '--db', url, '-q', queue.name])
    expect(queued.map((w) => [w.workflowID, w.status, w.queueName])).toEqual([
      ['cli-q1', 'PENDING', 'cli-queue'],
      ['cli-q2', 'ENQUEUED', 'cli-queue'],
    ])
    expect(await json(['workflow', 'queue', 'list', '--db', url, '-q', queue.name])).toEqual(queued)
    expect(await json(['queue', 'list', '--db', url, '-S', 'ENQUEUED'])).toEqual([queued[1]])
    const table = await perdureCli(['queue', 'list', '--db', url])
    expect(table.stdout).toMatch(/^cli-q2\s+cliWaiting\s+ENQUEUED\s+cli-queue/m)

    for (const id of ['cli-q1', 'cli-q2']) {
      await waitFor(`${id} to start`, async () => (await DBOS.getWorkflowStatus(id))?.status === 'PENDING' || undefined)
      await DBOS.send(id, 'done', 'go')
      expect(await DBOS.retrieveWorkflow(id).getResult()).toBe('done')
    }
    expect(await json(['queue', 'list', '--db', url, '-q', queue.name])).toEqual([])
  })

  it('migrates a fresh database, and `schema` takes the URL as an argument and -s as the schema', async () => {
    const fresh = db.fresh()
    // The database does not exist yet: migrate creates it, then its tables.
    const migrated = await perdureCli(['migrate', '--db', fresh])
    expect(migrated.code).toBe(0)
    expect(migrated.stdout).toMatch(/schema "dbos" .* current version/)
    expect(await json(['workflow', 'list', '--db', fresh])).toEqual([])

    const other = db.fresh()
    expect((await perdureCli(['schema', other, '-s', 'cli_schema'])).code).toBe(0)
    expect(await json(['queue', 'list', '--db', other, '--schema', 'cli_schema'])).toEqual([])
    refused(await perdureCli(['workflow', 'list', '--db', other]), 1, /schema "dbos" .* has no system tables: run `perdure migrate`/i)
  })

  it('resets: refuses without -y and a terminal, drops only the system schema with -y, and migrate makes it again', async () => {
    const fresh = db.fresh()
    expect((await perdureCli(['migrate', '--db', fresh])).code).toBe(0)
    const sql = postgres(fresh, { max: 1, onnotice: () => {} })
    try {
      // The application's own table beside the system tables, in the same database.
      await sql.unsafe('CREATE TABLE public.app_orders (id int); INSERT INTO public.app_orders VALUES (1)')
      refused(await perdureCli(['reset', '--db', fresh]), 2, /not a terminal.*pass -y/)
      expect(await json(['workflow', 'list', '--db', fresh])).toEqual([])

      const reset = await perdureCli(['reset', '-y', '--db', fresh])
      expect({ code: reset.code, stderr: reset.stderr }).toEqual({ code: 0, stderr: '' })
      expect(reset.stdout).toMatch(/^Dropped schema "dbos" of postgres:/)
      expect(await sql`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'dbos'`).toEqual([{ n: 0 }])
      expect(await sql`SELECT id FROM public.app_orders`).toEqual([{ id: 1 }])
      refused(await perdureCli(['workflow', 'list', '--db', fresh]), 1, /has no system tables/)

      expect((await perdureCli(['migrate', '--db', fresh])).code).toBe(0)
      expect(await json(['workflow', 'list', '--db', fresh])).toEqual([])
    } finally {
      await sql.end({ timeout: 5 })
    }
  })

  it('prints the fresh install, which applies to an empty database as migrate would create it, and the grants', async () => {
    const printed = await perdureCli(['schema', '--print-migrations', 'all', '-s', 'cli_printed'])
    expect({ code: printed.code, stderr: printed.stderr }).toEqual({ code: 0, stderr: '' })
    const fresh = db.fresh()
    expect((await perdureCli(['migrate', '--db', fresh])).code).toBe(0)
    const role = `perdure_cli_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
    const sql = postgres(fresh, { max: 1, onnotice: () => {} })
    try {
      await sql.unsafe(printed.stdout)
      const migrated = await perdureCli(['migrate', '--db', fresh, '--schema', 'cli_printed'])
      expect(migrated.stdout).toMatch(/schema "cli_printed" .* current version/)
      expect(await sql`SELECT version::int FROM cli_printed.dbos_migrations`).toEqual([{ version: 123 }])
      // Column for column, index for index and function for function what `migrate` made in schema dbos.
      const shape = async (schema: string) => ({
        columns: await sql`SELECT table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns
                            WHERE table_schema = ${schema} ORDER BY 1, 2`,
        indexes: await sql`SELECT indexname, replace(indexdef, ' ON ' || ${schema} || '.', ' ON ') AS def FROM pg_indexes
                            WHERE schemaname = ${schema} ORDER BY 1`,
        functions: await sql`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ${schema} ORDER BY 1`,
      })
      const [printedShape, migratedShape] = [await shape('cli_printed'), await shape('dbos')]
      expect(printedShape.columns.map((c) => ({ ...c, column_default: String(c.column_default).replace('cli_printed', 'dbos') })))
        .toEqual(migratedShape.columns.map((c) => ({ ...c, column_default: String(c.column_default) })))
      expect(printedShape.indexes).toEqual(migratedShape.indexes)
      expect(printedShape.functions).toEqual(migratedShape.functions)

      // The grants, printed and then run by `schema -r`.
      await sql.unsafe(`CREATE ROLE ${role}`)
      const grants = await perdureCli(['schema', '--print-user-role', '-r', role, '-s', 'cli_printed'])
      expect(grants.stdout).toMatch(new RegExp(`^GRANT USAGE ON SCHEMA "cli_printed" TO "${role}";$`, 'm'))
      await sql.unsafe(grants.stdout)
      expect((await perdureCli(['schema', fresh, '-r', role])).code).toBe(0)
      const [can] = await sql`SELECT has_table_privilege(${role}, 'cli_printed.workflow_status', 'INSERT') AS printed,
                                     has_table_privilege(${role}, 'dbos.workflow_status', 'INSERT') AS granted`
      expect(can).toEqual({ printed: true, granted: true })
    } finally {
      await sql.unsafe(`DROP OWNED BY ${role}`).catch(() => {})
      await sql.unsafe(`DROP ROLE IF EXISTS ${role}`).catch(() => {})
      await sql.end({ timeout: 5 })
    }
  })

  it('refuses an unknown workflow ID and a bad schema name with exit code 2', async () => {
    refused(await perdureCli(['workflow', 'get', 'cli-none', '--db', url]), 2, /No workflow with ID "cli-none"/)
    refused(await perdureCli(['workflow', 'steps', 'cli-none', '--db', url]), 2, /No workflow with ID "cli-none"/)
    refused(await perdureCli(['workflow', 'resume', 'cli-none', '--db', url]), 2, /cli-none/)
    refused(await perdureCli(['workflow', 'list', '--db', url, '--schema', 'no-dashes']), 2, /Invalid schema name/)
  })
})

describeOn('postgres', 'perdure rename-application', (db) => {
  let url = ''
  beforeAll(() => {
    url = db.fresh()
  })
  afterAll(async () => {
    await Child.killAll()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('gives the new name the old one\'s workflows: an app launched under it lists them and finishes the pending one', async () => {
    DBOS.setConfig({ name: 'cli-old-name', systemDatabaseUrl: url, applicationVersion: 'cli-rn-v1' })
    await DBOS.launch()
    expect(await DBOS.startWorkflow(twoSteps, { workflowID: 'rn-done' })(1).then((h) => h.getResult())).toEqual({ a: 2, b: 4 })
    await DBOS.startWorkflow(waiting, { workflowID: 'rn-wait' })()
    await waitFor('the workflow to wait for its message', async () => ((await DBOS.listWorkflowSteps('rn-wait'))?.length ?? 0) >= 2 || undefined)
    await DBOS.shutdown()

    // Under the new name nothing is there yet.
    expect(await json(['workflow', 'list', '--db', url, '-a', 'cli-new-name'])).toEqual([])
    refused(await perdureCli(['rename-application', '-f', 'cli-old-name', '-t', 'cli-new-name', '--db', url]), 2, /not a terminal.*pass -y/)
    const moved = await json<Record<string, number>>(
      ['rename-application', '-f', 'cli-old-name', '-t', 'cli-new-name', '--batch-size', '1', '-y', '--db', url])
    expect(moved).toMatchObject({ workflows: 2, versions: 1 })
    expect(moved.steps).toBeGreaterThanOrEqual(3)
    expect(moved.queues).toBeGreaterThanOrEqual(1)
    const listed = await json<StatusJson[]>(['workflow', 'list', '--db', url, '-a', 'cli-new-name'])
    expect(listed.map((w) => w.workflowID).sort()).toEqual(['rn-done', 'rn-wait'])
    const table = await perdureCli(['rename-application', '-f', 'cli-old-name', '-t', 'cli-new-name', '-y', '--db', url])
    expect(table.stdout).toMatch(/^workflows:\s+0$/m)

    DBOS.setConfig({ name: 'cli-new-name', systemDatabaseUrl: url, applicationVersion: 'cli-rn-v1' })
    await DBOS.launch()
    expect((await DBOS.listWorkflows({ workflowName: 'cliTwoSteps' })).map((w) => w.workflowID)).toEqual(['rn-done'])
    // Recovered under the new name, the waiting workflow takes its message and finishes.
    await waitFor('rn-wait to run again', async () => launchedSystem()!.engine.localOutcome('rn-wait') !== undefined || undefined, 30_000)
    await DBOS.send('rn-wait', 'renamed', 'go')
    expect(await DBOS.retrieveWorkflow('rn-wait').getResult()).toBe('renamed')
  })
})

describeOn('pglite', 'perdure CLI: bad input, help, and an embedded database', () => {
  let dir = ''
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'perdure-cli-'))
  })
  afterAll(async () => {
    await Child.killAll()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses bad input with exit code 2 and one message, no stack trace', async () => {
    const pg = 'postgres://postgres@127.0.0.1:5432/perdure_cli_never_opened'
    const cases: [string[], RegExp][] = [
      [[], /Usage: perdure <command>/],
      [['frobnicate'], /unknown command: frobnicate/],
      [['workflow', 'frobnicate'], /unknown command: workflow frobnicate/],
      [['workflow'], /Usage: perdure workflow <command>/],
      [['workflow', 'list', '--bogus'], /Unknown option --bogus/],
      [['workflow', 'list', '-Z', 'x'], /Unknown option -Z/],
      [['workflow', 'list'], /No system database URL: pass --db <url>.*DBOS_SYSTEM_DATABASE_URL/],
      [['workflow', 'list', '--db'], /Option --db needs a value/],
      [['workflow', 'list', '--db', pg, '--limit', 'ten'], /--limit must be a whole number/],
      [['workflow', 'list', '--db', pg, '--status', 'DONE'], /status: must be one of/],
      [['workflow', 'list', '--db', pg, '--start-time', 'yesterday'], /startTime: must be an RFC 3339 timestamp/],
      [['workflow', 'list', '--db', pg, '-s', pg], /Give the system database URL once/],
      [['workflow', 'list', '--db', 'memory://'], /memory:\/\/ database exists only inside the process/],
      [['workflow', 'list', '--db', 'mysql://x/y'], /Not a system database URL/],
      [['workflow', 'get', '--db', pg], /Missing argument <workflowID>/],
      [['workflow', 'get', '', '--db', pg], /workflow ID must not be empty/],
      [['workflow', 'get', 'a', 'b', '--db', pg], /Unexpected argument "b"/],
      [['workflow', 'fork', 'x', '--db', pg], /Missing option --step/],
      [['workflow', 'fork', 'x', '--step', '-1', '--db', pg], /--step must be a whole number from 0/],
      [['workflow', 'list', '--json=yes', '--db', pg], /Option --json takes no value/],
    ]
    const runs = await Promise.all(cases.map(([args]) => perdureCli(args)))
    runs.forEach((run, i) => refused(run, 2, cases[i]![1]))
  })

  it('refuses bad input to reset, rename-application and schema printing, before connecting', async () => {
    const pg = 'postgres://postgres@127.0.0.1:5432/perdure_cli_never_opened'
    const cases: [string[], RegExp][] = [
      [['reset', '--db', pg], /not a terminal, so nobody can confirm: pass -y/],
      [['rename-application', '-f', 'a', '--db', pg], /Missing option --to/],
      [['rename-application', '-t', 'b', '-y', '--db', pg], /Nothing to re-own: pass --from, --adopt-unclaimed-rows, or both/],
      [['rename-application', '-f', 'b', '-t', 'b', '-y', '--db', pg], /--from and --to are both "b"/],
      [['rename-application', '-f', 'a', '-t', 'b', '--batch-size', '0', '-y', '--db', pg], /--batch-size must be a whole number from 1/],
      [['schema', '--print-migrations', 'some'], /--print-migrations takes 'all' or a migration number/],
      [['schema', '--print-migrations', '50'], /shared migrations 100 to 123/],
      [['schema', '--print-migrations', '124'], /from 1 to 123/],
      [['schema', '--print-user-role'], /--print-user-role needs --app-role/],
      [['schema', '--print-user-role', '-r', 'x', '--print-migrations', 'all'], /cannot be combined/],
      [['schema', '--print-migrations', 'all', '-s', 'no-dashes'], /Invalid schema name/],
    ]
    const runs = await Promise.all(cases.map(([args]) => perdureCli(args)))
    runs.forEach((run, i) => refused(run, 2, cases[i]![1]))
  })

  it('says so, with exit code 1, when the database cannot be reached', async () => {
    const run = await perdureCli(['workflow', 'list', '--db', 'postgres://postgres@127.0.0.1:1/nothing'])
    refused(run, 1, /Cannot connect to the system database at postgres:\/\/postgres@127\.0\.0\.1:1\/nothing/)
  })

  it('prints help for the whole command and for each command', async () => {
    const [all, list, fork, group, helpWord] = await Promise.all([
      perdureCli(['--help']),
      perdureCli(['workflow', 'list', '--help']),
      perdureCli(['wf', 'fork', '-h']),
      perdureCli(['workflow', '--help']),
      perdureCli(['help', 'queue', 'list']),
    ])
    for (const run of [all, list, fork, group, helpWord]) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' })
    expect(all.stdout).toMatch(/^ {2}workflow fork\s/m)
    expect(all.stdout).toMatch(/^ {2}migrate\s/m)
    expect(list.stdout).toMatch(/^Usage: perdure workflow list \[options\]/)
    expect(list.stdout).toMatch(/-s, --sys-db-url <url>/)
    expect(fork.stdout).toMatch(/-S, --step <n>/)
    expect(fork.stdout).toMatch(/-f, --forked-workflow-id <id>/)
    expect(group.stdout).toMatch(/^ {2}workflow resume\s/m)
    expect(helpWord.stdout).toMatch(/-q, --queue <name>/)
  })

  it('migrates an embedded database, lists it, resets it and migrates it again', async () => {
    const url = `file:${join(dir, 'embedded')}`
    const migrated = await perdureCli(['migrate', '--db', url])
    expect({ code: migrated.code, stderr: migrated.stderr }).toEqual({ code: 0, stderr: '' })
    expect(await json(['workflow', 'list', '--db', url])).toEqual([])

    expect((await perdureCli(['reset', '--yes', '--db', url])).code).toBe(0)
    refused(await perdureCli(['workflow', 'list', '--db', url]), 1, /has no system tables/)
    expect((await perdureCli(['migrate', '--db', url])).code).toBe(0)
    expect(await json(['workflow', 'list', '--db', url])).toEqual([])
  })
})
