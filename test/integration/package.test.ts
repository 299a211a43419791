// The npm package as users get it. The packed tarball, installed into a scratch project outside the
// repository, must run a workflow on Node, Bun and Deno, and on each of them the "." export must
// resolve, by the `node`, `bun` and `deno` conditions, to that runtime's own entry point. The
// in-repo tests cannot see any of this: dist/, and `files`, `exports` and `dependencies`.
// It drives all three runtimes itself, so it is declared only when the test runner is Node, which
// makes it run once per `npm test`.
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, skipOn } from '../support/databases.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const APP = join(root, 'test', 'fixtures', 'package-app', 'app.mjs')
// The pack, with its prepack build, takes about 8 s, the install about 2 s from the npm cache, an app run about 2 s (mostly
// PGlite starting). These limits only stop a hang.
const PACK_TIMEOUT_MS = 180_000
const INSTALL_TIMEOUT_MS = 120_000
const APP_TIMEOUT_MS = 60_000

const onNode = !('Bun' in globalThis) && !('Deno' in globalThis)

interface Run {
  readonly label: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

interface Runtime {
  readonly name: 'node' | 'bun' | 'deno'
  /** The command that runs a script; the script's path and arguments go after it. */
  readonly command: readonly [string, ...string[]]
}

const bin = (name: string): string => join(root, 'node_modules', '.bin', name)

const runtimes: readonly Runtime[] = [
  { name: 'node', command: [process.execPath] },
  { name: 'bun', command: [bin('bun')] },
  // Deno resolves `perdure` from the scratch project's node_modules, as in a Deno user's npm
  // project; `manual` says so explicitly, and forbids Deno to install anything itself.
  // https://docs.deno.com/runtime/fundamentals/configuration/#node-modules-directory
  { name: 'deno', command: [bin('deno'), 'run', '-A', '--node-modules-dir=manual'] },
]

/** What app.mjs reports of its three-step workflow, whatever the runtime. */
const expectedRun = {
  output: { upper: 'PERDURE', doubled: 'PERDURE-PERDURE', length: 15 },
  status: 'SUCCESS',
  steps: ['upper', 'double', 'length'],
}

/** Runs a command, killing it after timeoutMs. Never rejects, so failures show output. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<Run> {
  const label = [command, ...args].join(' ')
  // node:test marks its own child processes with NODE_TEST_CONTEXT; these commands are not tests.
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      stderr += `\n[could not start: ${error.message}]`
      resolve({ label, code: null, signal: null, stdout, stderr })
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ label, code, signal, stdout, stderr })
    })
  })
}

/** Everything a command printed, for failure messages. */
function transcript(result: Run): string {
  return `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`
}

/** Throws, with everything the command printed, unless it exited 0. */
function succeeded(result: Run): Run {
  if (result.code === 0) return result
  const exit = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`
  throw new Error(`${result.label} failed (${exit})\n${transcript(result)}`)
}

/** The JSON on app.mjs's `RESULT` line. */
function resultLine(result: Run): unknown {
  const line = succeeded(result).stdout.split('\n').find((l) => l.startsWith('RESULT '))
  if (!line) throw new Error(`${result.label} printed no RESULT line\n${transcript(result)}`)
  return JSON.parse(line.slice('RESULT '.length))
}

/** Every file that package.json's `exports` points at, without the leading `./`. */
function exportTargets(manifest: { exports: Record<string, Record<string, string>> }): string[] {
  const targets = Object.values(manifest.exports).flatMap((conditions) => Object.values(conditions))
  return [...new Set(targets.map((target) => target.replace(/^\.\//, '')))].sort()
}

/**
 * A copy of the working tree as a fresh clone has it: the files git tracks (or would, untracked ones not
 * ignored), as they are now, and no dist/ or .perdure/. The repository's own dist/ may be left from an
 * earlier build, which would hide a package.json that never builds. node_modules is linked, not installed:
 * the clone's `npm install` is not what is under test.
 */
function cleanCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perdure-checkout-'))
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
  for (const path of listed.toString('utf8').split('\0')) {
    // A file deleted in the working tree but not yet in git's index is listed and absent.
    if (!path || !existsSync(join(root, path))) continue
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    copyFileSync(join(root, path), join(dir, path))
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

if (onNode) {
  describeOn('pglite', 'npm package', () => {
    let packDir = ''
    let scratch = ''
    let checkout = ''
    let packedFiles: string[] = []

    beforeAll(async () => {
      packDir = mkdtempSync(join(tmpdir(), 'perdure-pack-'))
      scratch = mkdtempSync(join(tmpdir(), 'perdure-scratch-'))
      checkout = cleanCheckout()
      // Exactly what a user does in a fresh clone: `npm pack` alone. Its `prepack` script builds dist/, so a
      // package.json without one packs no code and the runs below fail. With --json, stdout carries only the
      // tarball's name and file list, after whatever the build printed.
      const packArgs = ['pack', '--json', '--pack-destination', packDir]
      const pack = succeeded(await run('npm', packArgs, checkout, PACK_TIMEOUT_MS))
      const json = pack.stdout.slice(pack.stdout.lastIndexOf('\n[\n') + 1)
      const [packed] = JSON.parse(json) as { filename: string; files: { path: string }[] }[]
      if (!packed) throw new Error(`npm pack reported no tarball\n${transcript(pack)}`)
      packedFiles = packed.files.map((file) => file.path)

      const manifest = { name: 'perdure-pack-smoke', private: true, type: 'module' }
      writeFileSync(join(scratch, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
      copyFileSync(APP, join(scratch, 'app.mjs'))
      const tarball = join(packDir, packed.filename)
      const install = ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline']
      succeeded(await run('npm', install, scratch, INSTALL_TIMEOUT_MS))
    })

    afterAll(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true })
      if (packDir) rmSync(packDir, { recursive: true, force: true })
      if (checkout) rmSync(checkout, { recursive: true, force: true })
    })

    it('packs every file that package.json exports, and nothing else outside dist/', () => {
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
      for (const target of exportTargets(manifest)) expect(packedFiles).toContain(target)
      // Built by `npm run build`: new embedded directories start from it instead of running initdb.
      expect(packedFiles).toContain('dist/pglite-template.tar.gz')
      const outside = packedFiles.filter((path) => !path.startsWith('dist/'))
      expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'package.json', 'skills/perdure/PROMPT.md', 'skills/perdure/SKILL.md'])
    })

    for (const runtime of runtimes) {
      const [command, ...args] = runtime.command
      const subpath = `perdure/${runtime.name}`
      it(`runs a workflow on ${runtime.name}, where "perdure" is "${subpath}"`, async () => {
        const result = await run(command, [...args, 'app.mjs', subpath], scratch, APP_TIMEOUT_MS)
        expect(resultLine(result)).toEqual({
          adapter: runtime.name,
          ...expectedRun,
          subpath: { specifier: subpath, adapter: runtime.name, sameModule: true },
        })
      })
    }
  })
} else {
  skipOn('pglite', 'npm package', 'runs on Node only: it drives npm pack and the install from Node, then runs the package on every runtime')
}
