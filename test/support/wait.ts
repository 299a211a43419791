// Waits with deadlines: a test that waits for something that never comes must fail, saying what it waited
// for, rather than hang its file until the runner's per-file timeout.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Calls `probe` every `everyMs` until it returns something other than undefined, and resolves with that;
 * fails naming `what` after `ms`.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

/**
 * Reads a byte stream as text until `done` holds for all that was read; resolves with that text. Fails if the
 * stream ends first or `ms` passes (then the reader is cancelled), showing what was read.
 */
export async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  done: (text: string) => boolean,
  what: string,
  ms = 15_000,
): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    while (!done(text)) {
      const read = await Promise.race([reader.read(), timedOut])
      if (read === 'timeout') {
        await reader.cancel().catch(() => {})
        throw new Error(`timed out after ${ms} ms reading ${what}; read so far: ${JSON.stringify(text)}`)
      }
      if (read.done) throw new Error(`the stream ended before ${what}; read: ${JSON.stringify(text)}`)
      text += decoder.decode(read.value, { stream: true })
    }
    return text
  } finally {
    clearTimeout(timer)
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
