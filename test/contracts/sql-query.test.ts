// Which ODCS `type: sql` queries can run inside dqx's one scan per dataset, and why the rest cannot.
import { describe, expect, it } from 'vitest'
import { sqlQueryToAggregate } from '../../src/contracts/sql-query.js'

const TABLES = ['orders', 'raw_orders']

describe('sqlQueryToAggregate', () => {
  it(`maps one aggregate over this dataset, by name, physical name, \${object} or a schema-qualified name`, () => {
    expect(sqlQueryToAggregate(`SELECT COUNT(*) FROM \${object}`, TABLES, undefined)).toEqual({
      ok: true,
      sql: 'COUNT(*)',
    })
    expect(sqlQueryToAggregate(`select avg(\${property}) from raw_orders;`, TABLES, 'a"b')).toEqual({
      ok: true,
      sql: 'avg("a""b")',
    })
    expect(sqlQueryToAggregate('SELECT sum(x) / count(*) FROM "orders"', TABLES, undefined)).toEqual({
      ok: true,
      sql: 'sum(x) / count(*)',
    })
    expect(sqlQueryToAggregate('SELECT max(x) FROM sales.orders', TABLES, undefined)).toEqual({
      ok: true,
      sql: 'max(x)',
    })
    expect(sqlQueryToAggregate('SELECT COUNT(*)\nFROM orders\nWHERE x < 0', TABLES, undefined)).toEqual({
      ok: true,
      sql: 'count(*) filter (where x < 0)',
    })
  })

  it('refuses everything else with a reason', () => {
    const reason = (q: string, column?: string) => {
      const r = sqlQueryToAggregate(q, TABLES, column)
      return r.ok ? r.sql : r.reason
    }
    expect(reason(`SELECT COUNT(\${property}) FROM orders`)).toBe(
      `\${property} is used in a schema-level rule, which has no column`,
    )
    expect(reason('SELECT COUNT(*) FROM customers')).toBe(
      "the query reads 'customers', not this dataset (orders / raw_orders)",
    )
    expect(reason('SELECT x, COUNT(*) FROM orders GROUP BY x')).toMatch(
      /^it uses GROUP BY, which is not of the form/,
    )
    expect(reason('DELETE FROM orders')).toMatch(/^it is not of the form SELECT <aggregate>/)
    expect(reason('SELECT count(*) FROM orders WHERE x IN (SELECT y FROM z)')).toMatch(
      /^its WHERE clause contains 'SELECT': only one aggregate expression/,
    )
    expect(reason('SELECT count(*) /* c */ FROM orders')).toMatch(/^its select list contains '\/\*'/)
    expect(reason('SELECT min(x), max(x) FROM orders')).toBe('the query selects more than one value')
    expect(reason("SELECT coalesce(x, ',') FROM orders")).toBe(
      'the select list is not an aggregate (count, sum, avg, min, max, …)',
    )
    expect(reason('SELECT sum(x) FROM orders WHERE x > 0')).toBe(
      'a WHERE clause is only mapped for SELECT COUNT(*); use FILTER (WHERE …) inside the aggregate instead',
    )
  })
})
