import { assertSerializable } from './assert-serializable.ts'
import { errorToPortable, errorToRecord, portableToError, recordToError } from './error-codec.ts'
import { legacyParse } from './legacy.ts'
import { portableParse, portableStringify } from './portable-json.ts'
import {
  hasRecipe,
  markedRecord,
  superjsonDeserialize,
  superjsonParse,
  superjsonStringify,
} from './superjson.ts'

export { registerHandleReviver, registerSerializationRecipe } from './superjson.ts'
export type { SerializationRecipe } from './superjson.ts'

/**
 * A user-supplied serializer (docs/sysdb.md §2.5). Its `name()` is stored in the `serialization` columns,
 * so rows it writes can be read only by processes configured with a serializer of the same name.
 */
export interface DBOSSerializer {
  /** Format name stored beside each payload; `'custom'` when omitted. */
  name?(): string
  stringify(value: unknown): string | Promise<string>
  parse(text: string | null | undefined): unknown | Promise<unknown>
}

/** Name of the default format, byte-compatible with DBOS TS. */
export const SUPERJSON = 'js_superjson'
/** Name of the language-neutral format. */
export const PORTABLE = 'portable_json'

type Text = string | null | undefined
type Format = string | null | undefined

/**
 * Encodes and decodes every payload column: values, workflow argument lists and errors, in
 * `js_superjson`, `portable_json` or the configured custom format. Reads dispatch on the stored
 * format name, so one process reads rows written by peers configured differently.
 */
export class Serialization {
  /** The app format name: `'js_superjson'` by default, else the custom serializer's name. */
  readonly appFormat: string
  readonly #custom: DBOSSerializer | undefined

  constructor(custom?: DBOSSerializer) {
    this.#custom = custom
    this.appFormat = custom === undefined ? SUPERJSON : (custom.name?.() ?? 'custom')
  }

  /**
   * Encodes one value (step output, event, message, workflow output) in `format`.
   * Throws a TypeError naming the path of a function, symbol or circular reference.
   * @param label Root name used in those messages.
   */
  async encode(
    value: unknown,
    format: string = this.appFormat,
    label = 'output',
  ): Promise<string> {
    if (isBuiltin(format)) return this.encodeSync(value, format, label)
    return await this.#customFor(format).stringify(value)
  }

  /** Synchronous `encode` for the built-in formats; throws TypeError for any other format. */
  encodeSync(value: unknown, format: string = this.appFormat, label = 'output'): string {
    if (format === SUPERJSON) {
      assertSerializable(value, label, hasRecipe)
      return superjsonStringify(value)
    }
    if (format === PORTABLE) {
      assertSerializable(value, label)
      return portableStringify(value)
    }
    throw new TypeError(`encodeSync supports only ${SUPERJSON} and ${PORTABLE}, not ${format}`)
  }

  /** Decodes a stored value; NULL text is `null` in every format. */
  async decode(text: Text, format: Format): Promise<unknown> {
    if (text === null || text === undefined) return null
    const custom = this.#customForRead(format)
    return custom === undefined ? this.decodeSync(text, format) : await custom.parse(text)
  }

  /** Synchronous `decode` for the built-in formats (and NULL when the app format is built in). */
  decodeSync(text: Text, format: Format): unknown {
    if (text === null || text === undefined) return null
    const name = format ?? this.appFormat
    if (name === PORTABLE) return portableParse(text)
    if (name !== SUPERJSON) throw unavailable(name)
    if (format !== null && format !== undefined) return superjsonParse(text)
    // NULL format: rows from TS <= 3.x carry no marker and use the hand-tagged legacy encoding.
    const parsed: unknown = JSON.parse(text)
    const record = markedRecord(parsed)
    return record === undefined ? legacyParse(text) : superjsonDeserialize(record)
  }

  /** Encodes workflow arguments: the array itself, or `{"positionalArgs":[...]}` if portable. */
  async encodeArgs(args: unknown[], format: string = this.appFormat): Promise<string> {
    if (format === PORTABLE) {
      assertSerializable(args, 'args')
      return portableStringify({ positionalArgs: args })
    }
    return await this.encode(args, format, 'args')
  }

  /** Decodes a workflow argument list; NULL text is an empty list. */
  async decodeArgs(text: Text, format: Format): Promise<unknown[]> {
    if (text === null || text === undefined) return []
    const decoded = await this.decode(text, format)
    const args = (format ?? this.appFormat) === PORTABLE ? positionalArgs(decoded) : decoded
    if (!Array.isArray(args)) {
      throw new TypeError('Workflow inputs did not decode to an argument list')
    }
    return args
  }

  /**
   * Encodes a thrown value: serialize-error's record (with `cause`) in `js_superjson` or a custom
   * format, `{"name","message","code"?,"data"?}` in `portable_json`.
   */
  async encodeError(error: unknown, format: string = this.appFormat): Promise<string> {
    if (format === PORTABLE) return encodePortableError(error)
    if (format === SUPERJSON) return encodeSuperjsonError(error)
    return await this.#customFor(format).stringify(errorToRecord(error))
  }

  /** Decodes a stored error; a portable one becomes a `PortableWorkflowError`. */
  async decodeError(text: Text, format: Format): Promise<Error> {
    if (text === null || text === undefined) {
      return new Error('The error was recorded without a payload')
    }
    const decoded = await this.decode(text, format)
    const portable = (format ?? this.appFormat) === PORTABLE
    return portable ? portableToError(decoded) : recordToError(decoded)
  }

  /** `decode` for introspection: on failure the value is its raw text. */
  async safeDecode(text: Text, format: Format): Promise<unknown> {
    try {
      return await this.decode(text, format)
    } catch {
      // Listings must show rows written in formats this process cannot read, not fail on them.
      return text
    }
  }

  /** `decodeArgs` for introspection: on failure the list holds the raw text as its one element. */
  async safeDecodeArgs(text: Text, format: Format): Promise<unknown[]> {
    try {
      return await this.decodeArgs(text, format)
    } catch {
      // Same reason as safeDecode; the array wrapper keeps the declared type.
      return [text]
    }
  }

  /** `decodeError` for introspection: on failure the error is `new Error(rawText)`. */
  async safeDecodeError(text: Text, format: Format): Promise<Error> {
    try {
      return await this.decodeError(text, format)
    } catch {
      // Same reason as safeDecode.
      return new Error(text ?? '')
    }
  }

  #customFor(format: string): DBOSSerializer {
    if (this.#custom !== undefined && format === this.appFormat) return this.#custom
    throw new TypeError(
      `Serializer provided (${this.appFormat}) is not compatible with the required ` +
        `serialization (${format})`,
    )
  }

  // The custom serializer when it owns `format` (NULL means the app format), else undefined.
  #customForRead(format: Format): DBOSSerializer | undefined {
    const name = format ?? this.appFormat
    return isBuiltin(name) || name !== this.appFormat ? undefined : this.#custom
  }
}

function isBuiltin(format: string): boolean {
  return format === SUPERJSON || format === PORTABLE
}

function unavailable(format: string): TypeError {
  return new TypeError(`Value deserialization type ${format} is not available`)
}

// perdure writes only positionalArgs; namedArgs (Python kwargs) has no JS counterpart.
function positionalArgs(decoded: unknown): unknown {
  if (Array.isArray(decoded)) return decoded
  if (typeof decoded !== 'object' || decoded === null) return decoded
  return (decoded as { positionalArgs?: unknown }).positionalArgs ?? []
}

// Recording an error must not fail: if `code` or `data` cannot be encoded, keep name and message.
function encodePortableError(error: unknown): string {
  const record = errorToPortable(error)
  try {
    return portableStringify(record)
  } catch {
    return portableStringify({ name: record.name, message: record.message })
  }
}

function encodeSuperjsonError(error: unknown): string {
  try {
    return superjsonStringify(errorToRecord(error))
  } catch {
    // Same reason as encodePortableError: fall back to the fields every error has.
    const { name, message } = errorToPortable(error)
    const stack = error instanceof Error ? error.stack : undefined
    return superjsonStringify(stack === undefined ? { name, message } : { name, message, stack })
  }
}
