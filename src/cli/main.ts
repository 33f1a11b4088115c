#!/usr/bin/env node
import { runCli } from './run.js'

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
})
// Exit once stdout and stderr are flushed: a plugin's open socket or pool must not keep the CLI alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
