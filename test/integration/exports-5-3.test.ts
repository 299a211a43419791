// What DBOS 5.3 exports beside DBOS and DBOSClient: its `Error` namespace (compared with the installed 5.3.0's
// error module: codes, constants, the fields each class sets), StatusString, DebouncerClient; and its
// registration and getEvent rules.
import * as transact from '@dbos-inc/dbos-sdk/internal/error'
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSClient, DebouncerClient, Error: Errors, PortableWorkflowError, StatusString } = perdure

/** Arguments for each error class of the namespace, in its 5.3 constructor's order. */
const constructorArgs: Record<string, unknown[]> = {
  DBOSError: ['message', 7],
  DBOSInitializationError: ['message', new Error('cause')],
  DBOSWorkflowConflictError: ['wf'],
  DBOSNotRegisteredError: ['fn', 'full message'],
  DBOSNonExistentWorkflowError: ['message'],
  DBOSMaxRecoveryAttemptsExceededError: ['wf', 5],
  DBOSExecutorNotInitializedError: [],
  DBOSInvalidWorkflowTransitionError: ['message'],
  DBOSConflictingWorkflowError: ['wf', 'message'],
  DBOSMaxStepRetriesError: ['step', 3, [new Error('a'), new Error('b')]],
  DBOSWorkflowCancelledError: ['wf'],
  DBOSConflictingRegistrationError: ['message'],
  DBOSUnexpectedStepError: ['wf', 4, 'expected', 'recorded'],
  DBOSAwaitedWorkflowCancelledError: ['wf'],
  DBOSQueueDuplicatedError: ['wf', 'queue', 'dedup'],
  DBOSInvalidQueuePriorityError: [-1, 0, 10],
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts: ['wf'],
  DBOSStepTimeoutError: ['step', 250],
  DBOSInvalidWorkflowInputError: ['message', new Error('cause')],
  DBOSStreamTimeoutError: ['wf', 'key', 1000],
  DBOSStreamNondeterminismError: ['wf', 'key'],
  DBOSQueryTimeoutError: [5000],
  DBOSWorkflowIDInUseError: ['wf', 'SUCCESS', 'name'],
  DBOSStepNondeterminismError: ['wf', 2],
}

type ErrorClass = new (...args: unknown[]) => Error & Record<string, unknown>

describe('the Error namespace', () => {
  const theirs = transact as unknown as Record<string, unknown>
  const ours = Errors as unknown as Record<string, unknown>

  it('has every member of DBOS 5.3.0 error module, and nothing else', () => {
    // Less the keys each runtime's CommonJS interop adds to the imported module.
    const interop = new Set(['__esModule', 'default', 'module.exports'])
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).filter((k) => !interop.has(k)).sort())
  })

  it('has its code constants, with the same values', () => {
    const constants = Object.keys(theirs).filter((k) => typeof theirs[k] === 'number')
    expect(constants.length).toBe(7)
    for (const name of constants) expect([name, ours[name]]).toEqual([name, theirs[name]])
  })

  it('gives each error class the same code and fields for the same arguments', () => {
    const classes = Object.keys(theirs).filter((k) => typeof theirs[k] === 'function' && /^DBOS/.test(k))
    expect(classes.sort()).toEqual(Object.keys(constructorArgs).sort())
    for (const name of classes) {
      const args = constructorArgs[name]!
      const them = new (theirs[name] as ErrorClass)(...args)
      const us = new (ours[name] as ErrorClass)(...args)
      expect(us).toBeInstanceOf(Errors.DBOSError)
      // Every field 5.3 sets (its code included), with the same value; the messages are Perdure's own.
      for (const field of Object.keys(them).filter((f) => f !== 'name')) {
        expect([name, field, us[field]]).toEqual([name, field, them[field]])
      }
      expect(us.name).toBe(name)
    }
  })

  it('holds the same classes as the top-level exports', () => {
    expect(Errors.DBOSError).toBe(perdure.DBOSError)
    expect(Errors.DBOSConflictingRegistrationError).toBe(perdure.DBOSConflictingRegistrationError)
    expect(Errors.getDBOSErrorCode).toBe(perdure.getDBOSErrorCode)
  })

  it('matches stream timeouts and workflow-ID rejections, revived ones too', () => {
    const { isStreamTimeoutError, isWorkflowIDInUseError, getDBOSErrorCode } = Errors
    expect(isStreamTimeoutError(new Errors.DBOSStreamTimeoutError('wf', 'key'))).toBe(true)
    expect(isStreamTimeoutError(new PortableWorkflowError('m', 'DBOSStreamTimeoutError'))).toBe(true)
    expect(isStreamTimeoutError(new Error('DBOSStreamTimeoutError'))).toBe(false)
    expect(isStreamTimeoutError(new Errors.DBOSWorkflowIDInUseError('wf', 'SUCCESS', 'n'))).toBe(false)
    expect(isWorkflowIDInUseError(new Errors.DBOSWorkflowIDInUseError('wf', 'SUCCESS', 'n'))).toBe(true)
    expect(isWorkflowIDInUseError(new PortableWorkflowError('m', 'DBOSWorkflowIDInUseError'))).toBe(true)
    expect(isWorkflowIDInUseError(undefined)).toBe(false)
    expect(getDBOSErrorCode(new Errors.DBOSQueryTimeoutError(10))).toBe(Errors.QueryTimeout)
    expect(getDBOSErrorCode(new Error('plain'))).toBeUndefined()
  })

  it('keeps the guide spellings of the constructors working', () => {
    const cause = new Error('underneath')
    const init = new Errors.DBOSInitializationError('failed', { cause })
    expect(init.cause).toBe(cause)
    expect(init.error).toBeUndefined()
    expect(new Errors.DBOSInitializationError('failed', cause).cause).toBe(cause)
    expect(new Errors.DBOSInvalidWorkflowTransitionError().message).toBe('Invalid workflow state')
    expect(new Errors.DBOSMaxRecoveryAttemptsExceededError('wf').message).toMatch(/maximum number of/)
  })
})

describe('StatusString', () => {
  it('names every workflow status', () => {
    expect(Object.values(StatusString).sort()).toEqual(
      ['CANCELLED', 'DELAYED', 'ENQUEUED', 'ERROR', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'PENDING', 'SUCCESS'],
    )
    for (const [key, value] of Object.entries(StatusString)) expect(key).toBe(value)
  })
})

DBOS.registerWorkflow(async (...args: unknown[]) => args.join('+'), { name: 'exportsEcho' })

const readInStep = DBOS.registerWorkflow(async (target: string) => {
  return await DBOS.runStep(async () => {
    try {
      await DBOS.getEvent(target, 'k', 0)
      return 'allowed'
    } catch (e) {
      return (e as Error).name
    }
  }, { name: 'readEvent' })
}, { name: 'exportsReadInStep' })

const readInWorkflow = DBOS.registerWorkflow(async (target: string) => await DBOS.getEvent<string>(target, 'k', 5), {
  name: 'exportsReadInWorkflow',
})

const setter = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('k', 'v')
}, { name: 'exportsSetEvent' })

describeEachDatabase('DBOS 5.3 rules and DebouncerClient', (db) => {
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  beforeAll(async () => {
    const url = db.fresh()
    DBOS.setConfig({ name: 'exports-app', systemDatabaseUrl: url })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'exports-app' })
  })
  afterAll(async () => {
    await client?.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('refuses a workflow registered after launch with DBOSConflictingRegistrationError', () => {
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'exportsLate' }))
      .toThrow(Errors.DBOSConflictingRegistrationError)
  })

  it('refuses a step registered with DBOS.registerStep after launch', () => {
    expect(() => DBOS.registerStep(async () => 1, { name: 'exportsLateStep' }))
      .toThrow(Errors.DBOSConflictingRegistrationError)
  })

  it('refuses a class with a decorated step or workflow defined after launch', () => {
    expect(() => {
      class LateSteps {
        @DBOS.step()
        static async late() {
          return 1
        }
      }
      return LateSteps
    }).toThrow(Errors.DBOSConflictingRegistrationError)
    expect(() => {
      class LateWorkflows {
        @DBOS.workflow()
        static async late() {
          return 1
        }
      }
      return LateWorkflows
    }).toThrow(Errors.DBOSConflictingRegistrationError)
  })

  it('refuses DBOS.getEvent inside a step, and allows it in a workflow and outside', async () => {
    const target = await DBOS.startWorkflow(setter, { workflowID: `exports-setter-${db.name}` })()
    await target.getResult()
    expect(await (await DBOS.startWorkflow(readInStep)(target.workflowID)).getResult())
      .toBe('DBOSInvalidWorkflowTransitionError')
    expect(await (await DBOS.startWorkflow(readInWorkflow)(target.workflowID)).getResult()).toBe('v')
    expect(await DBOS.getEvent(target.workflowID, 'k', 0)).toBe('v')
  })

  it('DebouncerClient runs the named workflow once, with the last arguments', async () => {
    const debouncer = new DebouncerClient(client, { workflowName: 'exportsEcho' })
    expect(debouncer.client).toBe(client)
    const key = `key-${db.name}`
    const first = await debouncer.debounce(key, 1500, 'a', 1)
    const second = await debouncer.debounce(key, 300, 'b', 2)
    expect(second.workflowID).toBe(first.workflowID)
    expect(await second.getResult()).toBe('b+2')
    // Once the workflow has started, the key debounces a new one.
    const third = await debouncer.debounce(key, 50, 'c')
    expect(third.workflowID).not.toBe(first.workflowID)
    expect(await third.getResult()).toBe('c')
  })

  it('DebouncerClient honours debounceTimeoutMs, the start parameters and portable arguments', async () => {
    const debouncer = new DebouncerClient(client, {
      workflowName: 'exportsEcho',
      debounceTimeoutMs: 200,
      serializationType: 'portable',
      startWorkflowParams: { workflowID: `exports-pinned-${db.name}` },
    })
    const handle = await debouncer.debounce('pinned', 3_600_000, 'p')
    expect(handle.workflowID).toBe(`exports-pinned-${db.name}`)
    // The debounce timeout caps the hour-long period.
    expect(await handle.getResult()).toBe('p')
    expect((await client.getWorkflow(handle.workflowID))?.input).toEqual(['p'])
  })

  it('DebouncerClient refuses options a debounce owns, a bad period, and a key held by another workflow', async () => {
    const refused = [
      { enqueueOptions: { deduplicationID: 'd' } },
      { enqueueOptions: { priority: 1 } },
      { enqueueOptions: { queuePartitionKey: 'p' } },
    ]
    for (const startWorkflowParams of refused) {
      const debouncer = new DebouncerClient(client, { workflowName: 'exportsEcho', startWorkflowParams })
      await expect(debouncer.debounce('k', 100)).rejects.toBeInstanceOf(Errors.DBOSError)
    }
    const debouncer = new DebouncerClient(client, { workflowName: 'exportsEcho' })
    await expect(debouncer.debounce('k', 0)).rejects.toBeInstanceOf(Errors.DBOSError)
    expect(() => new DebouncerClient(client, { workflowName: '' })).toThrow(TypeError)

    // A workflow that is not a debounced one holds the key's deduplication ID (parked: no executor runs it).
    const held = await client.enqueue({
      workflowName: 'exportsEcho', queueName: '_dbos_internal_queue', deduplicationID: '.exportsEcho-held',
      appVersion: 'no-executor-runs-this',
    })
    await expect(debouncer.debounce('held', 100)).rejects.toBeInstanceOf(Errors.DBOSQueueDuplicatedError)
    await client.cancelWorkflow(held.workflowID)
  })
})
