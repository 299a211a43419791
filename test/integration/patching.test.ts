// Patching (docs/sysdb.md §3.11): old executions keep the old path, new ones take the patched one.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSInvalidWorkflowTransitionError } = perdure

let code: 'original' | 'patched' | 'deprecated' = 'original'
let blockBar = false
const step = (name: string) => DBOS.runStep(async () => name, { name })

const upgraded = DBOS.registerWorkflow(async () => {
  const path: string[] = []
  if (code === 'original') path.push(await step('foo'))
  else if (code === 'patched') path.push(await ((await DBOS.patch('use-baz')) ? step('baz') : step('foo')))
  else {
    await DBOS.deprecatePatch('use-baz')
    path.push(await step('baz'))
  }
  path.push(await DBOS.runStep(() => (blockBar ? new Promise<string>(() => {}) : 'bar'), { name: 'bar' }))
  return path
}, { name: 'upgraded' })

describeEachDatabase('patching', (db) => {
  let url: string
  const launch = async (enablePatching: boolean) => {
    await DBOS.shutdown()
    DBOS.setConfig({ name: 'patching', systemDatabaseUrl: url, enablePatching })
    await DBOS.launch()
  }
  beforeAll(async () => {
    url = db.persistent()
    await launch(true)
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('keeps executions started before a patch on the old path and sends new ones down the new path', async () => {
    expect(DBOS.applicationVersion).toBe('PATCHING_ENABLED')
    code = 'original'
    blockBar = true
    const old = await DBOS.startWorkflow(upgraded)()
    for (let i = 0; i < 200 && ((await DBOS.listWorkflowSteps(old.workflowID)) ?? []).length < 1; i++) await new Promise((r) => setTimeout(r, 10))
    blockBar = false
    code = 'patched'
    await launch(true) // the old execution is recovered under the patched code
    expect(await DBOS.retrieveWorkflow(old.workflowID).getResult()).toEqual(['foo', 'bar'])
    const fresh = await DBOS.startWorkflow(upgraded)()
    expect(await fresh.getResult()).toEqual(['baz', 'bar'])
    expect((await DBOS.listWorkflowSteps(fresh.workflowID))?.map((s) => s.name)).toEqual(['DBOS.patch-use-baz', 'baz', 'bar'])
  })

  it('steps over the marker once the patch is deprecated', async () => {
    code = 'patched'
    blockBar = true
    const patched = await DBOS.startWorkflow(upgraded)()
    for (let i = 0; i < 200 && ((await DBOS.listWorkflowSteps(patched.workflowID)) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    blockBar = false
    code = 'deprecated'
    await launch(true)
    expect(await DBOS.retrieveWorkflow(patched.workflowID).getResult()).toEqual(['baz', 'bar'])
    const fresh = await DBOS.startWorkflow(upgraded)()
    expect(await fresh.getResult()).toEqual(['baz', 'bar'])
    expect((await DBOS.listWorkflowSteps(fresh.workflowID))?.map((s) => s.name)).toEqual(['baz', 'bar'])
  })

  it('refuses DBOS.patch unless patching is enabled', async () => {
    await launch(false)
    code = 'patched'
    const handle = await DBOS.startWorkflow(upgraded)()
    await expect(handle.getResult()).rejects.toThrow(DBOSInvalidWorkflowTransitionError)
  })
})
