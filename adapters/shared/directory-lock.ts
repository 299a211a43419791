// One owner per embedded database directory. PGlite runs inside one process: a second process on the same
// directory gets its own copy of the database in memory, and whichever exits last overwrites the other's
// work. So the directory is locked by a file beside it (`<dir>.lock`) for as long as a process has it open.
//
// The lock file is created atomically (written whole to a temporary name, then hard-linked into place, which
// fails if a lock exists), and records the holder: pid, host, when, and, on Linux, the boot and the pid's
// start time. A lock is stale, and taken over, only when that can be known for sure:
// - its host is this host, and the machine has rebooted since (another boot id), or no process has its pid,
//   or (Linux) the process with its pid started at another time than the holder did: the pid was reused.
//   So a SIGKILLed holder never locks the directory past its death. Without /proc (macOS), a pid reused by
//   an unrelated live process keeps the lock until that process ends; the error says which file to delete.
// - a lock from another host (a shared volume) is never taken over: nothing here can tell whether that
//   process still runs, and taking a live lock would lose data. The error names the file to delete.
//
// Taking over a stale lock must not remove a live one. Several processes may find the same stale lock at once;
// one of them removes it and creates its own, and a slower one must not then remove that fresh lock (an earlier
// version renamed "the" lock aside and linked it back if it had moved the wrong one: a third process creating
// the missing lock in between made the link fail, and two processes held the directory). So a file (a lock, or
// a takeover marker below) is only ever deleted
//   (i) by the live process that created it (release), or
//   (ii) by the holder of its takeover marker, `<lock>.<hash of the file's exact text>.takeover`, created
//        atomically like the lock, which re-reads the file under the marker and deletes it only if it still
//        has that exact text. Each record holds a fresh random token, so the text names one creation.
// Between that re-read and the delete nobody else can delete the file (its creator is dead, as judged; any
// other deleter needs the marker, held here), and nobody can put another in its place (creation is a link,
// which fails while a file is there): the delete removes the very file judged stale. A late process that
// creates the marker after the takeover finds other text, or none, and deletes nothing: a token never comes
// back. Creating a missing lock stays one atomic link: whoever links first holds the directory.
// A takeover holder that dies holding its marker leaves the marker behind, naming a dead process: the marker
// is then stale itself and is removed by the same rule, one level up (the holder of the marker's own marker),
// and so on; each level needs another process to die within a takeover, so this ends. While a live process
// holds a marker, the others wait for it (a takeover takes microseconds) instead of acting.
// Node's fs runs on Node, Bun and Deno alike, so the three share this.
import { createHash } from 'node:crypto'
import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import process from 'node:process'
import { DBOSDirectoryLockedError, type DirectoryHolder } from '../../core/sysdb/directory-locked-error.ts'

/** What the lock file holds. */
interface LockRecord extends DirectoryHolder {
  /** Identifies one acquisition, so that release never deletes another process's lock. */
  readonly token: string
  /** Linux boot id: a lock from before a reboot is stale, whatever its pid. */
  readonly boot?: string
  /** Linux start time of the holder process, in clock ticks since boot: tells a reused pid apart. */
  readonly started?: string
}

/** A held directory lock; `release()` is idempotent. */
export interface DirectoryLock {
  readonly file: string
  release(): void
}

/**
 * Called between the steps of a takeover with the step's name. Tests pass one that pauses, to widen the
 * windows in which other processes act; see test/fixtures/lock-contender.ts.
 */
export type TakeoverPause = (step: 'judged' | 'marked' | 'checked') => void

/** How long to wait for another process's takeover to finish before reporting the lock as held. */
const TAKEOVER_WAIT_MS = 5_000

/** Takes the lock on `dir` (an absolute, real path) or throws DBOSDirectoryLockedError naming the holder. */
export function lockDirectory(dir: string, pause: TakeoverPause = () => {}): DirectoryLock {
  const file = `${dir}.lock`
  const record = newRecord()
  const deadline = Date.now() + TAKEOVER_WAIT_MS
  for (;;) {
    if (create(file, record)) return held(file, record.token)
    const text = readText(file)
    if (text === undefined) continue
    const holder = parse(text)
    if (holder !== 'unreadable' && !isStale(holder)) {
      const sameProcess = holder.host === record.host && holder.pid === process.pid
      throw new DBOSDirectoryLockedError(dir, file, publicPart(holder), sameProcess, holder.host !== record.host)
    }
    pause('judged')
    if (removeStale(file, file, text, pause) === 'busy') {
      // Another live process is taking this stale lock over: its own lock follows in a moment.
      if (Date.now() > deadline) {
        const shown = holder === 'unreadable' ? { pid: 0, host: 'unknown', since: 'unknown' } : publicPart(holder)
        throw new DBOSDirectoryLockedError(dir, file, shown, false, false)
      }
      sleep(5)
    }
  }
}

function newRecord(): LockRecord {
  return {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token: crypto.randomUUID(),
    ...optional('boot', bootId()),
    ...optional('started', startTime(process.pid)),
  }
}

/**
 * Deletes `path` if it still holds `judged` (the text of a record judged stale), under that text's takeover
 * marker (see the top of the file). 'busy' if a live process holds the marker; 'done' otherwise, whether this
 * call deleted the file or found it already replaced: the caller looks again either way.
 */
function removeStale(lockFile: string, path: string, judged: string, pause: TakeoverPause): 'done' | 'busy' {
  const marker = `${lockFile}.${createHash('sha256').update(judged).digest('hex').slice(0, 32)}.takeover`
  const mine = newRecord()
  if (!create(marker, mine)) {
    const text = readText(marker)
    if (text === undefined) return 'done'
    const holder = parse(text)
    if (holder !== 'unreadable' && !isStale(holder)) return 'busy'
    // Its holder died in the middle of a takeover: remove the marker by the same rule, then look again.
    removeStale(lockFile, marker, text, pause)
    return 'done'
  }
  try {
    pause('marked')
    if (readText(path) !== judged) return 'done'
    pause('checked')
    removeQuietly(path)
    return 'done'
  } finally {
    // Ours and live: nobody else deletes it.
    removeQuietly(marker)
  }
}

/** Blocks this thread: the lock is taken synchronously, and a takeover lasts microseconds. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** What the error shows of a lock: who and since when, not the token that would let anyone release it. */
function publicPart({ pid, host, since }: LockRecord): DirectoryHolder {
  return { pid, host, since }
}

function held(file: string, token: string): DirectoryLock {
  let released = false
  const release = () => {
    if (released) return
    released = true
    process.off('exit', release)
    const current = read(file)
    // Only our own lock: if it was (wrongly) taken over, the new holder's lock stays.
    if (typeof current === 'object' && current.token === token) removeQuietly(file)
  }
  // A process that exits without shutting down leaves no lock behind either (a SIGKILL runs nothing: that is
  // what the staleness check is for).
  process.on('exit', release)
  return { file, release }
}

/** Writes the record whole under a temporary name, then links it into place: true if the lock is ours. */
function create(file: string, record: LockRecord): boolean {
  const temporary = `${file}.${record.token}.tmp`
  const fd = openSync(temporary, 'wx')
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(temporary, file)
    return true
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') return false
    throw e
  } finally {
    removeQuietly(temporary)
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined
    throw e
  }
}

function parse(text: string): LockRecord | 'unreadable' {
  try {
    const parsed = JSON.parse(text) as LockRecord
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') return parsed
  } catch {
    // Not a lock this code wrote (it is always linked in whole): treat it as stale.
  }
  return 'unreadable'
}

function read(file: string): LockRecord | 'missing' | 'unreadable' {
  const text = readText(file)
  return text === undefined ? 'missing' : parse(text)
}

function isStale(holder: LockRecord): boolean {
  if (holder.host !== hostname()) return false
  const boot = bootId()
  if (holder.boot && boot && holder.boot !== boot) return true
  if (!alive(holder.pid)) return true
  const started = startTime(holder.pid)
  return Boolean(holder.started && started && holder.started !== started)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as { code?: string }).code === 'EPERM'
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

/** Field 22 of /proc/<pid>/stat; the command name before it may hold spaces and parentheses. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>)
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // Already gone.
  }
}
