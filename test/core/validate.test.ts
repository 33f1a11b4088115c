import { describe, expect, it } from 'vitest'
import { DqxError } from '../../src/core/errors.js'
import { describeValue, positiveInteger } from '../../src/core/validate.js'

describe('describeValue', () => {
  it.each([
    ['text', "'text'"],
    [42, '42'],
    [true, 'true'],
    [10n, '10'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1], 'an array'],
    [{ a: 1 }, 'an object'],
    [() => 1, 'a function'],
    [Symbol('s'), 'a symbol'],
  ])('describes %s as %s', (value, text) => {
    expect(describeValue(value)).toBe(text)
  })
})

describe('positiveInteger', () => {
  it('returns a positive safe integer', () => {
    expect(positiveInteger(3, 'x', 'INVALID_ARGUMENT')).toBe(3)
  })

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53, '3', undefined])('refuses %s with the given code', (value) => {
    let error: unknown
    try {
      positiveInteger(value, "option 'n'", 'HOOK_USAGE')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DqxError)
    expect(error).toMatchObject({ code: 'HOOK_USAGE' })
    expect((error as Error).message).toMatch(/^option 'n' must be a positive integer, got /)
  })
})
