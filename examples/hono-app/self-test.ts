// DEMO_SELF_TEST=1: the running demo orders from itself over HTTP, as a user with curl would.
import { DBOS } from '../../adapters/auto/mod.ts'
import { formatCents, type Order, type Receipt } from './workflows.ts'

/** The order the self-test (and the banner's curl example) places. */
export const SAMPLE_ORDER: Order = {
  customer: 'Ada Lovelace',
  items: [{ sku: 'widget', quantity: 2 }, { sku: 'gizmo', quantity: 1 }],
}

const POLL_MS = 250
const TIMEOUT_MS = 30_000

/** The body of GET /orders/:id, as far as the self-test reads it. */
interface OrderView {
  status: string
  nextStep: string | null
  output: Receipt | null
  error?: string
}

/**
 * Posts SAMPLE_ORDER to `baseUrl`, polls its status until it finishes and returns the receipt.
 * Throws if the order fails or does not finish within 30 s.
 */
export async function runSelfTest(baseUrl: string): Promise<Receipt> {
  const posted = await fetch(`${baseUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(SAMPLE_ORDER),
  })
  const started = (await posted.json()) as { workflowID: string; statusUrl: string }
  if (posted.status !== 202) {
    throw new Error(`POST /orders answered ${posted.status}: ${JSON.stringify(started)}`)
  }
  const id = started.workflowID
  DBOS.logger.info(`self-test: started ${id}; polling ${started.statusUrl}`)

  const deadline = Date.now() + TIMEOUT_MS
  let lastStep: string | null = null
  for (;;) {
    const view = (await (await fetch(started.statusUrl)).json()) as OrderView
    if (view.status === 'SUCCESS' && view.output) {
      DBOS.logger.info(`self-test: ${id} succeeded, total ${formatCents(view.output.totalCents)}`)
      return view.output
    }
    if (view.status !== 'PENDING' && view.status !== 'ENQUEUED') {
      throw new Error(`order ${id} ended ${view.status}: ${view.error ?? 'no error recorded'}`)
    }
    if (view.nextStep !== lastStep) {
      lastStep = view.nextStep
      DBOS.logger.info(`self-test: ${id} is ${view.status}, next step ${lastStep ?? '(none)'}`)
    }
    if (Date.now() > deadline) throw new Error(`order ${id} did not finish within ${TIMEOUT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
