// Every example in examples/ starts and does its job on the runtime running the tests (the test runner
// runs this file on Node, Bun and Deno).
import { spawn } from 'node:child_process'
import { expect, it } from '../harness.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn } from '../support/databases.ts'

/** Runs an example to completion on embedded, in-memory PGlite and returns its output. */
function runExample(path: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, args] = scriptCommand(path)
    const child = spawn(cmd, args, {
      env: { ...process.env, DBOS_SYSTEM_DATABASE_URL: 'memory://' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${path} did not finish within 60 s:\n${output}`))
    }, 60_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describeOn('pglite', 'examples', () => {
  it('basics: runs two steps and prints the result', async () => {
    const { code, output } = await runExample('examples/basics/main.ts')
    expect({ code, output }).toMatchObject({ code: 0 })
    expect(output).toContain('Step one completed!')
    expect(output).toContain('Step two completed!')
    expect(output).toMatch(/workflow [0-9a-f-]{36} done/)
  })

  it('background: a handle by ID, and one execution for two starts with the same ID', async () => {
    const { code, output } = await runExample('examples/background/main.ts')
    expect({ code, output }).toMatchObject({ code: 0 })
    expect(output).toContain('result: onetwo')
    expect(output).toContain('second start returned: onetwo; the step ran 1 time(s)')
    expect(output).toContain('status: SUCCESS')
  })
})

describeOn('pglite', 'examples with queues', () => {
  it('queues: ten tasks through a queue of three workers', async () => {
    const { code, output } = await runExample('examples/queues/main.ts')
    expect({ code, output }).toMatchObject({ code: 0 })
    expect(output).toContain('Successfully completed 10 tasks')
    expect(output).toMatch(/results: 0,1,4,9,16,25,36,49,64,81 in \d+ ms/)
    // Ten 200 ms tasks, three at a time: at least four rounds.
    const ms = Number(/in (\d+) ms/.exec(output)?.[1])
    expect(ms).toBeGreaterThanOrEqual(800)
  })
})
