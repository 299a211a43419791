// Bad input gets a typed error that says what to fix, and the process keeps serving.
import { perdure } from '../support/perdure.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase, describeOn } from '../support/databases.ts'

const { DBOS, DBOSConflictingRegistrationError, DBOSError, DBOSExecutorNotInitializedError, DBOSInitializationError, DBOSInvalidWorkflowInputError, DBOSInvalidWorkflowTransitionError, DBOSNotRegisteredError } = perdure

const echo = DBOS.registerWorkflow(async (value: unknown) => value, { name: 'echo' })

const startsFromStep = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => DBOS.startWorkflow(echo)(1), { name: 'bad' })
}, { name: 'startsFromStep' })

const unserializableResult = DBOS.registerWorkflow(async () => ({ callback: () => 1 }), { name: 'unserializableResult' })

describeOn('pglite', 'configuration and lifecycle', () => {
  it('names every invalid config field', () => {
    expect(() => DBOS.setConfig({ name: 'x', systemDatabasePoolSize: 0 })).toThrow(DBOSInitializationError)
    expect(() => DBOS.setConfig({ name: 'x', systemDatabasePoolSize: 0 })).toThrow(/systemDatabasePoolSize: must be at least 1/)
    expect(() => DBOS.setConfig({ systemDatabaseUrl: 'mysql://db/x' })).toThrow(/systemDatabaseUrl: must start with postgres:\/\//)
    expect(() => DBOS.setConfig({ logLevel: 'loud' })).toThrow(/logLevel: must be one of debug, info, warn, error/)
    expect(() => DBOS.setConfig({ systemDatabaseSchemaName: 'a;drop' })).toThrow(/systemDatabaseSchemaName: must be a Postgres identifier/)
    expect(() => DBOS.setConfig({ adminPort: 'x' as unknown as number })).toThrow(/adminPort/)
  })

  it('refuses a second workflow with the same name', () => {
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'echo' })).toThrow(DBOSConflictingRegistrationError)
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'echo' })).toThrow(/already registered/)
  })

  it('refuses to start an unregistered function', () => {
    expect(() => DBOS.startWorkflow(async () => 1)).toThrow(DBOSNotRegisteredError)
  })

  it('says DBOS is not launched when it is not', async () => {
    expect(() => DBOS.retrieveWorkflow('x')).toThrow(DBOSExecutorNotInitializedError)
    await expect(echo(1)).rejects.toThrow(/call DBOS.launch\(\) first/)
  })

  it('fails fast with a clear error when the database cannot be reached, then launches normally', async () => {
    DBOS.setConfig({ name: 'unreachable', systemDatabaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere' })
    const started = Date.now()
    const error = await DBOS.launch().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSInitializationError)
    expect((error as Error).message).toMatch(/Cannot connect to the system database at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere/)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(DBOS.isInitialized).toBe(false)
    DBOS.setConfig({ name: 'reachable', systemDatabaseUrl: 'memory://' })
    await DBOS.launch()
    expect(await echo('after')).toBe('after')
    await DBOS.shutdown()
  })
})

describeEachDatabase('bad input while running', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'bad-input', systemDatabaseUrl: db.fresh() })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('refuses registration after launch', () => {
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'late' })).toThrow(DBOSError)
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'late' })).toThrow(/after DBOS.launch\(\)/)
  })

  it('rejects non-serializable arguments, stores nothing, and keeps serving', async () => {
    const id = `bad-args-${crypto.randomUUID()}`
    const error = await DBOS.startWorkflow(echo, { workflowID: id })(() => 1).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSInvalidWorkflowInputError)
    expect((error as Error).message).toMatch(/Arguments of workflow 'echo' cannot be serialized: .*args\[0\].*function/)
    expect(await DBOS.getWorkflowStatus(id)).toBeNull()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    await expect(echo(circular)).rejects.toThrow(/circular/)
    expect(await echo({ fine: true })).toEqual({ fine: true })
  })

  it('fails a workflow whose result cannot be stored, with a clear error', async () => {
    const handle = await DBOS.startWorkflow(unserializableResult)()
    await expect(handle.getResult()).rejects.toThrow(/Result of workflow .* cannot be serialized/)
    expect((await handle.getStatus())?.status).toBe('ERROR')
  })

  it('refuses to start a workflow from inside a step', async () => {
    const handle = await DBOS.startWorkflow(startsFromStep)()
    await expect(handle.getResult()).rejects.toThrow(DBOSInvalidWorkflowTransitionError)
  })
})
