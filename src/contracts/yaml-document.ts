import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { DqxError } from '../core/errors.js'

/** A path into the parsed YAML: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[]

/**
 * A contract file parsed with its positions kept, so that every later error (schema, mapping,
 * duplicate names) can point at `file:line:col` of the value it is about.
 */
export class YamlDocument {
  private constructor(
    /** The file as the user should see it (relative to the working directory when inside it). */
    readonly label: string,
    readonly data: unknown,
    private readonly root: Node | null,
    private readonly lines: LineCounter,
  ) {}

  /** Reads and parses `file`; a missing file or a YAML syntax error is a DqxError with file:line:col. */
  static read(file: string): YamlDocument {
    const absolute = resolve(file)
    const rel = relative(process.cwd(), absolute)
    const label = rel !== '' && !rel.startsWith('..') ? rel : absolute
    let text: string
    try {
      text = readFileSync(absolute, 'utf8')
    } catch (err) {
      throw new DqxError(
        'CONTRACT',
        `${label}: cannot read the contract file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check the path`,
        { cause: err },
      )
    }
    return YamlDocument.parse(text, label)
  }

  /** Parses YAML text; `label` names it in errors. */
  static parse(text: string, label: string): YamlDocument {
    const lines = new LineCounter()
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
    const first = doc.errors[0]
    if (first) {
      const { line, col } = lines.linePos(first.pos[0])
      const problem = first.message.split('\n')[0] as string
      throw new DqxError('CONTRACT', `${label}:${line}:${col}: invalid YAML: ${problem}`)
    }
    const root = doc.contents as Node | null
    return new YamlDocument(label, doc.toJS() as unknown, root, lines)
  }

  /**
   * `file:line:col` of the value at `path`, or of its key when `key` is true (for "unknown key"
   * errors). A path that does not exist (a missing field) points at the nearest parent that does.
   */
  where(path: YamlPath, key = false): string {
    let node: Node | null = this.root
    let offset = node?.range?.[0] ?? 0
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
        if (!pair) break
        const keyStart = (pair.key as Node).range?.[0] ?? offset
        node = (pair.value as Node | null) ?? null
        offset = key && last ? keyStart : (node?.range?.[0] ?? keyStart)
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined
        if (!item) break
        node = item
        offset = item.range?.[0] ?? offset
      } else {
        break
      }
    }
    const { line, col } = this.lines.linePos(offset)
    return `${this.label}:${line}:${col}`
  }

  /** A DqxError located at `path`: `file:line:col: <field> <problem>`. */
  error(path: YamlPath, problem: string, options: { key?: boolean } = {}): DqxError {
    return new DqxError('CONTRACT', `${this.where(path, options.key)}: ${formatPath(path)} ${problem}`)
  }
}

/** `datasets.orders.columns.email[0].isLt` — the field as a reader of the file would name it. */
export function formatPath(path: YamlPath): string {
  let out = ''
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`
  return out === '' ? 'the document' : out
}
