import type { AssertionBuilder } from '../core/assertion.js'
import { type Check, check } from '../core/check.js'
import type { DqxError } from '../core/errors.js'
import { MetricProvider } from '../core/metric-provider.js'
import type { ContractRule, UnsupportedRule } from './contract-rule.js'
import { parseDqxContract } from './dqx-format.js'
import { metricFor } from './metric-mapping.js'
import { parseOdcsContract } from './odcs.js'
import { YamlDocument } from './yaml-document.js'

/** What a contract format parser hands to DataContract. */
export interface ParsedContract {
  name: string
  rules: ContractRule[]
  unsupported: UnsupportedRule[]
}

/**
 * Checks declared in a YAML file: dqx's own compact format (`fromYaml`) or the quality rules of an
 * Open Data Contract Standard v3 file (`fromOdcs`). Every rule becomes one assertion; rules dqx
 * cannot express are listed in `unsupported` with the reason.
 */
export class DataContract {
  /** The contract's name: prefixes its check names. */
  readonly name: string
  /** The file the contract was read from, as shown in errors. */
  readonly file: string
  readonly rules: readonly ContractRule[]
  readonly unsupported: readonly UnsupportedRule[]

  private constructor(file: string, parsed: ParsedContract) {
    this.file = file
    this.name = parsed.name
    this.rules = Object.freeze(parsed.rules.map((r) => Object.freeze({ ...r })))
    this.unsupported = Object.freeze(parsed.unsupported.map((u) => Object.freeze({ ...u })))
  }

  /** Reads an ODCS v3 data contract (`*.odcs.yaml`) and maps its `quality` rules. */
  static fromOdcs(file: string): DataContract {
    const doc = YamlDocument.read(file)
    return new DataContract(doc.label, parseOdcsContract(doc))
  }

  /** Reads a contract in dqx's compact YAML format (`*.dqx.yaml`, see docs/contracts.md). */
  static fromYaml(file: string): DataContract {
    const doc = YamlDocument.read(file)
    return new DataContract(doc.label, parseDqxContract(doc))
  }

  /**
   * Reads either format: a document with `apiVersion` and `kind: DataContract` is ODCS, anything
   * else dqx's own format. The CLI's `--contract` uses this.
   */
  static fromFile(file: string): DataContract {
    const doc = YamlDocument.read(file)
    const data = doc.data as Record<string, unknown> | null
    const odcs = data !== null && typeof data === 'object' && data.kind === 'DataContract'
    return new DataContract(doc.label, odcs ? parseOdcsContract(doc) : parseDqxContract(doc))
  }

  /** The datasets the contract reads, in the order they first appear. */
  get datasets(): string[] {
    return [...new Set(this.rules.map((r) => r.dataset))]
  }

  /** One check per dataset, named `<contract name>/<dataset>`, with one assertion per rule. */
  toChecks(): Check[] {
    return this.datasets.map((dataset) => {
      const rules = this.rules.filter((r) => r.dataset === dataset)
      return check({ name: `${this.name}/${dataset}`, datasets: [dataset] }, (mp, ctx) => {
        for (const rule of rules) {
          const builder = ctx
            .assertThat(metricFor(mp, rule.metric, rule.scale))
            .where({ name: rule.name, severity: rule.severity, tags: rule.tags })
          callAssertion(builder, rule)
        }
      })
    })
  }
}

function callAssertion(builder: AssertionBuilder, rule: ContractRule): void {
  const a = rule.assertion
  switch (a.op) {
    case 'isBetween':
    case 'isNotBetween':
      builder[a.op](a.args[0], a.args[1])
      return
    case 'isPositive':
    case 'isNegative':
    case 'isZero':
    case 'noop':
      builder[a.op]()
      return
    default:
      builder[a.op](a.args[0])
  }
}

/**
 * Builds the rule's metric and assertion once on a scratch provider, so that a bad column name or
 * SQL text fails at load time with the rule's file:line:col instead of when a suite is built.
 * Returns the problem, or undefined when the rule is sound.
 */
export function ruleProblem(rule: Omit<ContractRule, 'where'>): string | undefined {
  try {
    metricFor(new MetricProvider(), rule.metric, rule.scale)
    return undefined
  } catch (err) {
    // The metric provider rejects bad input with DqxErrors only; their message names the problem.
    return (err as DqxError).message
  }
}
