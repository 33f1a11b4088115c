import { Command, CommanderError, InvalidArgumentError, Option, type OptionValues } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { SEVERITIES, type Severity } from '../core/types.js'
import type { IsolationMode } from '../suite/isolation/sandbox.js'
import { type CleanupFlags, cleanupCommand } from './cleanup-command.js'
import { makeUi, printError, type Ui } from './context.js'
import { REPORTERS, type Reporter } from './github.js'
import { initCommand } from './init-command.js'
import type { CliIO } from './io.js'
import { type PluginsFlags, pluginsCommand } from './plugins-command.js'
import { type ProfileFlags, profileCommand } from './profile-command.js'
import { type ReplayFlags, replayCommand } from './replay-command.js'
import { DEFAULT_REPORT_DIR, type ReportFlags, reportCommand } from './report-command.js'
import { type RunFlags, runCommand } from './run-command.js'
import { type TuneFlags, tuneCommand } from './tune-command.js'

export type { CliIO, OutStream } from './io.js'

/**
 * Exit codes: no blocking failure; assertion failures (or assertions skipped for a missing dataset,
 * unless --allow-skipped) at or above --fail-on; usage/config/data errors.
 */
export const EXIT = { OK: 0, FAILURES: 1, ERROR: 2 } as const

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** A repeatable option's values: [] when it was not given. */
const list = (value: unknown): string[] => (value as string[] | undefined) ?? []

/**
 * The named options the user gave, for a command's optional flags: commander leaves an option
 * without a default out of `opts` when it is not given, so a flag is never set to undefined.
 */
function given<F>(opts: OptionValues, ...names: (keyof F & string)[]): Partial<F> {
  return Object.fromEntries(names.filter((n) => opts[n] !== undefined).map((n) => [n, opts[n]])) as Partial<F>
}

const CONFIG_HELP = 'config file (default: dqx.config.ts|mts|js|mjs in the current directory)'

function positiveInt(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a positive whole number.')
  }
  return n
}

const ISOLATION_MODES = ['worker', 'process'] as const

function isolationMode(value: string): IsolationMode {
  if (!(ISOLATION_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be ${ISOLATION_MODES.join(' or ')} (or nothing: worker).`)
  }
  return value as IsolationMode
}

const ISOLATE_HELP =
  "run discovered plugins in sandboxes: 'worker' threads (the default) or child 'process'es (docs/isolation.md)"

function buildProgram(io: CliIO, result: { code: number; ui: Ui }): Command {
  const program = new Command()
  program
    .name('dqx')
    .description('Run dqx data-quality suites declared in dqx.config.ts.')
    .version(pkg.version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run dqx --help for usage)')
    .showSuggestionAfterError(true)

  /** Runs a command with a Ui for its --verbose and keeps its exit code. */
  const act = async (opts: OptionValues, command: (ui: Ui) => Promise<number>): Promise<void> => {
    result.ui = makeUi(io, opts.verbose === true)
    result.code = await command(result.ui)
  }

  program
    .command('run')
    .description('run the suites of the config file and print their results')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('-d, --date <YYYY-MM-DD>', 'the day to check (default: today, UTC)')
    .option('-t, --tag <key=value>', 'a ResultKey tag; repeatable', collect)
    .option('-s, --suite <name>', 'run only this suite of an array config; repeatable', collect)
    .option('--no-plugins', 'apply no plugin at all (not even the audit summary), discover none')
    .option('--disable-plugin <name>', 'turn one plugin off by name; repeatable', collect)
    .option('--isolate-plugins [mode]', ISOLATE_HELP, isolationMode)
    .option('--json', 'print the RunReport (an array for an array config) as JSON on stdout, nothing else')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when an assertion of this severity or worse fails (P0 is the worst)',
      )
        .choices(SEVERITIES)
        .default('P1'),
    )
    .option(
      '--allow-skipped',
      'do not fail when assertions are skipped because the config does not provide their dataset',
    )
    .option(
      '--concurrency <n>',
      'max processResults plugins running at once (overrides the config)',
      positiveInt,
    )
    .option(
      '--contract <file>',
      'add the checks of a data contract (ODCS v3 or dqx YAML); without a config file, name the data with --source; repeatable',
      collect,
    )
    .option(
      '--source <name=path>',
      'a dataset read from a parquet/csv/json file or glob; repeatable',
      collect,
    )
    .addOption(
      new Option('--reporter <name>', "'github': ::error annotations for failures (GitHub Actions)")
        .choices(REPORTERS)
        .default('default'),
    )
    .option(
      '--explain',
      'after each report, per assertion: the SQL that computed each metric, the value used and the one stored, history used',
    )
    .option('-v, --verbose', 'debug logs and stack traces on stderr')
    .action((opts) =>
      act(opts, (ui) =>
        runCommand(
          {
            ...given<RunFlags>(opts, 'config', 'date', 'concurrency', 'isolatePlugins'),
            tag: list(opts.tag),
            suite: list(opts.suite),
            plugins: opts.plugins as boolean,
            disablePlugin: list(opts.disablePlugin),
            json: opts.json === true,
            failOn: opts.failOn as Severity,
            allowSkipped: opts.allowSkipped === true,
            verbose: opts.verbose === true,
            contract: list(opts.contract),
            source: list(opts.source),
            reporter: opts.reporter as Reporter,
            explain: opts.explain === true,
          },
          ui,
        ),
      ),
    )

  program
    .command('plugins')
    .description('list built-in, configured and discovered plugins with their source and status')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--json', 'print the list as JSON on stdout')
    .option('--isolate-plugins [mode]', 'show how `dqx run --isolate-plugins` would run them', isolationMode)
    .option('-v, --verbose', 'stack traces on stderr')
    .action((opts) =>
      act(opts, (ui) =>
        pluginsCommand(
          { ...given<PluginsFlags>(opts, 'config', 'isolatePlugins'), json: opts.json === true },
          ui,
        ),
      ),
    )

  program
    .command('cleanup')
    .description("delete expired metric values from the suites' MetricDBs (every run also does this)")
    .option('-c, --config <file>', CONFIG_HELP)
    .option(
      '-s, --suite <name>',
      'clean only the MetricDB of this suite of an array config; repeatable',
      collect,
    )
    .option('--now <YYYY-MM-DD>', 'judge expiry on this day (default: today, UTC)')
    .option('--json', 'print what was deleted as JSON on stdout')
    .option('-v, --verbose', 'stack traces on stderr')
    .action((opts) =>
      act(opts, (ui) =>
        cleanupCommand(
          {
            ...given<CleanupFlags>(opts, 'config', 'now'),
            suite: list(opts.suite),
            json: opts.json === true,
          },
          ui,
        ),
      ),
    )

  program
    .command('replay')
    .description('send stored runs to plugins again (no data source is read): one day or a range')
    .requiredOption('-d, --date <YYYY-MM-DD>', 'the (first) day to replay')
    .option('--to <YYYY-MM-DD>', 'replay every stored day from --date to this one, oldest first')
    .option('-t, --tag <key=value>', 'a ResultKey tag; repeatable', collect)
    .option('-p, --plugin <name>', 'only this plugin receives the replay; repeatable', collect)
    .option('-s, --suite <name>', 'replay only this suite of an array config; repeatable', collect)
    .option('-c, --config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'debug logs and stack traces on stderr')
    .action((opts) =>
      act(opts, (ui) =>
        replayCommand(
          {
            ...given<ReplayFlags>(opts, 'config', 'to'),
            date: opts.date as string,
            tag: list(opts.tag),
            suite: list(opts.suite),
            plugin: list(opts.plugin),
            verbose: opts.verbose === true,
          },
          ui,
        ),
      ),
    )

  program
    .command('tune')
    .description('list tunables, show one with its audit trail, or change one (recorded with who and why)')
    .argument('[name]', 'the tunable (default: list every tunable)')
    .argument('[value]', 'its new value, within its declared bounds')
    .option('--why <reason>', 'why the value changes (required with a value)')
    .option('--who <name>', 'who changes it (default: $USER)')
    .option(
      '--reevaluate',
      'judge the latest stored run of --date again with the new value (no data is read)',
    )
    .option('-d, --date <YYYY-MM-DD>', 'the day to re-evaluate (default: today, UTC)')
    .option('-t, --tag <key=value>', 'a ResultKey tag of the run to re-evaluate; repeatable', collect)
    .option('-s, --suite <name>', 'only this suite of an array config; repeatable', collect)
    .addOption(
      new Option(
        '--fail-on <severity>',
        'with --reevaluate: exit 1 when an assertion of this severity or worse fails',
      )
        .choices(SEVERITIES)
        .default('P1'),
    )
    .option('--json', 'print the change(s), listing or re-evaluated report as JSON on stdout')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('-v, --verbose', 'debug logs and stack traces on stderr')
    .action((name: string | undefined, value: string | undefined, opts: OptionValues) =>
      act(opts, (ui) =>
        tuneCommand(
          {
            ...given<TuneFlags>(opts, 'config', 'why', 'who', 'date'),
            ...(name !== undefined ? { name } : {}),
            ...(value !== undefined ? { value } : {}),
            suite: list(opts.suite),
            tag: list(opts.tag),
            reevaluate: opts.reevaluate === true,
            failOn: opts.failOn as Severity,
            json: opts.json === true,
            verbose: opts.verbose === true,
          },
          ui,
        ),
      ),
    )

  program
    .command('init')
    .description('write a starter dqx.config.ts and sample data into the current directory')
    .option('-f, --force', 'overwrite existing files')
    .option('-v, --verbose', 'stack traces on stderr')
    .action((opts) => act(opts, (ui) => initCommand({ force: opts.force === true }, ui)))

  program
    .command('profile')
    .description('profile a data file in one scan and suggest checks (optionally as a dqx.config.ts)')
    .argument('<source>', 'a .parquet, .csv, .tsv, .json, .jsonl or .ndjson file, or a glob of them')
    .option('--dataset <name>', 'the dataset name in the suggested config (default: from the file name)')
    .option(
      '-w, --write <file>',
      'write the suggested checks as a runnable, typed config (e.g. dqx.config.ts)',
    )
    .option('-f, --force', 'overwrite the --write file if it exists')
    .option('--top <n>', 'frequent values kept per column (1–100)', positiveInt, 10)
    .option('--json', 'print the profile and suggestions as JSON on stdout')
    .option('-v, --verbose', 'stack traces on stderr')
    .action((source: string, opts: OptionValues) =>
      act(opts, (ui) =>
        profileCommand(
          {
            source,
            ...given<ProfileFlags>(opts, 'dataset', 'write'),
            force: opts.force === true,
            json: opts.json === true,
            top: opts.top as number,
          },
          ui,
        ),
      ),
    )

  program
    .command('report')
    .description('render the latest stored run of each suite, with its history, as one HTML file')
    .option('-c, --config <file>', CONFIG_HELP)
    .option('-o, --out <dir>', 'directory to write index.html to', DEFAULT_REPORT_DIR)
    .option('-d, --date <YYYY-MM-DD>', 'report the latest run on or before this day (default: today, UTC)')
    .option('-t, --tag <key=value>', 'the ResultKey tags of the runs to report; repeatable', collect)
    .option('-s, --suite <name>', 'report only this suite of an array config; repeatable', collect)
    .option('--history-days <n>', 'days of history per chart', positiveInt, 30)
    .option('--look-back <n>', 'days to search back for the latest run', positiveInt, 366)
    .option('-v, --verbose', 'stack traces on stderr')
    .action((opts) =>
      act(opts, (ui) =>
        reportCommand(
          {
            ...given<ReportFlags>(opts, 'config', 'date'),
            out: opts.out as string,
            tag: list(opts.tag),
            suite: list(opts.suite),
            historyDays: opts.historyDays as number,
            lookBack: opts.lookBack as number,
          },
          ui,
        ),
      ),
    )

  return program
}

/**
 * The dqx CLI: parses `argv` (without node and script), runs the command and
 * resolves to the exit code — 0 ok, 1 assertion failures at or above
 * `--fail-on`, 2 usage, config or data errors. Never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const result: { code: number; ui: Ui } = { code: EXIT.OK, ui: makeUi(io, false) }
  const program = buildProgram(io, result)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return result.code
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.ERROR
    result.ui.status.done()
    printError(result.ui, err)
    return EXIT.ERROR
  }
}
