import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

/** Escaped HTML. */
export type Html = HtmlEscapedString

/**
 * Hono's `html` tag, which escapes every interpolated string, typed as synchronous: views read the database
 * first and render afterwards, so they never interpolate a promise (the only thing that makes `html` async).
 */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return html(strings, ...values) as Html
}
