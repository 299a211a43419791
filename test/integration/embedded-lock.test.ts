// One owner per embedded (PGlite) directory, across real processes of the runtime under test
// (test/fixtures/embedded-owner.ts). Two PGlite instances on one directory each see only their own writes and
// one side's work is lost when they exit, so a second process must be refused at launch with a typed error
// naming the holder, and lose nothing; a SIGKILLed holder must not keep the directory locked.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn } from '../support/databases.ts'

const OWNER = 'test/fixtures/embedded-owner.ts'

function owner(mode: 'hold' | 'list', url: string, prefix: string): Child {
  return new Child(`embedded-owner (${mode} ${prefix})`, scriptCommand(OWNER, [mode, url, prefix]), { timeoutMS: 60_000 })
}

interface Refusal {
  name: string
  message: string
  holder: { pid: number; host: string; since: string }
}

describeOn('pglite', 'one owner per embedded directory', () => {
  let root = ''
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'perdure-lock-'))
  })
  afterEach(() => Child.killAll())
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it('refuses a second process with a typed error naming the holder, and loses none of the holder’s work', async () => {
    const url = `file:${join(root, 'shared')}`
    const holder = owner('hold', url, 'first')
    const holderPid = Number(await holder.line('LAUNCHED'))
    await holder.line('READY')

    const second = owner('hold', url, 'second')
    const refusal = JSON.parse(await second.line('LAUNCH_FAILED')) as Refusal
    await second.succeeded()
    expect(refusal.name).toBe('DBOSDirectoryLockedError')
    expect(refusal.holder).toEqual({ pid: holderPid, host: refusal.holder.host, since: refusal.holder.since })
    expect(refusal.message).toContain(`on host ${refusal.holder.host}`)
    expect(refusal.message).toContain(`pid ${holderPid}`)
    expect(refusal.message).toContain('postgres://')
    expect(Number.isNaN(Date.parse(refusal.holder.since))).toBe(false)

    // The holder runs on, unharmed, and shuts down cleanly once asked.
    holder.endInput()
    await holder.line('DONE')
    await holder.stop()
    expect(existsSync(`${join(root, 'shared')}.lock`)).toBe(false)

    // After both have exited, the directory holds the holder's three workflows, finished, and nothing else.
    const lister = owner('list', url, 'list')
    const rows = JSON.parse(await lister.line('WORKFLOWS')) as { id: string; status: string }[]
    await lister.succeeded()
    expect(rows).toEqual([1, 2, 3].map((n) => ({ id: `first-${n}`, status: 'SUCCESS' })))
  })

  it('opens again after the holder is SIGKILLed, and the new owner finishes the killed one’s work', async () => {
    const url = `file:${join(root, 'killed')}`
    const holder = owner('hold', url, 'killed')
    await holder.line('READY')
    await holder.kill()
    // The kill ran no clean-up: the lock file is still there, naming a dead process.
    expect(existsSync(`${join(root, 'killed')}.lock`)).toBe(true)

    const next = owner('hold', url, 'next')
    await next.line('LAUNCHED')
    await next.line('READY')
    next.endInput()
    await next.line('DONE')
    await next.stop()

    const lister = owner('list', url, 'list')
    const rows = JSON.parse(await lister.line('WORKFLOWS')) as { id: string; status: string }[]
    await lister.succeeded()
    const expected = ['killed', 'next'].flatMap((p) => [1, 2, 3].map((n) => ({ id: `${p}-${n}`, status: 'SUCCESS' })))
    expect(rows).toEqual(expected)
  })
})
