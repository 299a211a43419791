import { SuperJSON } from 'superjson'
import { bytesFrom, isBuffer } from './bytes.ts'

/**
 * `js_superjson` (docs/sysdb.md §2.2): superjson 1.13 output plus a trailing marker member, byte-compatible
 * with DBOS TS 5.3.0. A private SuperJSON instance keeps our recipes off the global default one.
 */
const superjson = new SuperJSON()

type SuperJSONResult = ReturnType<SuperJSON['serialize']>
type JSONValue = SuperJSONResult['json']

/** Key of the member that marks a payload as written by this serializer. */
export const MARKER_KEY = '__dbos_serializer'
/** Value of the marker member. */
export const MARKER_VALUE = 'superjson'

/** A custom type conversion for `js_superjson`, as accepted by `DBOS.registerSerialization`. */
export interface SerializationRecipe<TValue, TJson extends JSONValue> {
  /** Stored in the payload's `meta` as `["custom", name]`; peers must use the same name. */
  name: string
  isApplicable(value: unknown): value is TValue
  serialize(value: TValue): TJson
  deserialize(json: TJson): TValue
}

/** Registers a recipe. Recipes are process-wide and are tried in registration order. */
export function registerSerializationRecipe<TValue, TJson extends JSONValue>(
  recipe: SerializationRecipe<TValue, TJson>,
): void {
  superjson.registerCustom<TValue, TJson>(
    {
      isApplicable: (v): v is TValue => recipe.isApplicable(v),
      serialize: (v) => recipe.serialize(v),
      deserialize: (j) => recipe.deserialize(j),
    },
    recipe.name,
  )
}

/** True when a registered recipe (Buffer, workflow handle, user recipe) will encode the value. */
export function hasRecipe(value: object): boolean {
  return superjson.customTransformerRegistry.findApplicable(value) !== undefined
}

type HandleReviver = (workflowID: string) => unknown

function stubHandle(workflowID: string): unknown {
  return {
    workflowID,
    getResult: (): Promise<never> =>
      Promise.reject(
        new TypeError(
          `Workflow handle ${workflowID} was decoded before a handle factory was registered`,
        ),
      ),
  }
}

let reviveHandle: HandleReviver = stubHandle

/** Lets the engine turn decoded `DBOS.WorkflowHandle` payloads into live handles. */
export function registerHandleReviver(fn: (workflowID: string) => unknown): void {
  reviveHandle = fn
}

interface HandleLike {
  workflowID: string | (() => string)
  getResult(): unknown
}

function isWorkflowHandle(value: unknown): value is HandleLike {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { workflowID?: unknown; getResult?: unknown }
  if (typeof candidate.getResult !== 'function') return false
  // DBOS handles expose `workflowID` as a getter; accept a method too.
  return typeof candidate.workflowID === 'string' || typeof candidate.workflowID === 'function'
}

registerSerializationRecipe<Uint8Array, number[]>({
  name: 'Buffer',
  isApplicable: isBuffer,
  serialize: (buffer) => Array.from(buffer),
  deserialize: (bytes) => bytesFrom(bytes),
})

registerSerializationRecipe<unknown, { wfid: string }>({
  name: 'DBOS.WorkflowHandle',
  isApplicable: isWorkflowHandle,
  serialize: (handle) => {
    const id = (handle as HandleLike).workflowID
    return { wfid: typeof id === 'function' ? id.call(handle) : id }
  },
  deserialize: ({ wfid }) => reviveHandle(wfid),
})

/** Encodes as `{...superjson.serialize(v), "__dbos_serializer": "superjson"}`, marker last. */
export function superjsonStringify(value: unknown): string {
  return JSON.stringify({ ...superjson.serialize(value), [MARKER_KEY]: MARKER_VALUE })
}

/** The parsed text when it carries the marker, else `undefined`. */
export function markedRecord(parsed: unknown): SuperJSONResult | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined
  const record = parsed as Record<string, unknown>
  return record[MARKER_KEY] === MARKER_VALUE && 'json' in record
    ? (record as unknown as SuperJSONResult)
    : undefined
}

/** Decodes a marked payload. */
export function superjsonDeserialize(record: SuperJSONResult): unknown {
  return superjson.deserialize(record)
}

/** Decodes `js_superjson` text; text without the marker was not written by this format. */
export function superjsonParse(text: string): unknown {
  const record = markedRecord(JSON.parse(text))
  if (record === undefined) {
    throw new TypeError(
      `Value carries no ${MARKER_VALUE} marker, so it was not written by this serializer`,
    )
  }
  return superjson.deserialize(record)
}
