// `npm run bench -- [--runtime=node|bun|deno] [...]`: runs bench/engine.ts on the chosen runtime (default
// node), so the same benchmark can be compared across runtimes on one machine.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const runtime = args.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length) ?? 'node'
const bin = (name) => join(root, 'node_modules', '.bin', name)
const commands = {
  node: [process.execPath, ['--import', 'tsx', 'bench/engine.ts']],
  bun: [bin('bun'), ['bench/engine.ts']],
  deno: [bin('deno'), ['run', '-A', '--no-check', 'bench/engine.ts']],
}
const command = commands[runtime]
if (!command) {
  console.error(`--runtime must be one of ${Object.keys(commands).join(', ')}, got ${runtime}`)
  process.exit(2)
}
const [cmd, base] = command
const child = spawn(cmd, [...base, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PERDURE_BENCH_RUNTIME: runtime },
})
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)))
