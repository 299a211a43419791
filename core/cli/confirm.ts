import type { CliContext, OptionSpec, ParsedArgs } from './command.ts'
import { UsageError } from './command.ts'

/** -y/--yes, as DBOS's `dbos` spells it. */
export const YES_OPTION: OptionSpec = { name: 'yes', short: 'y', description: 'Do it without asking for confirmation' }

/**
 * Whether to go ahead with a destructive command: at once with -y, else on a yes from the terminal. Without a
 * terminal and without -y it refuses (exit code 2): a script must say -y rather than hang or guess.
 */
export async function confirmed(ctx: CliContext, args: ParsedArgs, question: string): Promise<boolean> {
  if (args.options.yes === true) return true
  const answer = await ctx.confirm(`${question} (y/N) `)
  if (answer === undefined) throw new UsageError('Standard input is not a terminal, so nobody can confirm: pass -y (--yes) to go ahead')
  if (!answer) ctx.out('Cancelled: nothing changed.\n')
  return answer
}
