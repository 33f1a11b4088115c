// The default logger of a suite (no logger passed): one readable line per message on a terminal,
// JSON elsewhere or with DQX_LOG_FORMAT=json; DQX_LOG_LEVEL and DQX_LOG_FORMAT checked at suite
// construction. The terminal is a real pseudo-terminal: `script` (util-linux) runs the program
// with its stderr on a pty, so `process.stderr.isTTY` is true as in a user's shell.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { check } from '../../src/core/check.js'
import { DqxError } from '../../src/core/errors.js'
import { defaultLogger, logFormatFromEnv } from '../../src/suite/default-logger.js'
import { formatLogLine, isLogLevel, logLevelFromEnv } from '../../src/suite/log-format.js'
import { VerificationSuite } from '../../src/suite/verification-suite.js'
import { serverAvailable } from '../helpers/servers.js'
import { REPO } from './helpers.js'

const rows = check({ name: 'rows', datasets: ['d'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
})

describe('DQX_LOG_LEVEL and DQX_LOG_FORMAT', () => {
  it('accept the level names and nothing inherited from Object.prototype', () => {
    expect(isLogLevel('info')).toBe(true)
    expect(isLogLevel('silent')).toBe(true)
    for (const bad of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'INFO', 'loud', 42]) {
      expect(isLogLevel(bad)).toBe(false)
    }
    expect(logLevelFromEnv({}, 'warn')).toBe('warn')
    expect(logLevelFromEnv({ DQX_LOG_LEVEL: '' }, 'warn')).toBe('warn')
    expect(logLevelFromEnv({ DQX_LOG_LEVEL: 'debug' }, 'warn')).toBe('debug')
  })

  it.each(['constructor', 'toString', 'loud'])(
    'DQX_LOG_LEVEL=%s is a DqxError at suite construction naming the variable and the levels',
    (level) => {
      const previous = process.env.DQX_LOG_LEVEL
      process.env.DQX_LOG_LEVEL = level
      try {
        let err: unknown
        try {
          new VerificationSuite({ name: 'x', checks: [rows] })
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(DqxError)
        expect((err as DqxError).code).toBe('INVALID_ARGUMENT')
        expect((err as DqxError).message).toBe(
          `DQX_LOG_LEVEL="${level}" is not a log level; use one of trace, debug, info, warn, error, fatal, silent`,
        )
      } finally {
        if (previous === undefined) delete process.env.DQX_LOG_LEVEL
        else process.env.DQX_LOG_LEVEL = previous
      }
    },
  )

  it('DQX_LOG_FORMAT picks json or pretty; unset, a terminal decides; anything else is an error', () => {
    expect(logFormatFromEnv({}, true)).toBe('pretty')
    expect(logFormatFromEnv({}, false)).toBe('json')
    expect(logFormatFromEnv({ DQX_LOG_FORMAT: 'json' }, true)).toBe('json')
    expect(logFormatFromEnv({ DQX_LOG_FORMAT: 'pretty' }, false)).toBe('pretty')
    expect(() => logFormatFromEnv({ DQX_LOG_FORMAT: 'xml' }, false)).toThrow(
      'DQX_LOG_FORMAT="xml" is not a log format; use json or pretty',
    )
  })
})

describe('the readable line', () => {
  const failed = {
    level: 50,
    time: 1,
    name: 'dqx',
    msg: 'plugin failed',
    plugin: 'slack',
    hook: 'processResults',
    durationMs: 12,
    timedOut: false,
    err: { message: 'connect ECONNREFUSED', stack: 'Error: connect ECONNREFUSED\n    at here' },
  }

  it('names plugin, hook and message in one line; the stack only when asked', () => {
    expect(formatLogLine(failed)).toBe(
      "dqx error: plugin 'slack' failed in processResults: connect ECONNREFUSED\n",
    )
    expect(formatLogLine(failed, undefined, true)).toBe(
      "dqx error: plugin 'slack' failed in processResults: connect ECONNREFUSED\nError: connect ECONNREFUSED\n    at here\n",
    )
    expect(formatLogLine({ ...failed, timedOut: true, err: undefined, durationMs: 200 })).toBe(
      "dqx error: plugin 'slack' failed in processResults: timed out after 200 ms\n",
    )
    expect(
      formatLogLine({ ...failed, err: undefined, msg: 'plugin failed (its error could not be serialized)' }),
    ).toBe("dqx error: plugin 'slack' failed in processResults: (its error could not be serialized)\n")
    expect(formatLogLine({ ...failed, err: undefined })).toBe(
      "dqx error: plugin 'slack' failed in processResults: unknown error\n",
    )
    expect(formatLogLine({ level: 40, msg: 'careful', n: 1 })).toBe('dqx warn: careful n=1\n')
  })

  it('defaultLogger writes readable lines to a terminal stream and JSON to any other', () => {
    const tty = { text: '', isTTY: true, write: (s: string) => (tty.text += s) }
    defaultLogger({ env: { NO_COLOR: '1' }, stream: tty }).error(
      { plugin: 'p', hook: 'afterRun', err: new Error('kaput') },
      'plugin failed',
    )
    expect(tty.text).toBe("dqx error: plugin 'p' failed in afterRun: kaput\n")
    const debug = { text: '', isTTY: true, write: (s: string) => (debug.text += s) }
    defaultLogger({ env: { NO_COLOR: '1', DQX_LOG_LEVEL: 'debug' }, stream: debug }).error(
      { plugin: 'p', hook: 'afterRun', err: new Error('kaput') },
      'plugin failed',
    )
    expect(debug.text).toMatch(/^dqx error: plugin 'p' failed in afterRun: kaput\nError: kaput\n {4}at /)
    const pipe = { text: '', write: (s: string) => (pipe.text += s) }
    defaultLogger({ env: {}, stream: pipe }).warn('careful')
    expect(JSON.parse(pipe.text)).toMatchObject({ level: 40, msg: 'careful', name: 'dqx' })
  })
})

// ---------------------------------------------------------------------------------------------

const scriptMissing =
  spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0
    ? undefined
    : "'script' (util-linux) not found; install util-linux (Debian: bsdutils) to run the pseudo-terminal test"

describe.skipIf(!serverAvailable('script (util-linux)', scriptMissing))(
  'a library user on a real terminal (script runs the program on a pseudo-terminal)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'dqx-human-logs-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const program = join(dir, 'run.mts')
    writeFileSync(
      program,
      `import { check } from ${JSON.stringify(join(REPO, 'src/core/check.ts'))}
import { ResultKey } from ${JSON.stringify(join(REPO, 'src/core/result-key.ts'))}
import { DataSource } from ${JSON.stringify(join(REPO, 'src/engine/data-source.ts'))}
import { VerificationSuite } from ${JSON.stringify(join(REPO, 'src/suite/verification-suite.ts'))}
const rows = check({ name: 'rows', datasets: ['d'] }, (mp, ctx) => {
  ctx.assertThat(mp.numRows()).where({ name: 'rows' }).isPositive()
})
const suite = new VerificationSuite({
  name: 'tty',
  checks: [rows],
  audit: false,
  plugins: [{ name: 'boom', apply(s) { s.hooks.processResults.tap('boom', () => { throw new Error('kaput') }) } }],
})
const report = await suite.run({ d: DataSource.fromRecords([{ a: 1 }]) }, new ResultKey('2026-11-25'))
console.log('errors:', report.pluginErrors.length)
`,
    )
    const tsx = join(REPO, 'node_modules', '.bin', 'tsx')

    /** Runs the program; on a pseudo-terminal (stdout and stderr both) with `tty`, else with pipes. */
    function run(tty: boolean, env: Record<string, string> = {}): Promise<{ out: string; err: string }> {
      const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env }
      if (!('DQX_LOG_LEVEL' in env)) delete childEnv.DQX_LOG_LEVEL
      const [cmd, args] = tty ? ['script', ['-qec', `${tsx} ${program}`, '/dev/null']] : [tsx, [program]]
      return new Promise((done, fail) => {
        const child = spawn(cmd as string, args as string[], {
          env: childEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let out = ''
        let err = ''
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
        child.on('error', fail)
        child.on('close', (code) =>
          code === 0 ? done({ out, err }) : fail(new Error(`exit ${code}: ${out}${err}`)),
        )
      })
    }

    it('a failed plugin is one readable line on the terminal; its stack at debug level', async () => {
      const { out } = await run(true)
      const lines = out.replace(/\r/g, '').split('\n').filter(Boolean)
      expect(lines).toEqual(["dqx error: plugin 'boom' failed in processResults: kaput", 'errors: 1'])
      const debug = await run(true, { DQX_LOG_LEVEL: 'debug' })
      expect(debug.out).toContain(
        "dqx error: plugin 'boom' failed in processResults: kaput\r\nError: kaput\r\n",
      )
      expect(debug.out).not.toContain('{"level"')
    })

    it('JSON when asked on a terminal, and whenever stderr is not a terminal', async () => {
      const asked = await run(true, { DQX_LOG_FORMAT: 'json' })
      const line = asked.out.split('\r\n').find((l) => l.startsWith('{'))
      expect(JSON.parse(line as string)).toMatchObject({ level: 50, msg: 'plugin failed', plugin: 'boom' })
      const piped = await run(false)
      expect(piped.out).toBe('errors: 1\n')
      const lines = piped.err.split('\n').filter(Boolean)
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        level: 50,
        plugin: 'boom',
        hook: 'processResults',
      })
    })
  },
)
