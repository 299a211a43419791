// The checkout workflow: reserve inventory, charge payment, wait for the warehouse, ship.
// Each step's outcome is checkpointed, so a restart resumes after the last finished step.
import { DBOS } from '../../adapters/auto/mod.ts'

/** Prices in cents; the SKUs the demo shop sells. */
export const CATALOG = { widget: 1250, gadget: 4999, gizmo: 799 } as const

/** A SKU from the catalog. */
export type Sku = keyof typeof CATALOG

/** What a customer orders: the workflow's only argument. */
export interface Order {
  customer: string
  items: { sku: Sku; quantity: number }[]
}

/** What a finished checkout returns: the workflow's output. */
export interface Receipt {
  orderID: string
  customer: string
  items: { sku: Sku; quantity: number; priceCents: number }[]
  totalCents: number
  reservationID: string
  paymentID: string
  trackingNumber: string
  shippedAt: string
}

/** The workflow's operations in order, as `DBOS.listWorkflowSteps` names them. */
export const STEP_NAMES = ['reserveInventory', 'chargePayment', 'DBOS.sleep', 'shipOrder'] as const

/** How long the workflow durably sleeps "waiting for the warehouse". */
export const WAREHOUSE_WAIT_MS = 2000

/** Formats cents as dollars, e.g. 2500 → "$25.00". */
export function formatCents(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`
}

/** What shipOrder hands back. */
interface Shipment {
  trackingNumber: string
  shippedAt: string
}

function lineItems(order: Order): Receipt['items'] {
  return order.items.map((item) => ({ ...item, priceCents: CATALOG[item.sku] }))
}

// IDs are drawn inside steps: the checkpoint records them, so a replay sees the same IDs.
function shortID(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`
}

function log(message: string): void {
  DBOS.logger.info(`[${DBOS.workflowID}] ${message}`)
}

async function reserveInventory(order: Order): Promise<string> {
  const reservationID = shortID('rsv')
  const units = order.items.reduce((n, item) => n + item.quantity, 0)
  log(`step 1/4 reserveInventory: ${units} unit(s) held as ${reservationID}`)
  return reservationID
}

async function chargePayment(order: Order): Promise<{ paymentID: string; totalCents: number }> {
  const items = lineItems(order)
  const totalCents = items.reduce((sum, item) => sum + item.priceCents * item.quantity, 0)
  const paymentID = shortID('pay')
  log(`step 2/4 chargePayment: ${formatCents(totalCents)} from ${order.customer} (${paymentID})`)
  return { paymentID, totalCents }
}

async function shipOrder(reservationID: string): Promise<Shipment> {
  const trackingNumber = shortID('trk')
  log(`step 4/4 shipOrder: ${reservationID} shipped, tracking ${trackingNumber}`)
  return { trackingNumber, shippedAt: new Date().toISOString() }
}

/**
 * The checkout workflow. Code between steps runs again on recovery, so it only logs and computes;
 * everything with an effect sits in a step.
 * @example const handle = await DBOS.startWorkflow(processOrder, { workflowID: 'order-1' })(order)
 */
export const processOrder: (order: Order) => Promise<Receipt> = DBOS.registerWorkflow(
  async (order: Order): Promise<Receipt> => {
    const reservationID = await DBOS.runStep(() => reserveInventory(order), {
      name: 'reserveInventory',
    })
    // A payment gateway may fail transiently: let the engine retry before the workflow fails.
    const payment = await DBOS.runStep(() => chargePayment(order), {
      name: 'chargePayment',
      retriesAllowed: true,
      maxAttempts: 3,
    })
    log(`step 3/4 waitForWarehouse: durable sleep of ${WAREHOUSE_WAIT_MS} ms`)
    // The wake-up time is checkpointed, so after a restart the wait ends at the original deadline.
    await DBOS.sleep(WAREHOUSE_WAIT_MS)
    const shipment = await DBOS.runStep(() => shipOrder(reservationID), { name: 'shipOrder' })
    return {
      orderID: DBOS.workflowID ?? '',
      customer: order.customer,
      items: lineItems(order),
      totalCents: payment.totalCents,
      reservationID,
      paymentID: payment.paymentID,
      trackingNumber: shipment.trackingNumber,
      shippedAt: shipment.shippedAt,
    }
  },
  { name: 'processOrder' },
)
