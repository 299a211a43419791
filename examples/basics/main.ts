// The guide's first example: a workflow of two steps, run once, then shutdown.
//   node --import tsx examples/basics/main.ts | bun examples/basics/main.ts | deno run -A examples/basics/main.ts
// In an application, import from 'perdure' instead of the relative path.
import { DBOS } from '../../adapters/auto/mod.ts'

async function stepOne(): Promise<void> {
  DBOS.logger.info('Step one completed!')
}

async function stepTwo(): Promise<void> {
  DBOS.logger.info('Step two completed!')
}

async function exampleFunction(): Promise<string> {
  await DBOS.runStep(() => stepOne(), { name: 'stepOne' })
  await DBOS.runStep(() => stepTwo(), { name: 'stepTwo' })
  return `workflow ${DBOS.workflowID} done`
}
const exampleWorkflow = DBOS.registerWorkflow(exampleFunction)

async function main(): Promise<void> {
  // No systemDatabaseUrl: DBOS_SYSTEM_DATABASE_URL if set, else embedded PGlite in .perdure/basics/.
  DBOS.setConfig({ name: 'basics' })
  await DBOS.launch()
  console.log(await exampleWorkflow())
  await DBOS.shutdown()
}

await main()
