import { existsSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import type { LoadedConfig } from '../config/load-config.js'
import { CONFIG_FILES } from '../config/load-config.js'
import { DataContract } from '../contracts/data-contract.js'
import { DqxError } from '../core/errors.js'
import { DataSource } from '../engine/data-source.js'
import type { Ui } from './context.js'

/** File readers `--source name=path` picks by extension (a glob keeps its extension). */
const READERS: Record<string, (path: string) => DataSource> = {
  '.parquet': (p) => DataSource.parquet(p),
  '.csv': (p) => DataSource.csv(p),
  '.tsv': (p) => DataSource.csv(p),
  '.json': (p) => DataSource.json(p),
  '.jsonl': (p) => DataSource.json(p),
  '.ndjson': (p) => DataSource.json(p),
}

/** `--source orders=data/orders.parquet` values as datasources, paths resolved from `cwd`. */
export function parseSources(pairs: readonly string[], cwd: string): Record<string, DataSource> {
  const sources: Record<string, DataSource> = {}
  for (const pair of pairs) {
    const i = pair.indexOf('=')
    if (i <= 0 || i === pair.length - 1) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        `--source must look like name=path (e.g. orders=data/orders.parquet), got '${pair}'`,
      )
    }
    const path = pair.slice(i + 1)
    const reader = READERS[extname(path).toLowerCase()]
    if (!reader) {
      throw new DqxError(
        'INVALID_ARGUMENT',
        `--source '${pair}': cannot tell the file type of '${path}'; use a ${Object.keys(READERS).join(', ')} file, or declare the source in dqx.config.ts`,
      )
    }
    sources[pair.slice(0, i)] = reader(resolve(cwd, path))
  }
  return sources
}

/** Reads every `--contract` file (either format) and warns about each rule it cannot run. */
export function loadContracts(files: readonly string[], ui: Ui): DataContract[] {
  return files.map((f) => {
    const contract = DataContract.fromFile(resolve(ui.io.cwd, f))
    for (const u of contract.unsupported) {
      ui.status.write(`${ui.err.yellow('dqx warn:')} ${contract.file}: rule ${u.rule} not run: ${u.reason}\n`)
    }
    return contract
  })
}

/** True when `dqx run` should read a config file: one was named, or one exists in `cwd`. */
export function hasConfig(cwd: string, explicit: string | undefined): boolean {
  return explicit !== undefined || CONFIG_FILES.some((name) => existsSync(resolve(cwd, name)))
}

/**
 * Adds the contracts' checks and the `--source` datasources to each selected suite of a config,
 * or, without a config, builds one suite named after the first contract whose datasources are
 * exactly the `--source` flags.
 */
export function withContracts(
  loaded: LoadedConfig | undefined,
  contracts: readonly DataContract[],
  sources: Record<string, DataSource>,
): LoadedConfig {
  const checks = contracts.flatMap((c) => c.toChecks())
  if (loaded) {
    return {
      ...loaded,
      suites: loaded.suites.map((entry) => ({
        ...entry,
        config: {
          ...entry.config,
          checks: [...entry.config.checks, ...checks],
          datasources: { ...entry.config.datasources, ...sources },
        },
      })),
    }
  }
  const first = contracts[0] as DataContract
  return {
    file: resolve(first.file),
    label: first.file,
    multiple: false,
    suites: [{ config: { name: first.name, checks, datasources: sources }, path: '', where: '' }],
  }
}
