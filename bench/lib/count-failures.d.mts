import type { FunctionPlugin } from '../../src/index.js'

declare const countFailures: FunctionPlugin
export default countFailures
