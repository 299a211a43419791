// The page's script (main.ts bundles it with esbuild): starts the workflow named by ?wf=, reads its stream
// with readStreamUrl and lists each value. What it saw is also kept on `window`, for
// test/integration/browser.test.ts to read.
import { readStreamUrl } from '../../adapters/browser/mod.ts'

/** What the page exposes on `window`. */
interface StreamPage {
  /** The values, in the order they arrived. */
  received: number[]
  /** Requests for the stream, including the ones that failed while the server was down. */
  attempts: number
  /** Requests for the stream that the server answered with 200: 2 or more means it reconnected. */
  connections: number
  /** True once the stream was closed and every value read. */
  done: boolean
  /** Why reading stopped early, if it did. */
  failure?: string
}

const page = window as unknown as Window & StreamPage
page.received = []
page.attempts = 0
page.connections = 0
page.done = false

const status = document.querySelector('#status')!
const list = document.querySelector('#values')!

const countingFetch: typeof fetch = async (input, init) => {
  page.attempts++
  if (page.attempts > 1) status.textContent = `connection lost after ${page.received.length} values: reconnecting…`
  const response = await fetch(input, init)
  if (response.ok) {
    page.connections++
    status.textContent = `connected (connection ${page.connections})`
  }
  return response
}

/** The workflow ID from ?wf=, or a new one put into the address so that a reload follows the same workflow. */
function workflowID(): string {
  const url = new URL(location.href)
  const existing = url.searchParams.get('wf')
  if (existing) return existing
  const id = `count-${crypto.randomUUID()}`
  url.searchParams.set('wf', id)
  history.replaceState(null, '', url)
  return id
}

async function main(): Promise<void> {
  const started = await fetch(`/start?wf=${encodeURIComponent(workflowID())}`, { method: 'POST' })
  if (!started.ok) throw new Error(`POST /start answered ${started.status}: ${await started.text()}`)
  const { url } = (await started.json()) as { url: string }
  // Retries every 200 ms for up to a minute: long enough for a server restart.
  for await (const value of readStreamUrl<number>(url, { retryMs: 200, fetch: countingFetch })) {
    page.received.push(value)
    const item = document.createElement('li')
    item.textContent = String(value)
    list.append(item)
  }
  page.done = true
  status.textContent = `done: ${page.received.length} values over ${page.connections} connection(s)`
}

main().catch((e: unknown) => {
  page.failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  status.textContent = `stopped: ${page.failure}`
})
