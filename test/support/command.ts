// How to run a TypeScript file as a child process on the runtime running the tests.

const g = globalThis as { Bun?: unknown; Deno?: unknown }

/** The command and arguments that run `script` (with `args`) on the current runtime. */
export function scriptCommand(script: string, args: readonly string[] = []): [string, string[]] {
  // process.execPath is the runtime's own binary on all three.
  if (g.Bun) return [process.execPath, [script, ...args]]
  if (g.Deno) return [process.execPath, ['run', '-A', '--no-check', script, ...args]]
  return [process.execPath, ['--import', 'tsx', script, ...args]]
}
