import { describe, expect, it } from '../harness.ts'
import {
  DBOSError,
  DBOSMaxStepRetriesError,
  PortableWorkflowError,
} from '../../core/errors.ts'
import {
  type DBOSSerializer,
  PORTABLE,
  registerHandleReviver,
  Serialization,
  SUPERJSON,
} from '../../core/serialization/serializer.ts'

const s = new Serialization()
const d1 = new Date('2025-06-15T10:30:00Z')
const d2 = new Date('2025-06-15T10:30:00.123Z')

class MyErr extends Error {
  override name = 'MyErr'
  code = 42
}

async function roundTrip(value: unknown, format?: string): Promise<unknown> {
  const text = await s.encode(value, format)
  return await s.decode(text, format ?? SUPERJSON)
}

describe('js_superjson golden bytes (docs/sysdb.md §2.2)', () => {
  it('matches DBOS 5.3.0 byte for byte', async () => {
    expect(s.appFormat).toBe('js_superjson')
    expect(await s.encodeArgs(['a', 1])).toBe('{"json":["a",1],"__dbos_serializer":"superjson"}')
    expect(await s.encode('hi')).toBe('{"json":"hi","__dbos_serializer":"superjson"}')
    expect(await s.encode(undefined)).toBe(
      '{"json":null,"meta":{"values":["undefined"]},"__dbos_serializer":"superjson"}',
    )
    expect(await s.encode(d1)).toBe(
      '{"json":"2025-06-15T10:30:00.000Z","meta":{"values":["Date"]},' +
        '"__dbos_serializer":"superjson"}',
    )
    expect(await s.encode([d1, d2])).toBe(
      '{"json":["2025-06-15T10:30:00.000Z","2025-06-15T10:30:00.123Z"],' +
        '"meta":{"values":{"0":["Date"],"1":["Date"]}},"__dbos_serializer":"superjson"}',
    )
    expect(await s.encode({ a: 1n })).toBe(
      '{"json":{"a":"1"},"meta":{"values":{"a":["bigint"]}},"__dbos_serializer":"superjson"}',
    )
    expect(await s.encode(new Map([['a', 1]]))).toBe(
      '{"json":[["a",1]],"meta":{"values":["map"]},"__dbos_serializer":"superjson"}',
    )
  })

  it('encodes an Error through serialize-error', async () => {
    const text = await s.encodeError(new Error('boom'))
    const head = '{"json":{"name":"Error","message":"boom","stack":"Error: boom\\n    at '
    expect(text.startsWith(head)).toBe(true)
    expect(text.endsWith('"},"__dbos_serializer":"superjson"}')).toBe(true)
  })

  it('encodes a Buffer as a list of bytes and decodes it back', async () => {
    const buf = (globalThis as unknown as { Buffer: { from(b: number[]): Uint8Array } }).Buffer
    const text = await s.encode(buf.from([1, 2, 255]))
    expect(text).toBe(
      '{"json":[1,2,255],"meta":{"values":[["custom","Buffer"]]},"__dbos_serializer":"superjson"}',
    )
    const back = (await s.decode(text, SUPERJSON)) as Uint8Array
    expect(back.constructor.name).toBe('Buffer')
    expect(Array.from(back)).toEqual([1, 2, 255])
  })

  it('encodes a workflow handle by ID and revives it through the registered factory', async () => {
    const handle = {
      get workflowID() {
        return 'wf-1'
      },
      getResult: () => Promise.resolve(1),
    }
    const text = await s.encode({ h: handle })
    expect(text).toBe(
      '{"json":{"h":{"wfid":"wf-1"}},"meta":{"values":{"h":[["custom","DBOS.WorkflowHandle"]]}},' +
        '"__dbos_serializer":"superjson"}',
    )
    const stub = (await s.decode(text, SUPERJSON)) as { h: { workflowID: string } }
    expect(stub.h.workflowID).toBe('wf-1')
    // A handle whose workflowID is a method is recognised too.
    const methodHandle = { workflowID: () => 'wf-2', getResult: () => 0 }
    expect(await s.encode(methodHandle)).toContain('"wfid":"wf-2"')
    registerHandleReviver((id) => ({ revived: id }))
    expect(await s.decode(text, SUPERJSON)).toEqual({ h: { revived: 'wf-1' } })
  })
})

describe('js_superjson round trips', () => {
  it('keeps JS types', async () => {
    const value = {
      when: d1,
      big: 12345678901234567890n,
      map: new Map<unknown, unknown>([[1, { deep: new Set(['x']) }]]),
      set: new Set([1, 2]),
      missing: undefined,
      nested: [{ a: [d2, null, undefined] }],
      re: /ab+c/gi,
    }
    expect(await roundTrip(value)).toEqual(value)
    const back = (await roundTrip(value)) as typeof value
    expect(back.when).toBeInstanceOf(Date)
    expect(typeof back.big).toBe('bigint')
    expect(Object.hasOwn(back, 'missing')).toBe(true)
  })

  it('keeps primitives and null', async () => {
    for (const v of [0, -1.5, '', 'héllo ✓', true, null]) expect(await roundTrip(v)).toEqual(v)
    expect(await roundTrip(undefined)).toBeUndefined()
  })

  it('allows the same object twice when it is not circular', async () => {
    const shared = { z: 1 }
    const back = (await roundTrip({ p: shared, q: shared })) as { p: unknown; q: unknown }
    expect(back).toEqual({ p: { z: 1 }, q: { z: 1 } })
  })

  it('requires the marker when the format is js_superjson', async () => {
    await expect(s.decode('{"json":1}', SUPERJSON)).rejects.toThrow(
      new TypeError('Value carries no superjson marker, so it was not written by this serializer'),
    )
  })

  it('reads NULL text as null in every format', async () => {
    expect(await s.decode(null, SUPERJSON)).toBeNull()
    expect(await s.decode(undefined, PORTABLE)).toBeNull()
    expect(await s.decodeArgs(null, SUPERJSON)).toEqual([])
  })

  it('round-trips argument lists', async () => {
    const args = ['a', d1, 3n, undefined]
    expect(await s.decodeArgs(await s.encodeArgs(args), SUPERJSON)).toEqual(args)
  })
})

describe('NULL format and unknown formats (docs/sysdb.md §2.1)', () => {
  it('decodes marked text with superjson', async () => {
    const text = '{"json":"2025-06-15T10:30:00.000Z","meta":{"values":["Date"]},' +
      '"__dbos_serializer":"superjson"}'
    expect(await s.decode(text, null)).toEqual(d1)
  })

  it('falls back to the legacy reviver for unmarked text', async () => {
    const text =
      '{"d":{"dbos_type":"dbos_Date","dbos_data":"2025-06-15T10:30:00.000Z"},' +
      '"n":{"dbos_type":"dbos_BigInt","dbos_data":"12345678901234567890"},' +
      '"b":{"type":"Buffer","data":[1,2]},"plain":[1,"x"]}'
    const back = (await s.decode(text, null)) as Record<string, unknown>
    expect(back.d).toEqual(d1)
    expect(back.n).toBe(12345678901234567890n)
    expect(Array.from(back.b as Uint8Array)).toEqual([1, 2])
    expect(back.plain).toEqual([1, 'x'])
    expect(await s.decode('"hello"', undefined)).toBe('hello')
    const args = '[1,{"dbos_type":"dbos_Date","dbos_data":"2025-06-15T10:30:00.000Z"}]'
    expect(await s.decodeArgs(args, null)).toEqual([1, d1])
  })

  it('rejects formats this process cannot read', async () => {
    for (const name of ['py_pickle', 'DBOS_JSON', 'DBOS_GOB', 'java_jackson', 'js_legacy']) {
      await expect(s.decode('1', name)).rejects.toThrow(
        new TypeError(`Value deserialization type ${name} is not available`),
      )
    }
    await expect(s.decodeArgs('[]', 'py_pickle')).rejects.toThrow(TypeError)
    await expect(s.decodeError('{}', 'py_pickle')).rejects.toThrow(TypeError)
  })
})

describe('portable_json (docs/sysdb.md §2.3)', () => {
  it('writes the cross-language golden argument list', async () => {
    const args = [
      'hello-interop',
      42,
      d1,
      ['alpha', 'beta', 'gamma'],
      { key1: 'value1', key2: 99, nested: { deep: true } },
      true,
      null,
    ]
    expect(await s.encodeArgs(args, PORTABLE)).toBe(
      '{"positionalArgs":["hello-interop",42,"2025-06-15T10:30:00.000Z",["alpha","beta","gamma"],' +
        '{"key1":"value1","key2":99,"nested":{"deep":true}},true,null]}',
    )
  })

  it('reads positionalArgs and ignores namedArgs', async () => {
    const text = '{"positionalArgs":[1,"2025-06-15T10:30:00.000Z"],"namedArgs":{"k":1}}'
    expect(await s.decodeArgs(text, PORTABLE)).toEqual([1, '2025-06-15T10:30:00.000Z'])
    expect(await s.decodeArgs('{"namedArgs":{"k":1}}', PORTABLE)).toEqual([])
  })

  it('applies the replacer rules', async () => {
    const value = {
      when: d1,
      big: 10n,
      set: new Set([1, 2]),
      map: new Map([['k', new Map([['j', 1]])]]),
      err: new TypeError('bad'),
      gone: undefined,
    }
    expect(await s.encode(value, PORTABLE)).toBe(
      '{"when":"2025-06-15T10:30:00.000Z","big":"10","set":[1,2],"map":{"k":{"j":1}},' +
        '"err":{"name":"TypeError","message":"bad"}}',
    )
    await expect(s.encode(new Map([[1, 'x']]), PORTABLE)).rejects.toThrow(
      new TypeError('Attempt to do portable JSON serialization of a map with non-string keys'),
    )
  })

  it('writes null for null and undefined, and non-ASCII literally', async () => {
    expect(await s.encode(undefined, PORTABLE)).toBe('null')
    expect(await s.encode(null, PORTABLE)).toBe('null')
    expect(await s.encode('héllo ✓ 日本', PORTABLE)).toBe('"héllo ✓ 日本"')
    expect(await s.encode(1750000000000, PORTABLE)).toBe('1750000000000')
    expect(await s.encode('__DBOS_STREAM_CLOSED__', PORTABLE)).toBe('"__DBOS_STREAM_CLOSED__"')
  })

  it('revives nothing on decode', async () => {
    expect(await s.decode('{"when":"2025-06-15T10:30:00.000Z"}', PORTABLE)).toEqual({
      when: '2025-06-15T10:30:00.000Z',
    })
  })

  it('writes and reads errors as {name, message, code?, data?}', async () => {
    const err = new MyErr('bad')
    const text = await s.encodeError(err, PORTABLE)
    expect(text).toBe('{"name":"MyErr","message":"bad","code":42}')
    const stored = '{"name":"MyErr","message":"bad","code":42,"data":{"x":[1]}}'
    const back = await s.decodeError(stored, PORTABLE)
    expect(back).toBeInstanceOf(PortableWorkflowError)
    expect(back.name).toBe('MyErr')
    expect(back.message).toBe('bad')
    expect((back as PortableWorkflowError).code).toBe(42)
    expect((back as PortableWorkflowError).data).toEqual({ x: [1] })
    expect(await s.encodeError('plain string', PORTABLE)).toBe(
      '{"name":"Error","message":"plain string"}',
    )
  })
})

describe('errors in js_superjson', () => {
  it('keeps name, message, stack and own properties', async () => {
    const err = new MyErr('bad')
    const back = await s.decodeError(await s.encodeError(err), SUPERJSON)
    expect(back).toBeInstanceOf(Error)
    expect(back.name).toBe('MyErr')
    expect(back.message).toBe('bad')
    expect(back.stack).toBe(err.stack)
    expect((back as unknown as { code: number }).code).toBe(42)
  })

  it('keeps DBOS error names, codes and nested attempt errors', async () => {
    const err = new DBOSMaxStepRetriesError('fetch', 2, [new Error('one'), new TypeError('two')])
    const text = await s.encodeError(err)
    const back = (await s.decodeError(text, SUPERJSON)) as DBOSMaxStepRetriesError
    expect(back.name).toBe('DBOSMaxStepRetriesError')
    expect(back.message).toBe(err.message)
    expect(back.dbosErrorCode).toBe(23)
    expect(back.errors).toHaveLength(2)
    expect(back.errors[1]).toBeInstanceOf(Error)
    expect(back.errors[1]?.name).toBe('TypeError')
    expect(back.errors[1]?.message).toBe('two')
  })

  it('keeps cause chains and AggregateError.errors', async () => {
    const root = new DBOSError('root', 7)
    const err = new Error('outer', { cause: new Error('middle', { cause: root }) })
    const back = await s.decodeError(await s.encodeError(err), SUPERJSON)
    const middle = back.cause as Error
    expect(middle).toBeInstanceOf(Error)
    expect(middle.message).toBe('middle')
    const inner = middle.cause as DBOSError
    expect(inner.name).toBe('DBOSError')
    expect(inner.dbosErrorCode).toBe(7)
    expect(Object.keys(back)).not.toContain('cause')

    const agg = new AggregateError([new Error('a'), new RangeError('b')], 'many')
    const aggBack = (await s.decodeError(await s.encodeError(agg), SUPERJSON)) as AggregateError
    expect(aggBack.name).toBe('AggregateError')
    expect(aggBack.errors.map((e: Error) => e.name)).toEqual(['Error', 'RangeError'])
  })

  it('survives self-referencing causes and non-Error throws', async () => {
    const loop = new Error('loop') as Error & { cause?: unknown }
    loop.cause = loop
    const back = await s.decodeError(await s.encodeError(loop), SUPERJSON)
    expect(back.message).toBe('loop')
    const fromString = await s.decodeError(await s.encodeError('just text'), SUPERJSON)
    expect(fromString).toBeInstanceOf(Error)
    expect(fromString.message).toContain('just text')
  })
})

describe('non-serializable values', () => {
  it('names the path of a function', async () => {
    await expect(s.encode({ cb: () => 1 })).rejects.toThrow(
      new TypeError('Cannot serialize value at output.cb: functions are not serializable'),
    )
    await expect(s.encodeArgs([1, { items: [() => 1] }])).rejects.toThrow(
      'Cannot serialize value at args[1].items[0]: functions are not serializable',
    )
    await expect(s.encode({ 'odd key': new Map([['k', () => 1]]) })).rejects.toThrow(
      'Cannot serialize value at output["odd key"].get("k"): functions are not serializable',
    )
    await expect(s.encode(() => 1)).rejects.toThrow('Cannot serialize value at output:')
    await expect(s.encode({ s: new Set([Symbol('x')]) }, PORTABLE)).rejects.toThrow(
      'Cannot serialize value at output.s.values()[0]: symbols are not serializable',
    )
  })

  it('rejects circular references', async () => {
    const a: Record<string, unknown> = { x: { y: 1 } }
    ;(a.x as Record<string, unknown>).back = a
    await expect(s.encode(a)).rejects.toThrow(
      new TypeError('Cannot serialize value at output.x.back: circular reference to output'),
    )
    await expect(s.encodeArgs([a], PORTABLE)).rejects.toThrow('circular reference to args[0]')
  })

  it('leaves toJSON values, typed arrays and function-free class instances alone', async () => {
    class Point {
      x = 1
      norm(): number {
        return this.x
      }
    }
    class Money {
      cents = 150
      format = (): string => `$${this.cents / 100}`
      toJSON(): string {
        return this.format()
      }
    }
    const url = new URL('https://x.test/')
    const bytes = new Uint8Array([1])
    const text = await s.encode({ url, bytes, p: new Point(), m: new Money() })
    const back = await s.decode(text, SUPERJSON)
    expect(back).toEqual({ url, bytes, p: { x: 1 }, m: '$1.5' })
    expect(await s.encode({ m: new Money() }, PORTABLE)).toBe('{"m":"$1.5"}')
  })

  it('offers a sync path for built-in formats only', () => {
    expect(s.encodeSync('hi')).toBe('{"json":"hi","__dbos_serializer":"superjson"}')
    expect(s.decodeSync('"hi"', PORTABLE)).toBe('hi')
    expect(() => s.encodeSync(1, 'custom')).toThrow(TypeError)
  })
})

describe('safe decoding for introspection', () => {
  it('returns raw text instead of throwing', async () => {
    expect(await s.safeDecode('gibberish', 'py_pickle')).toBe('gibberish')
    expect(await s.safeDecode('{not json', SUPERJSON)).toBe('{not json')
    const marked = '{"json":"hi","__dbos_serializer":"superjson"}'
    expect(await s.safeDecode(marked, SUPERJSON)).toBe('hi')
    expect(await s.safeDecodeArgs('oops', 'py_pickle')).toEqual(['oops'])
    expect(await s.safeDecodeArgs('{"positionalArgs":[1]}', PORTABLE)).toEqual([1])
    const err = await s.safeDecodeError('raw error text', 'java_jackson')
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toBe('raw error text')
  })
})

describe('custom serializer (docs/sysdb.md §2.5)', () => {
  const reversing: DBOSSerializer = {
    name: () => 'reversed_json',
    stringify: (v) => Promise.resolve(JSON.stringify(v ?? null).split('').reverse().join('')),
    parse: (t) => (t == null ? null : JSON.parse(t.split('').reverse().join(''))),
  }
  const c = new Serialization(reversing)

  it('writes with its own name and reads it back, including NULL-format rows', async () => {
    expect(c.appFormat).toBe('reversed_json')
    const text = await c.encode({ a: 1 })
    expect(text).toBe('}1:"a"{')
    expect(await c.decode(text, 'reversed_json')).toEqual({ a: 1 })
    expect(await c.decode(text, null)).toEqual({ a: 1 })
    expect(await c.decodeArgs(await c.encodeArgs([1, 'x']), 'reversed_json')).toEqual([1, 'x'])
    const err = await c.decodeError(await c.encodeError(new MyErr('bad')), 'reversed_json')
    expect(err.name).toBe('MyErr')
    expect((err as unknown as { code: number }).code).toBe(42)
  })

  it('still reads and writes the built-in formats', async () => {
    expect(await c.decode(await c.encode('x', SUPERJSON), SUPERJSON)).toBe('x')
    expect(await c.encode([1], PORTABLE)).toBe('[1]')
  })

  it('refuses formats it cannot produce or read', async () => {
    await expect(c.encode(1, 'other_fmt')).rejects.toThrow(
      new TypeError(
        'Serializer provided (reversed_json) is not compatible with the required serialization ' +
          '(other_fmt)',
      ),
    )
    await expect(s.decode('x', 'reversed_json')).rejects.toThrow(
      'Value deserialization type reversed_json is not available',
    )
  })

  it('defaults the name to custom', () => {
    expect(new Serialization({ stringify: String, parse: (t) => t }).appFormat).toBe('custom')
  })
})
