import { describe, expect, it } from 'vitest'
import { AsyncSeriesHook, HookMap, SyncHook } from '../../src/hooks/index.js'

describe('HookMap', () => {
  it('creates a key’s hook on first for(), returns the same hook after, and get() only reads', async () => {
    const created: string[] = []
    const map = new HookMap((dataset: string) => {
      created.push(dataset)
      return new AsyncSeriesHook<[number]>({ name: `scan:${dataset}` })
    })
    expect(map.get('orders')).toBeUndefined()
    const seen: number[] = []
    map.for('orders').tapPromise('audit', async (n) => void seen.push(n))
    expect(map.for('orders')).toBe(map.get('orders'))
    map.for('users')
    expect(created).toEqual(['orders', 'users'])
    expect([...map.keys()]).toEqual(['orders', 'users'])
    expect([...map].map(([k, h]) => [k, h.name])).toEqual([
      ['orders', 'scan:orders'],
      ['users', 'scan:users'],
    ])
    expect([...map.entries()]).toHaveLength(2)
    const runs = await map.get('orders')?.promise(3)
    expect(runs?.map((r) => [r.plugin, r.hook])).toEqual([['audit', 'scan:orders']])
    expect(seen).toEqual([3])
  })

  it('lets a factory interceptor wrap the hooks it creates from then on', () => {
    const map = new HookMap((key: string) => new SyncHook<[]>({ name: key }))
    map.for('before')
    const intercepted: string[] = []
    map.intercept({
      factory(key, hook) {
        intercepted.push(key)
        hook.intercept({ call: () => void intercepted.push(`call ${key}`) })
        return hook
      },
    })
    map.intercept({})
    map.for('after').call()
    map.for('before').call()
    expect(intercepted).toEqual(['after', 'call after'])
  })

  it('refuses a factory that is not a function or does not return a hook, and a bad interceptor', () => {
    expect(() => new HookMap(42 as unknown as () => SyncHook<[]>)).toThrow('factory must be a function')
    const map = new HookMap((() => ({ tap() {} })) as unknown as () => SyncHook<[]>)
    expect(() => map.for('k')).toThrow('HookMap.for(k): the factory returned object, not a hook')
    const nullMap = new HookMap((() => null) as unknown as () => SyncHook<[]>)
    expect(() => nullMap.for('k')).toThrow('the factory returned null')
    expect(() => map.intercept(null as never)).toThrow('HookMap.intercept() needs an object')
  })
})
