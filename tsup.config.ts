import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    plugins: 'src/plugins/index.ts',
    plugin: 'src/plugin-entry.ts',
    testing: 'src/testing/index.ts',
    cli: 'src/cli/main.ts',
    // Started as the entry of every isolated plugin's sandbox (src/suite/isolation/sandbox.ts).
    'isolation-runner': 'src/suite/isolation/sandbox-runner.mjs',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: {
    entry: {
      index: 'src/index.ts',
      plugin: 'src/plugin-entry.ts',
      plugins: 'src/plugins/index.ts',
      testing: 'src/testing/index.ts',
    },
  },
  sourcemap: true,
  clean: true,
  splitting: true,
  shims: false,
})
