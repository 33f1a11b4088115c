export { AssertionBuilder, type AssertionConfig, TOLERANCE } from './core/assertion.js'
export { type Check, type CheckContext, type CheckFn, type CheckOptions, check } from './core/check.js'
export { DqxError, type DqxErrorCode } from './core/errors.js'
export { Expr, Metric } from './core/expression.js'
export { type MetricOptions, MetricProvider } from './core/metric-provider.js'
export type { MetricLiteral, MetricSpec } from './core/metric-spec.js'
export { ResultKey } from './core/result-key.js'
export { summarize } from './core/summary.js'
export type {
  AssertionResult,
  AssertionStatus,
  HookName,
  RunReport,
  RunSummary,
  Severity,
  SymbolInfo,
} from './core/types.js'
export { SEVERITIES } from './core/types.js'
export { type RunOptions, type SuiteOptions, VerificationSuite } from './core/verification-suite.js'
export { DataSource, type RecordsOptions, type SourceOptions } from './engine/data-source.js'
export { MetricDB, type StoredMetric, type StoredResult } from './engine/metric-db.js'
export { PluginFailureError } from './core/errors.js'
export type {
  AfterRunContext,
  EvaluatedContext,
  PluginErrorContext,
  ResultsContext,
  RunContext,
  TapScope,
} from './core/run-context.js'
export * from './hooks/index.js'
export type { SuiteHooks } from './plugins/lifecycle.js'
export {
  definePlugin,
  definePreset,
  type FunctionPlugin,
  type ObjectPlugin,
  type Plugin,
  type PluginOption,
  type Preset,
  type ResultProcessor,
  type Suite,
} from './plugins/plugin.js'
export { type DiscoveredPlugin, type DiscoverOptions, type DiscoveryFailure, PluginManager } from './plugins/discovery.js'
export { type DqxConfig, type DqxConfigExport, defineConfig } from './config/define-config.js'
