import { listQueuedWorkflows } from '../management/inspect.ts'
import { Serialization } from '../serialization/serializer.ts'
import { text } from './args.ts'
import type { CliCommand } from './command.ts'
import { DATABASE_OPTIONS, withSystem } from './connection.ts'
import { FILTER_OPTIONS, listInput } from './list-filters.ts'
import { printWorkflows } from './workflow-commands.ts'

export const QUEUE_COMMANDS: readonly CliCommand[] = [
  {
    path: ['queue', 'list'],
    // Where DBOS's `dbos` has it.
    alsoAt: [['workflow', 'queue', 'list']],
    summary: 'List the workflows waiting on or running from a queue (ENQUEUED, PENDING or DELAYED)',
    options: [
      { name: 'queue', short: 'q', value: 'name', description: 'Only workflows on this queue' },
      { name: 'limit', short: 'l', value: 'n', description: 'At most this many (default: all)' },
      ...FILTER_OPTIONS, ...DATABASE_OPTIONS,
    ],
    async run(ctx, args) {
      const input = { ...listInput(args, undefined), queueName: text(args, 'queue') }
      const load = args.options.json ? {} : { loadInput: false }
      const workflows = await withSystem(ctx, args, { appName: text(args, 'application-name') },
        (sys) => listQueuedWorkflows(sys, new Serialization(), { ...input, ...load }))
      printWorkflows(ctx, args, workflows)
    },
  },
]
