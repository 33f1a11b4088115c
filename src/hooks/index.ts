// Lifecycle hooks, tapable style: one class per call strategy, shared machinery in hook.ts.
export { AsyncParallelLimitHook } from './async-parallel-limit-hook.js'
export { AsyncSeriesHook } from './async-series-hook.js'
export { Hook } from './hook.js'
export { SyncHook } from './sync-hook.js'
export { TapTimeoutError } from './tap-runner.js'
export type {
  ArgsForTap,
  AsyncParallelLimitHookOptions,
  AsyncTapFn,
  HookInterceptor,
  HookOptions,
  OnTapError,
  PluginRun,
  PluginTraceContext,
  SyncTapFn,
  TapInfo,
  TapOptions,
  TapType,
} from './types.js'
