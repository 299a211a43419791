// Where CPU goes during a measurement: this process versus the local Postgres server processes.
import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux x86 and arm). */
const CLOCK_TICKS = 100

/** CPU used during an interval, in cores (1.0 = one core fully busy) averaged over its wall time. */
export interface CpuShare {
  client: number
  postgres: number
  /** Cores on this machine. */
  cores: number
}

/** Sum of user+system ticks of every process named `postgres`; undefined where /proc is missing. */
function postgresTicks(): Map<number, number> | undefined {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  const ticks = new Map<number, number>()
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // The command name is in parentheses and may contain spaces: fields are counted after the ')'.
      const close = stat.lastIndexOf(')')
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue
      const fields = stat.slice(close + 2).split(' ')
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]))
    } catch {
      // The process exited between readdir and read: it no longer counts.
    }
  }
  return ticks
}

/** Starts measuring; the returned function ends the interval and reports the shares. */
export function startCpuMeter(): () => CpuShare | undefined {
  const wallStart = performance.now()
  const clientStart = process.cpuUsage()
  const pgStart = postgresTicks()
  return () => {
    const seconds = (performance.now() - wallStart) / 1000
    const client = process.cpuUsage(clientStart)
    const pgEnd = postgresTicks()
    if (!pgStart || !pgEnd) return undefined
    let pgTicks = 0
    // Backends started during the interval count from zero; those that exited are lost (rare here).
    for (const [pid, end] of pgEnd) pgTicks += end - (pgStart.get(pid) ?? 0)
    return {
      client: (client.user + client.system) / 1e6 / seconds,
      postgres: pgTicks / CLOCK_TICKS / seconds,
      cores: cpus().length,
    }
  }
}
