// The demo entry point: `npm run demo`. Launches DBOS, serves the Hono app and stops cleanly on a signal.
//
//   PORT                      port to listen on (default 3000; 0 picks a free one), bound to 127.0.0.1
//   DBOS_SYSTEM_DATABASE_URL  Postgres (or memory://) instead of embedded PGlite under .perdure/perdure-demo/
//   DEMO_SELF_TEST=1          place one order against the running server, print the receipt and exit
import { DBOS, serve } from '../../adapters/node/mod.ts'
import { createApp } from './app.ts'
import { runSelfTest, SAMPLE_ORDER } from './self-test.ts'
import { WAREHOUSE_WAIT_MS } from './workflows.ts'

// A stuck shutdown must not leave a process behind; unref so it never holds the process open itself.
const SHUTDOWN_GRACE_MS = 10_000

function portFromEnv(): number {
  const text = process.env.PORT ?? '3000'
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new TypeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(text)}`)
  }
  return port
}

function banner(base: string): string {
  const body = JSON.stringify({ workflowID: 'order-1', ...SAMPLE_ORDER })
  const json = `-H 'content-type: application/json'`
  return [
    '',
    `Perdure demo listening on ${base}`,
    '',
    'Place an order (starts the processOrder workflow in the background):',
    `  curl -s -X POST ${base}/orders ${json} -d '${body}'`,
    'Watch it go: reserveInventory → chargePayment → waitForWarehouse (durable sleep) → shipOrder:',
    `  curl -s ${base}/orders/order-1`,
    'A malformed order is rejected with the field named:',
    `  curl -s -X POST ${base}/orders ${json} -d '{"customer":"Ada","items":[{"sku":"widget","quantity":0}]}'`,
    '',
    `Press Ctrl-C during the ${WAREHOUSE_WAIT_MS / 1000} s warehouse wait and restart: the order resumes where it stopped.`,
    '',
  ].join('\n')
}

async function main(): Promise<void> {
  const port = portFromEnv()
  // No systemDatabaseUrl: the engine reads DBOS_SYSTEM_DATABASE_URL, else uses embedded PGlite under .perdure/.
  DBOS.setConfig({ name: 'perdure-demo' })
  await DBOS.launch()
  const server = await serve(createApp().fetch, { port })
  const base = `http://${server.hostname}:${server.port}`

  let stopping: Promise<void> | undefined
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      DBOS.logger.info(`${reason}: closing the server and shutting DBOS down`)
      setTimeout(() => {
        DBOS.logger.error(`Shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting anyway`)
        process.exit(1)
      }, SHUTDOWN_GRACE_MS).unref()
      // Stop taking requests first, so none arrives after DBOS is gone.
      await server.close()
      // Workflows still running stop at their next step; the next launch recovers them.
      await DBOS.shutdown()
    })()
    return stopping
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second Ctrl-C means "now": skip the graceful path.
      if (stopping) process.exit(130)
      stop(signal).catch((e: unknown) => {
        DBOS.logger.error(e)
        process.exitCode = 1
      })
    })
  }

  if (process.env.DEMO_SELF_TEST !== '1') {
    console.log(banner(base))
    return
  }
  console.log(`Perdure demo listening on ${base} (DEMO_SELF_TEST=1: placing one order)`)
  try {
    const receipt = await runSelfTest(base)
    console.log(`Self-test passed. Receipt:\n${JSON.stringify(receipt, null, 2)}`)
  } catch (e) {
    DBOS.logger.error(e)
    process.exitCode = 1
  }
  await stop('Self-test done')
}

main().catch((e: unknown) => {
  DBOS.logger.error(e)
  process.exitCode = 1
  // Launch may have half-succeeded (database open, server not): release what there is.
  void DBOS.shutdown().catch(() => {})
})
