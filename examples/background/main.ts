// The guide's "Starting workflows in the background" and "Workflow IDs and idempotency" examples:
// start a workflow, get its handle back by ID, and see that a second start with the same ID does not run
// it again.
//   node --import tsx examples/background/main.ts | bun examples/background/main.ts | deno run -A examples/background/main.ts
import { DBOS } from '../../adapters/auto/mod.ts'

let executions = 0

async function concatenate(var1: string, var2: string): Promise<string> {
  const joined = await DBOS.runStep(() => {
    executions++
    return var1 + var2
  }, { name: 'join' })
  await DBOS.sleep(100)
  return joined
}
const exampleWorkflow = DBOS.registerWorkflow(concatenate, { name: 'exampleWorkflow' })

async function main(): Promise<void> {
  DBOS.setConfig({ name: 'background' })
  await DBOS.launch()

  const myID = `background-${crypto.randomUUID()}`
  const handle = await DBOS.startWorkflow(exampleWorkflow, { workflowID: myID })('one', 'two')
  console.log(`started ${handle.workflowID}`)

  // Anyone who knows the ID can wait for the result, even from another process.
  const result = await DBOS.retrieveWorkflow<string>(myID).getResult()
  console.log(`result: ${result}`)

  // The ID is an idempotency key: this start finds the finished workflow and does not run it again.
  const again = await DBOS.startWorkflow(exampleWorkflow, { workflowID: myID })('three', 'four')
  console.log(`second start returned: ${await again.getResult()}; the step ran ${executions} time(s)`)
  console.log(`status: ${(await handle.getStatus())?.status}`)
  await DBOS.shutdown()
}

await main()
