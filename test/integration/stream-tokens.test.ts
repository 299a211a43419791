// Issue #13 item 5: stream token secrets and lifetimes are checked up front, and a bearer credential that is not
// a stream token (an application's own session token) reaches the authorize hook.
import { Hono } from 'hono'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSInvalidArgumentError, createStreamToken } = perdure
const SECRET = 'stream-token-test-secret-0123456789'
const SESSION = 'app-session-7f3a'

const writer = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('out', 'hello')
  await DBOS.closeStream('out')
}, { name: 'streamTokenWriter' })

describeEachDatabase('stream tokens', (db) => {
  let id = ''
  const hooked: string[] = []
  const app = new Hono().route('/', DBOS.streamRoutes({
    tokenSecret: SECRET,
    authorize: (req) => {
      const auth = req.headers.get('authorization') ?? '(none)'
      hooked.push(auth)
      return auth === `Bearer ${SESSION}`
    },
  }))
  const get = (path: string, headers: Record<string, string> = {}) => app.fetch(new Request(`http://127.0.0.1${path}`, { headers }))

  beforeAll(async () => {
    DBOS.setConfig({ name: 'stream-tokens', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
    const handle = await DBOS.startWorkflow(writer)()
    await handle.getResult()
    id = handle.workflowID
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('streamRoutes() refuses a secret shorter than 32 characters up front', () => {
    for (const secret of ['', 'short', 'x'.repeat(31)]) {
      expect(() => DBOS.streamRoutes({ tokenSecret: secret })).toThrow(DBOSInvalidArgumentError)
      expect(() => DBOS.streamRoutes({ tokenSecret: secret })).toThrow(/tokenSecret: must be a string of at least 32 characters/)
    }
    expect(() => DBOS.streamRoutes({ tokenSecret: 'x'.repeat(32) })).not.toThrow()
    expect(() => DBOS.streamRoutes({})).not.toThrow()
  })

  it('createStreamToken() wants a finite, positive, bounded lifetime', async () => {
    for (const expiresInSeconds of [Number.NaN, Infinity, -Infinity, 1e20, 0, -1, 366 * 24 * 3600]) {
      await expect(createStreamToken(SECRET, { workflowID: id, key: 'out', expiresInSeconds })).rejects.toThrow(DBOSInvalidArgumentError)
      await expect(createStreamToken(SECRET, { workflowID: id, key: 'out', expiresInSeconds })).rejects.toThrow(/Invalid expiresInSeconds: /)
    }
    // A fractional lifetime rounds the expiry up: the token is valid right away.
    const token = await createStreamToken(SECRET, { workflowID: id, key: 'out', expiresInSeconds: 0.5 })
    const res = await get(`/workflows/${id}/streams/out?token=${token}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('event: close')
  })

  it("a bearer credential that is not a stream token goes to the authorize hook; the app's own token reads", async () => {
    hooked.length = 0
    const session = await get(`/workflows/${id}/streams/out`, { authorization: `Bearer ${SESSION}` })
    expect(session.status).toBe(200)
    expect(await session.text()).toContain('event: close')
    // A JWT-shaped token, and a two-part one not signed with our secret: the hook decides (and refuses these).
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'
    const forged = await createStreamToken('another-secret-that-is-long-enough!!', { workflowID: id, key: 'out', expiresInSeconds: 60 })
    expect((await get(`/workflows/${id}/streams/out`, { authorization: `Bearer ${jwt}` })).status).toBe(403)
    expect((await get(`/workflows/${id}/streams/out`, { authorization: `Bearer ${forged}` })).status).toBe(403)
    expect(hooked).toEqual([`Bearer ${SESSION}`, `Bearer ${jwt}`, `Bearer ${forged}`])

    // Our own token for another stream is refused without asking the hook; ?token= is always a stream token.
    const other = await createStreamToken(SECRET, { workflowID: id, key: 'elsewhere', expiresInSeconds: 60 })
    expect((await get(`/workflows/${id}/streams/out`, { authorization: `Bearer ${other}` })).status).toBe(403)
    expect((await get(`/workflows/${id}/streams/out?token=${SESSION}`)).status).toBe(401)
    expect(hooked.length).toBe(3)
    const mine = await createStreamToken(SECRET, { workflowID: id, key: 'out', expiresInSeconds: 60 })
    const own = await get(`/workflows/${id}/streams/out`, { authorization: `Bearer ${mine}` })
    expect(own.status).toBe(200)
    expect(await own.text()).toContain('event: close')
    expect(hooked.length).toBe(3)
  })
})
