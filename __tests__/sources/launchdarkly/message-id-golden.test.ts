// design §3.9: messageIds stay what they were. The golden file holds the ids the built
// function gave the fixtures and the adversarial corpus before ids escaped `|` and `%`
// (issue 20); none of those inputs has either character in its environment or id, so
// every one of their ids must be exactly the same today. A changed id here is a duplicate
// in every warehouse that has the old one.

import { readFileSync } from 'node:fs'
import { corpusInputs, GOLDEN, GoldenIds, messageIdsOf } from './corpus-inputs'
import { sha256Hex, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()

const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, GoldenIds>

test('the golden file covers both fixtures and every source case of the corpus', () => {
  expect(Object.keys(golden).sort()).toEqual(
    corpusInputs()
      .map((input) => input.name)
      .sort()
  )
})

test('every fixture and corpus input keeps its messageIds, byte for byte', async () => {
  const today = await messageIdsOf(corpusInputs(), sha256Hex)
  expect(today).toEqual(golden)
}, 120_000)
