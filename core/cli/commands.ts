import { mcpCommand } from '../mcp/command.ts'
import { ADMIN_COMMANDS } from './admin-commands.ts'
import type { CliCommand } from './command.ts'
import { dashboardCommand } from './dashboard-command.ts'
import { promptCommand } from './prompt-command.ts'
import { QUEUE_COMMANDS } from './queue-commands.ts'
import { SCHEMA_COMMANDS } from './schema-commands.ts'
import { WORKFLOW_COMMANDS } from './workflow-commands.ts'

/** Every `perdure` command, in the order help lists them. A new command is one more entry here. */
export const COMMANDS: readonly CliCommand[] = [...SCHEMA_COMMANDS, ...ADMIN_COMMANDS, ...WORKFLOW_COMMANDS, ...QUEUE_COMMANDS, dashboardCommand, mcpCommand, promptCommand]

/** Other spellings of a command word, as DBOS's `dbos` accepts them. */
export const WORD_ALIASES: Readonly<Record<string, string>> = { workflows: 'workflow', wf: 'workflow', queues: 'queue', q: 'queue' }
