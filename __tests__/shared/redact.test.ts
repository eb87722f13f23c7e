// Secrets never appear in the function's errors or logs, not even in part.

import { redact } from '../../shared'

const SECRET = 'whsec-7Hq2LxP9vR4mN8kT3bW6yZ1cF5dJ0aE'

test('whole secrets are replaced', () => {
  expect(redact(`token ${SECRET} refused`, [SECRET])).toBe('token [redacted] refused')
})

test('a piece of a secret cut short by a quote is replaced too', () => {
  const quoted = `found text starting "${SECRET.slice(0, 24)}"`
  expect(redact(quoted, [SECRET])).toBe('found text starting "[redacted]"')
  expect(redact(`key "${SECRET.slice(5, 37)}"`, [SECRET])).toBe('key "[redacted]"')
})

test('runs shorter than 8 characters and short secrets only match whole', () => {
  expect(redact('whsec-7 and token', [SECRET, 'tok'])).toBe('whsec-7 and [redacted]en')
})

test('a secret that contains the placeholder does not loop', () => {
  expect(redact('a [redacted]xyz b', ['[redacted]xyz'])).toBe('a [redacted] b')
  expect(redact('x [redacted]zz y', ['1[redacted]zz'])).toBe('x [redacted] y')
})
