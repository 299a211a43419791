// The child's side of test/support/child.ts, for fixture scripts that run in their own process: protocol
// lines on stdout (logs go to stderr), stdin closing as the parent's request to stop, and an exit that always
// comes, even when the parent died without asking.

/** Writes one protocol line. Writes to a pipe are synchronous on Linux, so the line is out before any kill. */
export function emit(line: string): void {
  process.stdout.write(`${line}\n`)
}

/**
 * Exits with code 3 after `ms`: for a parent that died without stopping us. The parent's own timeouts are
 * shorter. Unref'd, so that it never keeps a finished process alive.
 */
export function exitAfter(name: string, ms: number): void {
  setTimeout(() => {
    console.error(`${name}: still running after ${ms / 1000} s, exiting`)
    process.exit(3)
  }, ms).unref()
}

/** Prints READY, then resolves once the parent closes our stdin (Child.endInput() or Child.stop()). */
export async function readyUntilStdinCloses(): Promise<void> {
  emit('READY')
  for await (const _ of process.stdin) {
    // Only the end of stdin matters.
  }
}

/**
 * Runs `work`, then `shutDown` even if the work failed, then prints STOPPED: Child.stop() waits for that line,
 * which says the shutdown finished rather than that the process merely ended.
 */
export async function stopAfter(work: () => Promise<void>, shutDown: () => Promise<void>): Promise<void> {
  try {
    await work()
  } finally {
    await shutDown()
  }
  emit('STOPPED')
}

/**
 * Runs a fixture's main function. A failure is printed to stderr, which the parent shows, and ends the process
 * with code 1. With `exitWhenDone`, success ends it at once with code 0, rather than when nothing is left to
 * run: a handle some library left open then cannot keep the process, and the parent's wait, going.
 */
export function runMain(name: string, main: () => Promise<void>, options: { exitWhenDone?: boolean } = {}): void {
  main().then(
    () => {
      if (options.exitWhenDone) process.exit(0)
    },
    (e: unknown) => {
      console.error(`${name} failed:`, e)
      process.exit(1)
    },
  )
}
