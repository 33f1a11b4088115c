import { describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { junit } from '../../src/plugins/index.js'
import { normalizePlugins } from '../../src/suite/normalize-plugins.js'
import {
  definePlugin,
  definePreset,
  type PluginOption,
  type ResultProcessor,
  type Suite,
} from '../../src/suite/plugin.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'

function thrown(fn: () => unknown): DqxError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(DqxError)
    return err as DqxError
  }
  throw new Error('expected a DqxError')
}

describe('normalizePlugins', () => {
  it('accepts the three forms and names them', () => {
    function named(_s: Suite) {}
    const obj = definePlugin({ name: 'obj', apply() {} })
    const rp: ResultProcessor = { name: 'rp', process() {} }
    const list = normalizePlugins([named, obj, rp, (_s: Suite) => {}])
    expect(list.map((p) => [p.name, p.kind, p.source])).toEqual([
      ['named', 'function', 'plugins[0]'],
      ['obj', 'object', 'plugins[1]'],
      ['rp', 'processor', 'plugins[2]'],
      ['anonymous-2', 'function', 'plugins[3]'],
    ])
  })

  it('flattens nested arrays and presets and skips falsy entries', () => {
    const a = definePlugin({ name: 'a', apply() {} })
    const b = definePlugin({ name: 'b', apply() {} })
    const c = definePlugin({ name: 'c', apply() {} })
    const preset = definePreset('pair', (o: { with: boolean }) => [b, o.with && c])
    const list = normalizePlugins([
      false,
      null,
      undefined,
      [a, [preset({ with: true })]],
      preset({ with: false }) && [],
    ])
    expect(list.map((p) => p.name)).toEqual(['a', 'b', 'c'])
    expect(list[1]?.source).toBe("plugins[3][1][0] (preset 'pair')[0]")
  })

  it('skips falsy entries of every kind at any depth; `cond && plugin()` typechecks as an entry', () => {
    // Type-level: each of these is a PluginOption as written (tsc checks this file).
    const ci: string | undefined = process.env.DQX_TEST_NEVER_SET
    const count = Number(process.env.DQX_TEST_NEVER_SET ?? 0)
    const enabled = process.env.DQX_TEST_NEVER_SET === 'yes'
    const file = 'never-written.xml'
    const plugins: PluginOption[] = [
      ci && junit({ file }),
      count && junit({ file }),
      enabled && junit({ file }),
      '',
      0,
      [null, [undefined, ['', [0, false]]]],
      new Map([['kept', definePlugin({ name: 'kept', apply() {} })]]),
    ]
    expect(normalizePlugins(plugins).map((p) => p.name)).toEqual(['kept'])
    const suite = new VerificationSuite({
      name: 'falsy',
      checks: [check({ name: 'c' }, (mp, ctx) => ctx.assertThat(mp.numRows()).where({ name: 'n' }).noop())],
      audit: false,
      plugins: [process.env.DQX_TEST_NEVER_SET && junit({ file })],
    })
    expect(suite.plugins).toEqual([])
  })

  it('takes a name→plugin Map, naming function plugins by key', () => {
    const m = new Map<string, PluginOption>([
      ['fromMap', (_s: Suite) => {}],
      ['objKey', definePlugin({ name: 'obj', apply() {} })],
    ])
    const list = normalizePlugins([m as never])
    expect(list.map((p) => [p.name, p.source])).toEqual([
      ['fromMap', "plugins[0].get('fromMap')"],
      ['obj', "plugins[0].get('objKey')[0]"],
    ])
  })

  it.each([
    [{}, 'plugins[0] is not a plugin: got an empty object {}'],
    [42, 'plugins[0] is not a plugin: got number 42'],
    ['x', 'plugins[0] is not a plugin: got string x'],
    [{ name: 'n' }, 'got an object with keys name'],
    [{ apply() {} }, 'got an object with keys apply'],
  ])('rejects %j naming its position', (bad, message) => {
    const err = thrown(() => normalizePlugins([bad as never]))
    expect(err.code).toBe('INVALID_PLUGIN')
    expect(err.message).toContain(message)
  })

  it('rejects a class and says to pass an instance', () => {
    class MyPlugin {
      name = 'mine'
      apply() {}
    }
    const err = thrown(() => normalizePlugins([definePlugin({ name: 'ok', apply() {} }), MyPlugin as never]))
    expect(err.message).toContain('plugins[1] is a class (MyPlugin)')
    expect(err.message).toContain('new MyPlugin()')
    // …and the instance is fine
    expect(normalizePlugins([new MyPlugin()]).map((p) => p.name)).toEqual(['mine'])
  })

  it('rejects a plugins value that is not an array', () => {
    expect(thrown(() => normalizePlugins({} as never)).message).toContain('plugins must be an array')
    expect(normalizePlugins(undefined)).toEqual([])
  })

  it('rejects duplicate names naming both sources', () => {
    const a = definePlugin({ name: 'same', apply() {} })
    const err = thrown(() => normalizePlugins([a, [{ name: 'same', process() {} }]]))
    expect(err.code).toBe('DUPLICATE_PLUGIN')
    expect(err.message).toBe(
      "duplicate plugin name 'same': plugins[0] and plugins[1][0]; give one of them another name",
    )
  })

  it('rejects a configSchema that is not a Standard Schema', () => {
    const err = thrown(() =>
      normalizePlugins([{ name: 'p', apply() {}, configSchema: { parse() {} } } as never]),
    )
    expect(err.message).toContain("plugin 'p' at plugins[0]: configSchema must be a Standard Schema")
  })
})
