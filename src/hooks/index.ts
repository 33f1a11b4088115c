// Lifecycle hooks, tapable style: one class per call strategy, shared machinery in hook.ts and tap-runner.ts.
export { AsyncParallelLimitHook } from './async-parallel-limit-hook.js'
export { AsyncSeriesBailHook } from './async-series-bail-hook.js'
export { AsyncSeriesHook } from './async-series-hook.js'
export { AsyncSeriesWaterfallHook } from './async-series-waterfall-hook.js'
export { Hook } from './hook.js'
export { HookMap, type HookMapInterceptor } from './hook-map.js'
export { SyncBailHook } from './sync-bail-hook.js'
export { SyncHook } from './sync-hook.js'
export { SyncWaterfallHook } from './sync-waterfall-hook.js'
export { TapTimeoutError } from './tap-runner.js'
export type {
  ArgsForTap,
  AsyncBailTapFn,
  AsyncParallelLimitHookOptions,
  AsyncTapFn,
  AsyncWaterfallTapFn,
  BailTapFn,
  CallbackTapFn,
  HookInterceptor,
  HookOptions,
  HookResult,
  OnTapError,
  PluginRun,
  PluginTraceContext,
  SyncTapFn,
  TapCallback,
  TapEnforce,
  TapInfo,
  TapOptions,
  TapType,
  WaterfallTapFn,
} from './types.js'
