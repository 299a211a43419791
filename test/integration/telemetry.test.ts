// OpenTelemetry: spans for workflows and steps, exported over OTLP/HTTP to an endpoint the test runs.
import { Hono } from 'hono'
import { expect, it } from '../harness.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, serve } = perdure

const traced = DBOS.registerWorkflow(async (n: number) => {
  const a = await DBOS.runStep(() => n + 1, { name: 'addOne' })
  await DBOS.runStep(() => {
    throw new Error('step failed on purpose')
  }, { name: 'failing' }).catch(() => {})
  return a
}, { name: 'traced' })

interface OtlpSpan {
  name: string
  spanId: string
  parentSpanId?: string
  attributes: { key: string; value: Record<string, unknown> }[]
  status?: { code?: number }
}

describeOn('pglite', 'telemetry', () => {
  it('exports a span per workflow and per step to the configured OTLP endpoint', async () => {
    const spans: OtlpSpan[] = []
    const collector = new Hono().post('/v1/traces', async (c) => {
      const body = (await c.req.json()) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }
      for (const r of body.resourceSpans) for (const scope of r.scopeSpans) spans.push(...scope.spans)
      return c.json({})
    })
    const server = await serve(collector.fetch, { port: 0 })
    let workflowID = ''
    try {
      DBOS.setConfig({
        name: 'telemetry',
        systemDatabaseUrl: 'memory://',
        enableOTLP: true,
        otlpTracesEndpoints: [`http://127.0.0.1:${server.port}/v1/traces`],
      })
      await DBOS.launch()
      const handle = await DBOS.startWorkflow(traced)(41)
      workflowID = handle.workflowID
      expect(await handle.getResult()).toBe(42)
      await DBOS.shutdown() // flushes the exporter
    } finally {
      await server.close()
    }
    const workflow = spans.find((s) => s.name === 'traced')
    expect(workflow).toBeDefined()
    // OTLP/JSON carries strings as stringValue and integers as intValue (a string, for 64-bit safety).
    const attribute = (s: OtlpSpan, key: string) => {
      const value = s.attributes.find((a) => a.key === key)?.value
      return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue))
    }
    expect(workflowID).not.toBe('')
    expect(attribute(workflow!, 'dbos.workflow.id')).toBe(workflowID)
    expect(attribute(workflow!, 'dbos.operation.type')).toBe('workflow')
    const steps = spans
      .filter((s) => s.parentSpanId === workflow!.spanId)
      .map((s) => [s.name, s.status?.code, attribute(s, 'dbos.workflow.id'), attribute(s, 'dbos.step.id')])
    expect(steps).toEqual([['addOne', 1, workflowID, 0], ['failing', 2, workflowID, 1]])
  })
})
