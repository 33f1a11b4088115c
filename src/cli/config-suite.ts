import type { SuiteEntry } from '../config/load-config.js'
import { DqxError } from '../core/errors.js'
import type { LogLevel } from '../suite/log-format.js'
import type { SuiteOptions } from '../suite/suite-options.js'
import { VerificationSuite } from '../suite/verification-suite.js'
import type { Ui } from './context.js'
import { cliLogger } from './logger.js'

/** What a command sets on top of the config's suite options. */
export type SuiteAdditions = Pick<SuiteOptions, 'plugins' | 'pluginConfig' | 'concurrency'>

export interface ConfigSuiteOptions {
  ui: Ui
  /** How messages name the config file. */
  label: string
  level: LogLevel
  /** --verbose: logged errors with their stacks. */
  verbose: boolean
  /** The plugins the command applies (none without), a --concurrency that overrides the config's. */
  additions?: SuiteAdditions
}

/**
 * A config entry's suite as the CLI commands build it: the config's suite options without the keys
 * the command resolves itself (datasources, discovery, isolation, plugins and their config), plus
 * `additions`, with the CLI's logger on stderr and no audit summary (the command prints its own
 * report). A construction error names the config file and the suite.
 */
export function configSuite(entry: SuiteEntry, o: ConfigSuiteOptions): VerificationSuite {
  const logger = cliLogger({ sink: o.ui.status, level: o.level, colors: o.ui.err, stacks: o.verbose })
  const {
    datasources: _d,
    discover: _x,
    isolation: _i,
    plugins: _p,
    pluginConfig: _c,
    ...options
  } = entry.config
  try {
    return new VerificationSuite({ ...options, ...o.additions, audit: false, logger })
  } catch (err) {
    throw new DqxError('CONFIG', `${o.label}: ${entry.where}${(err as Error).message}`, { cause: err })
  }
}
