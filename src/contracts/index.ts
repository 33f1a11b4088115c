export type {
  ContractAssertion,
  ContractRule,
  MetricRequest,
  MetricScale,
  UnsupportedRule,
} from './contract-rule.js'
export { DataContract } from './data-contract.js'
