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
// Node's fs runs on Node, Bun and Deno alike, so the three share this.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
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

/** Takes the lock on `dir` (an absolute path) or throws DBOSDirectoryLockedError naming the holder. */
export function lockDirectory(dir: string): DirectoryLock {
  const file = `${dir}.lock`
  const record: LockRecord = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token: crypto.randomUUID(),
    ...optional('boot', bootId()),
    ...optional('started', startTime(process.pid)),
  }
  // Two rounds: one to find a stale lock and move it away, one to take the lock. More would mean another
  // process is taking stale locks at the same moment; that one wins.
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file, record)) return held(file, record.token)
    const holder = read(file)
    if (holder === 'missing') continue
    if (holder !== 'unreadable' && !isStale(holder)) {
      const sameProcess = holder.host === record.host && holder.pid === process.pid
      throw new DBOSDirectoryLockedError(dir, file, publicPart(holder), sameProcess, holder.host !== record.host)
    }
    moveAside(file, holder)
  }
  const holder = read(file)
  if (typeof holder === 'object') throw new DBOSDirectoryLockedError(dir, file, publicPart(holder), false, holder.host !== record.host)
  throw new DBOSDirectoryLockedError(dir, file, { pid: 0, host: 'unknown', since: 'unknown' }, false, false)
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

function read(file: string): LockRecord | 'missing' | 'unreadable' {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return 'missing'
    throw e
  }
  try {
    const parsed = JSON.parse(text) as LockRecord
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string') return parsed
  } catch {
    // Not a lock this code wrote (it is always linked in whole): treat it as stale.
  }
  return 'unreadable'
}

function isStale(holder: LockRecord): boolean {
  if (holder.host !== hostname()) return false
  const boot = bootId()
  if (holder.boot && boot && holder.boot !== boot) return true
  if (!alive(holder.pid)) return true
  const started = startTime(holder.pid)
  return Boolean(holder.started && started && holder.started !== started)
}

/**
 * Renames a stale lock out of the way (only one of several processes doing this at once succeeds), then checks
 * that what it moved is the stale lock it judged: if another process replaced it in between, the fresh lock
 * is linked back.
 */
function moveAside(file: string, judged: LockRecord | 'unreadable'): void {
  const aside = `${file}.${crypto.randomUUID()}.stale`
  try {
    renameSync(file, aside)
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return
    throw e
  }
  const moved = read(aside)
  const same = judged === 'unreadable' ? moved === 'unreadable' : typeof moved === 'object' && moved.token === judged.token
  if (!same) {
    try {
      linkSync(aside, file)
    } catch {
      // Someone holds it again; theirs stands.
    }
  }
  removeQuietly(aside)
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
