import { type Span, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api'
import type { DBOSLogger } from '../logger.ts'

/** Ends a span, marking it failed when given an error. */
export type EndSpan = (error?: unknown) => void

const NO_SPAN: EndSpan = () => {}

/**
 * Spans for workflows and their steps, through @opentelemetry/api. A tracer provider the host registered is
 * used as is; otherwise, with `otlpTracesEndpoints`, Perdure exports to them itself. Disabled, it costs a
 * function call per step.
 */
export class Tracing {
  readonly #tracer: Tracer | undefined
  readonly #flush: () => Promise<void>

  private constructor(tracer: Tracer | undefined, flush: () => Promise<void>) {
    this.#tracer = tracer
    this.#flush = flush
  }

  static disabled(): Tracing {
    return new Tracing(undefined, async () => {})
  }

  /** Sets up tracing for `enableOTLP`; the exporter is loaded only when Perdure has to export itself. */
  static async create(endpoints: readonly string[], logger: DBOSLogger): Promise<Tracing> {
    const proxy = trace.getTracerProvider() as { getDelegate?: () => object }
    const delegate = proxy.getDelegate?.()
    const hostProvider = delegate !== undefined && delegate.constructor.name !== 'NoopTracerProvider'
    if (hostProvider || endpoints.length === 0) {
      if (!hostProvider) logger.warn('enableOTLP is set, but no tracer provider is registered and no otlpTracesEndpoints are configured: spans go nowhere')
      return new Tracing(trace.getTracer('perdure'), async () => {})
    }
    const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base')
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http')
    const provider = new BasicTracerProvider({
      spanProcessors: endpoints.map((url) => new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 200 })),
    })
    return new Tracing(provider.getTracer('perdure'), async () => {
      await provider.forceFlush()
      await provider.shutdown()
    })
  }

  /** A span for one execution of a workflow; `parent` nests it under the workflow that started it. */
  startWorkflow(workflowID: string, name: string, parent?: Span): { span: Span | undefined; end: EndSpan } {
    if (!this.#tracer) return { span: undefined, end: NO_SPAN }
    const ctx = parent ? trace.setSpan(context.active(), parent) : context.active()
    const span = this.#tracer.startSpan(name, { attributes: { 'dbos.workflow.id': workflowID, 'dbos.operation.type': 'workflow' } }, ctx)
    return { span, end: ender(span) }
  }

  /** A span for a step, child of its workflow's span. */
  startStep(parent: Span | undefined, workflowID: string, stepID: number, name: string): EndSpan {
    if (!this.#tracer || !parent) return NO_SPAN
    const span = this.#tracer.startSpan(name, {
      attributes: { 'dbos.workflow.id': workflowID, 'dbos.step.id': stepID, 'dbos.operation.type': 'step' },
    }, trace.setSpan(context.active(), parent))
    return ender(span)
  }

  /** Sends what is buffered and stops exporting (at shutdown). */
  async close(): Promise<void> {
    await this.#flush()
  }
}

function ender(span: Span): EndSpan {
  return (error?: unknown) => {
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error))
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) })
    } else {
      span.setStatus({ code: SpanStatusCode.OK })
    }
    span.end()
  }
}
