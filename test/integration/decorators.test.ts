// Decorated workflows and steps: static methods, ConfiguredInstance methods, startWorkflow on classes and
// instances, and recovery onto the same named instance.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { spawn } from 'node:child_process'
import { scriptCommand } from '../support/command.ts'
import { describeEachDatabase, describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, ConfiguredInstance, DBOSConflictingRegistrationError } = perdure

const stepRuns: string[] = []
let blockTransfers = false

class Billing {
  @DBOS.step({ name: 'rate' })
  static async rate(currency: string): Promise<number> {
    stepRuns.push(`rate:${currency}`)
    return currency === 'EUR' ? 2 : 1
  }

  @DBOS.workflow()
  static async invoice(amount: number, currency: string): Promise<string> {
    const rate = await Billing.rate(currency)
    return `${amount * rate} ${currency} in ${DBOS.workflowID}`
  }
}

class Account extends ConfiguredInstance {
  readonly bank: string
  initialized = false
  constructor(name: string, bank: string) {
    super(name)
    this.bank = bank
  }

  override initialize(): void {
    this.initialized = true
  }

  @DBOS.step()
  async debit(amount: number): Promise<string> {
    stepRuns.push(`debit:${this.name}:${amount}`)
    if (blockTransfers) await new Promise<never>(() => {})
    return `${this.bank}:-${amount}`
  }

  @DBOS.workflow()
  async transfer(amount: number): Promise<string[]> {
    const first = await this.debit(amount)
    const second = await this.debit(amount + 1)
    return [first, second, this.name]
  }
}

const alice = new Account('alice', 'bank-a')
const bob = new Account('bob', 'bank-b')
/** A second Account named 'alice', tried before launch, when names are checked: what it threw. */
const duplicateName: unknown = (() => {
  try {
    new Account('alice', 'bank-z')
    return undefined
  } catch (e) {
    return e
  }
})()

describeEachDatabase('decorators and configured instances', (db) => {
  let url: string
  beforeAll(async () => {
    url = db.persistent()
    DBOS.setConfig({ name: 'decorators', systemDatabaseUrl: url, applicationVersion: 'v1' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('runs decorated static workflows and steps, directly and through startWorkflow(Class)', async () => {
    expect(await Billing.invoice(10, 'EUR')).toMatch(/^20 EUR in [0-9a-f-]{36}$/)
    const handle = await DBOS.startWorkflow(Billing, { workflowID: `invoice-${db.name}` }).invoice(5, 'USD')
    expect(await handle.getResult()).toBe(`5 USD in invoice-${db.name}`)
    const status = await handle.getStatus()
    expect(status).toMatchObject({ workflowName: 'invoice', workflowClassName: 'Billing' })
    expect((await DBOS.listWorkflowSteps(handle.workflowID))?.map((s) => s.name)).toEqual(['rate'])
  })

  it('runs ConfiguredInstance workflows on their instance, initialized at launch', async () => {
    expect(alice.initialized && bob.initialized).toBe(true)
    expect(await alice.transfer(3)).toEqual(['bank-a:-3', 'bank-a:-4', 'alice'])
    const handle = await DBOS.startWorkflow(bob).transfer(7)
    expect(await handle.getResult()).toEqual(['bank-b:-7', 'bank-b:-8', 'bob'])
    expect(await handle.getStatus()).toMatchObject({ workflowClassName: 'Account', workflowConfigName: 'bob' })
  })

  it('recovers an interrupted instance workflow on the same named instance', async () => {
    blockTransfers = true
    const handle = await DBOS.startWorkflow(bob, { workflowID: `transfer-${db.name}` }).transfer(100)
    for (let i = 0; i < 200 && !stepRuns.includes('debit:bob:100'); i++) await new Promise((r) => setTimeout(r, 10))
    await DBOS.shutdown()
    blockTransfers = false
    DBOS.setConfig({ name: 'decorators', systemDatabaseUrl: url, applicationVersion: 'v1' })
    await DBOS.launch()
    expect(await DBOS.retrieveWorkflow(handle.workflowID).getResult()).toEqual(['bank-b:-100', 'bank-b:-101', 'bob'])
  })

  it('refuses duplicate instance names and instances created after launch', async () => {
    expect(duplicateName).toBeInstanceOf(DBOSConflictingRegistrationError)
    expect((duplicateName as Error).message).toMatch(/Account named 'alice' already exists/)
    // The first 'alice' is the one workflows run on.
    expect(await alice.transfer(1)).toEqual(['bank-a:-1', 'bank-a:-2', 'alice'])
    expect(() => new Account('carol', 'x')).toThrow(/after DBOS.launch\(\)/)
  })
})

describeOn('pglite', 'decorators with experimentalDecorators (legacy)', () => {
  it('runs the same decorators compiled in the legacy dialect', async () => {
    // The fixture's folder has a tsconfig.json (read by tsx and Bun from the working directory) and a
    // deno.json that turn experimentalDecorators on.
    const [cmd, args] = scriptCommand('main.ts')
    const env = { ...process.env }
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(cmd, args, { env, cwd: 'test/fixtures/legacy-decorators', stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.stderr.on('data', (d) => (out += d))
      const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`timed out:\n${out}`))), 60_000)
      child.on('exit', (code) => {
        clearTimeout(timer)
        if (code === 0) resolve(out)
        else reject(new Error(`exit ${code}:\n${out}`))
      })
    })
    const line = output.split('\n').find((l) => l.startsWith('RESULT '))
    expect(JSON.parse(line!.slice('RESULT '.length))).toMatchObject({
      greeting: 'HELLO ADA', counted: 'main-counter:42', className: 'Counter', configName: 'main-counter', dialect: 'legacy',
    })
  })
})
