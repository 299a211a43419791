// The directory lock under contention, and the spellings of one directory. Several processes that find the
// same stale lock at once (a SIGKILLed holder, then a restart of several) must end with one owner, never two:
// two PGlite owners of one directory each see only their own writes. And `file:data`, `file:./data` and a
// symlink to the directory are one directory: one lock, and one database shared with a client in the process.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import { lockDirectory } from '../../adapters/shared/directory-lock.ts'
import { openDatabase } from '../../adapters/shared/open-database.ts'
import { afterAll, afterEach, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSClient } = perdure
const CONTENDERS = 6
const ROUNDS = 4
/** Long enough that every contender tries while the winner holds the lock, even on a loaded machine. */
const HOLD_MS = 3_000

const echo = DBOS.registerWorkflow(async (x: string) => x, { name: 'lockRaceEcho' })

describeOn('pglite', 'directory lock races and spellings', () => {
  let root = ''
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'perdure-lock-race-'))
  })
  afterEach(() => Child.killAll())
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true })
  })

  it(`${CONTENDERS} processes taking one stale lock at once: exactly one holds it, never two at a time`, async () => {
    const dir = join(root, 'raced')
    const file = `${dir}.lock`
    for (let round = 1; round <= ROUNDS; round++) {
      // A lock left by a process that is gone (its pid has exited; its boot id is not this boot's).
      const deadPid = spawnSync('true').pid
      writeFileSync(file, `${JSON.stringify({ pid: deadPid, host: hostname(), since: new Date().toISOString(), token: `dead-${round}`, boot: 'another-boot' })}\n`)
      const log = join(root, `round-${round}.log`)
      writeFileSync(log, '')
      const contenders = Array.from({ length: CONTENDERS }, (_, n) =>
        new Child(`lock-contender ${round}.${n}`, scriptCommand('test/fixtures/lock-contender.ts', [dir, log, String(HOLD_MS)]), { timeoutMS: 60_000 }))
      for (const c of contenders) await c.line('READY')
      for (const c of contenders) c.endInput()
      const outcomes = await Promise.all(contenders.map((c) => Promise.race([c.line('ACQUIRED').then(() => 'ACQUIRED'), c.line('LOCKED').then(() => 'LOCKED')])))
      await Promise.all(contenders.map((c) => c.succeeded()))

      expect({ round, acquired: outcomes.filter((o) => o === 'ACQUIRED').length }).toEqual({ round, acquired: 1 })
      // The log of holds: opens and closes alternate, each close the open before it.
      const marks = readFileSync(log, 'utf8').trim().split('\n')
      expect(marks.length).toBe(2)
      expect(marks[0]).toMatch(/^open \d+$/)
      expect(marks[1]).toBe(marks[0]!.replace('open', 'close'))
      // Released, and no takeover marker left behind.
      expect(existsSync(file)).toBe(false)
      expect(readdirSync(root).filter((f) => f.startsWith(basename(dir)) && f !== basename(dir))).toEqual([])
    }
  })

  it('a takeover marker left by a process that died mid-takeover does not keep the lock stale forever', () => {
    const dir = join(root, 'marker')
    const file = `${dir}.lock`
    const deadPid = spawnSync('true').pid
    const stale = `${JSON.stringify({ pid: deadPid, host: hostname(), since: new Date().toISOString(), token: 'dead-lock', boot: 'another-boot' })}\n`
    writeFileSync(file, stale)
    // The dead process had taken the marker for exactly that text, then died.
    let marker = ''
    // The marker's name is the lock file's name, a hash of the stale text, and `.takeover`: find it by taking
    // over a copy with a pause that records the files present while the marker is held.
    const copy = join(root, 'copy')
    writeFileSync(`${copy}.lock`, stale)
    lockDirectory(copy, (step) => {
      if (step === 'marked') marker = readdirSync(root).find((f) => f.startsWith('copy.lock.') && f.endsWith('.takeover')) ?? ''
    }).release()
    expect(marker).toMatch(/^copy\.lock\.[0-9a-f]{32}\.takeover$/)
    writeFileSync(join(root, marker.replace(/^copy\.lock/, 'marker.lock')), `${JSON.stringify({ pid: deadPid, host: hostname(), since: new Date().toISOString(), token: 'dead-marker', boot: 'another-boot' })}\n`)

    const lock = lockDirectory(dir)
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid)
    lock.release()
    expect(readdirSync(root).filter((f) => f.startsWith('marker.'))).toEqual([])
  })

  it('a symlink to a locked directory meets the same lock', async () => {
    const real = join(root, 'real')
    mkdirSync(real)
    const link = join(root, 'link')
    symlinkSync(real, link)
    const lock = lockDirectory(real)
    try {
      const error = await openDatabase({ url: `file:${link}`, poolSize: 1, appName: 'lock-race' }).then(() => undefined, (e: Error) => e)
      expect(error?.name).toBe('DBOSDirectoryLockedError')
    } finally {
      lock.release()
    }
  })

  it('a template that does not load says why before initdb runs instead', async () => {
    const broken = join(root, 'broken-template.tar.gz')
    writeFileSync(broken, 'not a data directory')
    const before = process.env.PERDURE_PGLITE_TEMPLATE
    process.env.PERDURE_PGLITE_TEMPLATE = broken
    const notices: string[] = []
    try {
      const db = await openDatabase({ url: `file:${join(root, 'untemplated')}`, poolSize: 1, appName: 'lock-race', notice: (m) => notices.push(m) })
      try {
        expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }])
      } finally {
        await db.close()
      }
    } finally {
      if (before === undefined) delete process.env.PERDURE_PGLITE_TEMPLATE
      else process.env.PERDURE_PGLITE_TEMPLATE = before
    }
    expect(notices.filter((m) => m.includes('template did not load')).length).toBe(1)
  })

  it('a client in the launching process shares the launch whatever the spelling: relative, ./ or a symlink', async () => {
    const dir = join(root, 'app')
    mkdirSync(dir)
    symlinkSync(dir, join(root, 'app-link'))
    const plain = relative(process.cwd(), dir)
    DBOS.setConfig({ name: 'lock-race', systemDatabaseUrl: `file:${plain}`, logLevel: 'warn', runAdminServer: false })
    await DBOS.launch()
    try {
      await echo('hello')
      for (const url of [`file:./${plain}`, `file:${join(root, 'app-link')}`, `file://${dir}/`]) {
        // A client that opened its own PGlite here would be refused by the lock (this process holds it).
        const client = await DBOSClient.create({ systemDatabaseUrl: url })
        try {
          const listed = await client.listWorkflows({ workflowName: 'lockRaceEcho' })
          expect({ url, count: listed.length }).toEqual({ url, count: 1 })
        } finally {
          await client.destroy()
        }
      }
    } finally {
      await DBOS.shutdown()
    }
  })
})
