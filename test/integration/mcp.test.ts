// Issue #17, "Must show" 4: the MCP server, driven by the SDK's own client. Over Streamable HTTP against the
// admin server of an application launched here, and over stdio against `perdure mcp` spawned on this runtime
// (the bin, adapters/cli/main.ts) on the same system database: the client lists workflows and reads one's steps, a
// write tool is refused while writes are off, and with them on a cancel lands in the database. On PGlite the
// stdio server opens the application's data directory after the application has shut down (an embedded
// database is held by one process). The admin guards cover /mcp; a missing SDK is a clear failure.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { Hono } from 'hono'
import { adminDeps, createAdminApp } from '../../core/admin/app.ts'
import { runCli } from '../../core/cli/run.ts'
import { launchedSystem } from '../../core/dbos.ts'
import type { CliContext } from '../../core/cli/command.ts'
import { createMcpCommand } from '../../core/mcp/command.ts'
import { mcpHandler } from '../../core/mcp/http.ts'
import { McpSdkMissingError } from '../../core/mcp/sdk.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { scriptCommand } from '../support/command.ts'
import { describeEachDatabase, describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS, serve } = perdure
const APP = 'mcp-test'

const done = DBOS.registerWorkflow(async (x: number) => {
  const a = await DBOS.runStep(async () => x + 1, { name: 'first' })
  const b = await DBOS.runStep(async () => a * 2, { name: 'second' })
  await DBOS.setEvent('progress', { a, b })
  await DBOS.writeStream('out', 'one')
  await DBOS.writeStream('out', 'two')
  await DBOS.closeStream('out')
  return b
}, { name: 'mcpDone' })

// Waits for a message that never comes: PENDING until cancelled (or the wait ends at shutdown).
const waiting = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(async () => 'started', { name: 'start' })
  return await DBOS.recv<string>('go', 600)
}, { name: 'mcpWaiting' })

// Starts a waiting child under `<own ID>-child`, then waits itself.
const parent = DBOS.registerWorkflow(async () => {
  await DBOS.startWorkflow(waiting, { workflowID: `${DBOS.workflowID}-child` })()
  return await DBOS.recv<string>('go', 600)
}, { name: 'mcpParent' })

interface Text {
  type: string
  text: string
}
interface ToolAnswer {
  content: Text[]
  isError?: boolean
}

const WRITE_TOOLS = ['cancel_workflow', 'fork_workflow', 'resume_workflow', 'send_message']
const READ_TOOLS = ['get_event', 'get_workflow', 'list_queues', 'list_steps', 'list_workflows', 'read_stream']

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'perdure-test', version: '1.0.0' })
  await client.connect(transport)
  return client
}

async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  return (await client.callTool({ name, arguments: args })) as ToolAnswer
}

/** A tool's answer parsed from its JSON text; fails on a tool error, showing it. */
async function json<T = unknown>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const answer = await callTool(client, name, args)
  expect({ isError: answer.isError ?? false, text: answer.isError ? answer.content[0]?.text : '' }).toEqual({ isError: false, text: '' })
  return JSON.parse(answer.content[0]!.text) as T
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort()
}

/** What every transport must show: the listing, one workflow's steps, event and stream, and a refused write. */
async function readsAndRefuses(client: Client, doneID: string, waitingID: string): Promise<void> {
  expect(await toolNames(client)).toEqual(READ_TOOLS)
  const listed = await json<{ workflowID: string; status: string; workflowName: string }[]>(client, 'list_workflows', { name: 'mcpDone' })
  expect(listed.map((w) => [w.workflowID, w.status])).toContainEqual([doneID, 'SUCCESS'])
  const prefixed = await json<{ workflowID: string }[]>(client, 'list_workflows', { id_prefix: doneID, limit: 5 })
  expect(prefixed.map((w) => w.workflowID)).toEqual([doneID])
  const pending = await json<{ workflowID: string }[]>(client, 'list_workflows', { status: 'PENDING', name: 'mcpWaiting' })
  expect(pending.map((w) => w.workflowID)).toContain(waitingID)

  const got = await json<{ status: string; input: unknown; output: unknown; createdAt: string }>(client, 'get_workflow', { workflow_id: doneID })
  expect({ status: got.status, input: got.input, output: got.output }).toEqual({ status: 'SUCCESS', input: [1], output: 4 })
  expect(Number.isNaN(Date.parse(got.createdAt))).toBe(false)

  const steps = await json<{ functionID: number; name: string; output: unknown }[]>(client, 'list_steps', { workflow_id: doneID })
  expect(steps.filter((s) => s.name === 'first' || s.name === 'second').map((s) => [s.name, s.output])).toEqual([['first', 2], ['second', 4]])
  expect(steps.map((s) => s.functionID)).toEqual([...steps.map((s) => s.functionID)].sort((a, b) => a - b))

  expect(await json(client, 'get_event', { workflow_id: doneID, key: 'progress' })).toEqual({ key: 'progress', set: true, value: { a: 2, b: 4 } })
  expect(await json(client, 'get_event', { workflow_id: doneID, key: 'nothing' })).toEqual({ key: 'nothing', set: false })
  expect(await json(client, 'read_stream', { workflow_id: doneID, key: 'out' })).toEqual({ values: ['one', 'two'], nextOffset: 2, state: 'closed' })
  expect(await json(client, 'read_stream', { workflow_id: doneID, key: 'out', limit: 1 })).toEqual({ values: ['one'], nextOffset: 1, state: 'open' })
  expect(await json(client, 'read_stream', { workflow_id: doneID, key: 'out', limit: 2 })).toEqual({ values: ['one', 'two'], nextOffset: 2, state: 'closed' })
  expect(await json(client, 'read_stream', { workflow_id: doneID, key: 'out', offset: 1, limit: 1 })).toEqual({ values: ['two'], nextOffset: 2, state: 'closed' })
  expect(await json(client, 'read_stream', { workflow_id: doneID, key: 'none' })).toEqual({ values: [], nextOffset: 0, state: 'ended' })

  const missing = await callTool(client, 'get_workflow', { workflow_id: 'no-such-workflow' })
  expect(missing.isError).toBe(true)
  expect(missing.content[0]!.text).toContain('no-such-workflow')
  const bad = await callTool(client, 'list_workflows', { status: 'BOGUS', colour: 'red' })
  expect(bad.isError).toBe(true)
  expect(bad.content[0]!.text).toMatch(/status/)

  const refused = await callTool(client, 'cancel_workflow', { workflow_id: waitingID })
  expect(refused.isError).toBe(true)
  expect(refused.content[0]!.text).toContain('--allow-writes')
  expect(refused.content[0]!.text).toContain('adminMcpWrites')
}

/** Cancels through the tool and checks the answer. */
async function cancels(client: Client, waitingID: string): Promise<void> {
  expect(await toolNames(client)).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort())
  expect(await json(client, 'cancel_workflow', { workflow_id: waitingID })).toEqual({ cancelled: [waitingID] })
}

describeEachDatabase('MCP server', (db) => {
  let url = ''
  let port = 0
  const ids = { done: `mcp-done-${crypto.randomUUID()}`, httpWait: `mcp-http-${crypto.randomUUID()}`, stdioWait: `mcp-stdio-${crypto.randomUUID()}` }
  let stderr = ''

  /** `perdure mcp` on this runtime, spawned by the SDK's stdio client. */
  const stdio = (...flags: string[]) => {
    const [command, args] = scriptCommand('adapters/cli/main.ts', ['mcp', '--db', url, ...flags])
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined))
    delete env.DBOS_SYSTEM_DATABASE_URL
    const transport = new StdioClientTransport({ command, args, env, stderr: 'pipe' })
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    return transport
  }
  const http = (p: number, headers: Record<string, string> = {}) =>
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${p}/mcp`), { requestInit: { headers } })

  beforeAll(async () => {
    // A free port for the launched admin server: take one, then let it go.
    const probe = await serve(() => new Response(''), { port: 0 })
    port = probe.port
    await probe.close()
    url = db.persistent()
    DBOS.setConfig({ name: APP, systemDatabaseUrl: url, logLevel: 'warn', runAdminServer: true, adminPort: port })
    await DBOS.launch()
    expect(await (await DBOS.startWorkflow(done, { workflowID: ids.done })(1)).getResult()).toBe(4)
    await DBOS.startWorkflow(waiting, { workflowID: ids.httpWait })()
    await DBOS.startWorkflow(waiting, { workflowID: ids.stdioWait })()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('HTTP on the launched admin server: lists workflows, reads steps, events and streams; refuses writes', async () => {
    const client = await connect(http(port))
    try {
      await readsAndRefuses(client, ids.done, ids.httpWait)
    } finally {
      await client.close()
    }
    expect((await DBOS.getWorkflowStatus(ids.httpWait))?.status).toBe('PENDING')
  })

  it('HTTP with mcpWrites: the cancel takes effect; the admin token and the Origin check guard /mcp', async () => {
    const system = launchedSystem()!
    const token = `mcp-${crypto.randomUUID()}`
    const server = await serve(createAdminApp(adminDeps(system.engine, system.dispatcher), { mcpWrites: true, token }).fetch, { port: 0 })
    try {
      await expect(connect(http(server.port))).rejects.toThrow()
      const client = await connect(http(server.port, { authorization: `Bearer ${token}` }))
      try {
        await cancels(client, ids.httpWait)
      } finally {
        await client.close()
      }
      expect((await DBOS.getWorkflowStatus(ids.httpWait))?.status).toBe('CANCELLED')
      // Children are cancelled only when asked, as DBOS.cancelWorkflow does.
      const parentID = `mcp-parent-${crypto.randomUUID()}`
      await DBOS.startWorkflow(parent, { workflowID: parentID })()
      await waitFor('the child', async () => (await DBOS.getWorkflowStatus(`${parentID}-child`)) ?? undefined)
      const withChildren = await connect(http(server.port, { authorization: `Bearer ${token}` }))
      try {
        const listed = (await withChildren.listTools()).tools.find((t) => t.name === 'cancel_workflow')!
        expect(listed.description).not.toContain('child workflows:')
        expect(Object.keys(listed.inputSchema.properties ?? {})).toEqual(['workflow_id', 'cancel_children'])
        const answer = await json<{ cancelled: string[] }>(withChildren, 'cancel_workflow', { workflow_id: parentID, cancel_children: true })
        expect(answer.cancelled.sort()).toEqual([parentID, `${parentID}-child`].sort())
      } finally {
        await withChildren.close()
      }
      expect((await DBOS.getWorkflowStatus(`${parentID}-child`))?.status).toBe('CANCELLED')
    } finally {
      await server.close()
    }
    // Without a token, a page of another site cannot drive it, nor can a rebound host name reach it.
    const app = createAdminApp(adminDeps(system.engine, system.dispatcher))
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
    const post = (headers: Record<string, string>) => app.request('http://127.0.0.1:3001/mcp', {
      method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    })
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403)
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403)
    expect((await post({ host: 'evil.example' })).status).toBe(403)
    expect((await post({})).status).toBe(200)
    expect((await app.request('/mcp', { headers: { accept: 'text/event-stream' } })).status).toBe(405)
  })

  it('stdio (perdure mcp): lists workflows, reads steps; a write needs --allow-writes, and then cancels', async () => {
    // An embedded database is held by the process that opened it: the application lets go of it first.
    if (db.name === 'pglite') await DBOS.shutdown()
    stderr = ''
    const reader = await connect(stdio())
    try {
      await readsAndRefuses(reader, ids.done, ids.stdioWait)
    } finally {
      await reader.close()
    }
    const writer = await connect(stdio('--allow-writes'))
    try {
      await cancels(writer, ids.stdioWait)
    } finally {
      await writer.close()
    }
    // A new server process reads the cancel back from the database.
    const check = await connect(stdio())
    try {
      expect((await json<{ status: string }>(check, 'get_workflow', { workflow_id: ids.stdioWait })).status).toBe('CANCELLED')
    } finally {
      await check.close()
    }
    expect(stderr).toContain('perdure mcp: serving')
    expect(stderr).not.toMatch(/^\s+at /m)
  })
})

describeOn('pglite', 'MCP server without the SDK', () => {
  const failing = () => Promise.reject(new McpSdkMissingError(new Error("Cannot find package '@modelcontextprotocol/sdk'")))

  it('/mcp answers 501 with the reason; perdure mcp exits 1 saying what to install', async () => {
    const app = new Hono()
    app.all('/mcp', mcpHandler({ sys: () => { throw new Error('unused') }, serialization: () => { throw new Error('unused') }, writes: () => false }, () => {}, failing))
    const res = await app.request('/mcp', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(501)
    expect(((await res.json()) as { error: string }).error).toContain('npm install @modelcontextprotocol/sdk')

    let err = ''
    const ctx: CliContext = {
      runtime: perdure.createRuntime(),
      out: () => {},
      err: (text) => {
        err += text
      },
      confirm: async () => undefined,
      stdio: () => ({ input: new ReadableStream(), output: new WritableStream() }),
    }
    expect(await runCli(['mcp', '--db', 'postgres://127.0.0.1:1/none'], ctx, [createMcpCommand(failing)])).toBe(1)
    expect(err).toContain('optional package @modelcontextprotocol/sdk')
  })
})
