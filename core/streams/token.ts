// Stream tokens: an HMAC-SHA-256 signature over (workflow ID, stream key, expiry), so that a server can hand a
// browser a URL that reads one stream, for a while, and nothing else. Web Crypto runs on every runtime.

import { DBOSInvalidArgumentError } from '../errors.ts'
import { currentRuntime } from '../runtime.ts'

const encoder = new TextEncoder()

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)
  try {
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

/** The shortest secret that signs stream tokens: 32 characters. */
export const MIN_SECRET_LENGTH = 32

/** The longest a token may live: one year. A longer grant is a mistake (seconds taken for milliseconds). */
export const MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`A stream token secret needs at least ${MIN_SECRET_LENGTH} characters`)
  }
  return await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

/** What a token grants. */
export interface StreamGrant {
  workflowID: string
  key: string
  /** Expiry, epoch seconds. */
  exp: number
}

/**
 * Signs a token that lets its holder read one stream of one workflow until it expires.
 * @example const token = await createStreamToken(secret, { workflowID, key: 'tokens', expiresInSeconds: 600 })
 */
export async function createStreamToken(
  secret: string,
  grant: { workflowID: string; key: string; expiresInSeconds: number },
  now: number = currentRuntime().timer.now(),
): Promise<string> {
  const { expiresInSeconds } = grant
  // NaN or a negative lifetime would sign a token that is already expired; Infinity or 1e20 one that never is.
  if (typeof expiresInSeconds !== 'number' || !Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0 ||
    expiresInSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new DBOSInvalidArgumentError(
      'expiresInSeconds',
      `must be a finite number of seconds above 0 and at most ${MAX_TOKEN_LIFETIME_SECONDS}`,
      String(expiresInSeconds),
    )
  }
  for (const field of ['workflowID', 'key'] as const) {
    if (typeof grant[field] !== 'string') throw new DBOSInvalidArgumentError(field, 'must be a string', typeof grant[field])
  }
  // Whole seconds, rounded up: a token never expires before the lifetime asked for.
  const payload: StreamGrant = { workflowID: grant.workflowID, key: grant.key, exp: Math.ceil((now + expiresInSeconds * 1000) / 1000) }
  const body = base64url(encoder.encode(JSON.stringify(payload)))
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body)))
  return `${body}.${base64url(signature)}`
}

/** Why a token was refused; undefined when it grants exactly this stream. */
export type TokenProblem = 'malformed' | 'bad-signature' | 'expired' | 'other-stream'

/** Checks a token against the stream asked for (signature first, in constant time, then expiry and scope). */
export async function checkStreamToken(
  secret: string,
  token: string,
  workflowID: string,
  key: string,
  now: number = currentRuntime().timer.now(),
): Promise<TokenProblem | undefined> {
  const [body, sig, extra] = token.split('.')
  const signature = sig === undefined ? undefined : fromBase64url(sig)
  if (!body || !signature || extra !== undefined) return 'malformed'
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signature, encoder.encode(body))
  if (!valid) return 'bad-signature'
  let grant: StreamGrant
  try {
    grant = JSON.parse(new TextDecoder().decode(fromBase64url(body)))
  } catch {
    return 'malformed'
  }
  if (typeof grant.exp !== 'number' || grant.exp * 1000 <= now) return 'expired'
  if (grant.workflowID !== workflowID || grant.key !== key) return 'other-stream'
  return undefined
}
