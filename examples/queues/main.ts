// The guide's queue example: a workflow enqueues ten tasks on a queue and waits for all of them. The queue
// runs at most three at a time in this process.
//   node --import tsx examples/queues/main.ts | bun examples/queues/main.ts | deno run -A examples/queues/main.ts
import { DBOS, WorkflowQueue } from '../../adapters/auto/mod.ts'

const queue = new WorkflowQueue('example_queue', { workerConcurrency: 3 })

async function taskFunction(n: number): Promise<number> {
  await DBOS.sleep(200)
  DBOS.logger.info(`Task ${n} completed!`)
  return n * n
}
const taskWorkflow = DBOS.registerWorkflow(taskFunction, { name: 'taskWorkflow' })

async function queueFunction(): Promise<number[]> {
  DBOS.logger.info('Enqueueing tasks!')
  const handles = []
  for (let i = 0; i < 10; i++) {
    handles.push(await DBOS.startWorkflow(taskWorkflow, { queueName: queue.name })(i))
  }
  const results = []
  for (const h of handles) results.push(await h.getResult())
  DBOS.logger.info(`Successfully completed ${results.length} tasks`)
  return results
}
const queueWorkflow = DBOS.registerWorkflow(queueFunction, { name: 'queueWorkflow' })

DBOS.setConfig({ name: 'queues-example' })
await DBOS.launch()
const started = Date.now()
console.log(`results: ${(await queueWorkflow()).join(',')} in ${Date.now() - started} ms`)
await DBOS.shutdown()
