import type { CliCommand } from './command.ts'

/** Where the prompt for coding agents ships, from the package root (package.json "files", jsr.json include). */
export const PROMPT_PATH = 'skills/perdure/PROMPT.md'

/** `perdure prompt`: prints the guide a user pastes into a coding agent's context. */
export const promptCommand: CliCommand = {
  path: ['prompt'],
  summary: "Print the prompt that teaches a coding agent to write Perdure workflows (paste it into the agent's context)",
  options: [],
  async run(ctx) {
    if (!ctx.packageFile) throw new Error('This perdure bin cannot read the files of its package')
    ctx.out(await ctx.packageFile(PROMPT_PATH))
  },
}
