// The default application version is the same for the same code on Node, Bun and Deno, and changes when a
// workflow's code does. Each runtime transpiles TypeScript its own way, so a version digested from
// `fn.toString()` differed by runtime, and every launch on another runtime stranded the pending work of the
// last one. test/fixtures/version-app.ts is run on each runtime and prints its version.
// It drives all three runtimes itself, so it is declared only when the test runner is Node, which makes it
// run once per `npm test`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { describeOn, skipOn } from '../support/databases.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const FIXTURE = 'test/fixtures/version-app.ts'
const onNode = !('Bun' in globalThis) && !('Deno' in globalThis)
const bin = (name: string): string => join(root, 'node_modules', '.bin', name)

const runtimes = {
  node: (script: string): [string, string[]] => [process.execPath, ['--import', 'tsx', script]],
  bun: (script: string): [string, string[]] => [bin('bun'), [script]],
  deno: (script: string): [string, string[]] => [bin('deno'), ['run', '-A', '--no-check', script]],
}
type RuntimeName = keyof typeof runtimes

async function versionOn(runtime: RuntimeName, script: string): Promise<string> {
  const child = new Child(`version-app on ${runtime} (${script})`, runtimes[runtime](script), { stdin: 'ignore', timeoutMS: 60_000 })
  const version = await child.line('VERSION')
  await child.succeeded()
  return version
}

if (onNode) {
  describeOn('pglite', 'default application version', () => {
    let scratch = ''
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'perdure-version-'))
      // Outside the repository, the fixture imports Perdure by URL; ESM, as in the repository.
      writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n')
    })
    afterAll(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true })
    })

    it('is the same for the same code on Node, Bun and Deno', async () => {
      const versions = {
        node: await versionOn('node', FIXTURE),
        bun: await versionOn('bun', FIXTURE),
        deno: await versionOn('deno', FIXTURE),
      }
      expect(versions.node).toMatch(/^[0-9a-f]{64}$/)
      expect(versions).toEqual({ node: versions.node, bun: versions.node, deno: versions.node })
    })

    it('changes when a workflow’s code changes, alike on every runtime', async () => {
      const perdure = pathToFileURL(join(root, 'test', 'support', 'perdure.ts')).href
      const source = readFileSync(join(root, FIXTURE), 'utf8').replace(`'../support/perdure.ts'`, `'${perdure}'`)
      const edit = 'line.quantity * 2'
      expect(source).toContain(edit)
      const before = join(scratch, 'before.ts')
      const after = join(scratch, 'after.ts')
      writeFileSync(before, source)
      writeFileSync(after, source.replace(edit, 'line.quantity * 3'))

      const unedited = await versionOn('node', before)
      const edited = {
        node: await versionOn('node', after),
        bun: await versionOn('bun', after),
        deno: await versionOn('deno', after),
      }
      expect(edited.node).not.toBe(unedited)
      expect(edited).toEqual({ node: edited.node, bun: edited.node, deno: edited.node })
    })
  })
} else {
  skipOn('pglite', 'default application version', 'runs on Node only: it spawns Node, Bun and Deno itself on one fixture')
}
