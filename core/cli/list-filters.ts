import { DBOSError } from '../errors.ts'
import { type GetWorkflowsInput, parseListInput } from '../management/list-input.ts'
import { text, wholeNumber } from './args.ts'
import { type OptionSpec, type ParsedArgs, UsageError } from './command.ts'

// The filters `workflow list` and `queue list` share, with the letters of DBOS's `dbos`.

const STATUSES = 'PENDING, SUCCESS, ERROR, ENQUEUED, DELAYED, CANCELLED or MAX_RECOVERY_ATTEMPTS_EXCEEDED'

export const FILTER_OPTIONS: readonly OptionSpec[] = [
  { name: 'name', short: 'n', value: 'name', description: 'Only workflows of this function name' },
  { name: 'start-time', short: 't', value: 'time', description: 'Only workflows created at or after this time (ISO 8601)' },
  { name: 'end-time', short: 'e', value: 'time', description: 'Only workflows created at or before this time (ISO 8601)' },
  { name: 'status', short: 'S', value: 'status', description: `Only workflows with this status: ${STATUSES}` },
  { name: 'application-name', short: 'a', value: 'name', description: 'Only workflows of this application (and unnamed ones)' },
  { name: 'offset', value: 'n', description: 'Skip this many workflows first' },
  { name: 'sort-desc', description: 'Newest first' },
  { name: 'json', description: 'Print compact JSON instead of a table' },
]

/** The listing filters the arguments give, checked (exit code 2 for a bad one); `defaultLimit` applies without --limit. */
export function listInput(args: ParsedArgs, defaultLimit: number | undefined): GetWorkflowsInput {
  const limit = text(args, 'limit')
  const offset = text(args, 'offset')
  const input: GetWorkflowsInput = {
    workflowName: text(args, 'name'),
    startTime: text(args, 'start-time'),
    endTime: text(args, 'end-time'),
    status: text(args, 'status') as GetWorkflowsInput['status'],
    limit: limit === undefined ? defaultLimit : wholeNumber('--limit', limit),
    offset: offset === undefined ? undefined : wholeNumber('--offset', offset),
    sortDesc: args.options['sort-desc'] === true ? true : undefined,
  }
  try {
    return parseListInput(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)))
  } catch (e) {
    if (e instanceof DBOSError) throw new UsageError(e.message)
    throw e
  }
}
