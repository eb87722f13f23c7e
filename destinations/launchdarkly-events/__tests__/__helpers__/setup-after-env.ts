// After each test file of the destination, as action-destinations' test/setup-after-env.ts does: nock lets go
// of the HTTP modules, which jest's worker keeps between files. Its generated snapshot test
// leaves persistent catch-all interceptors behind; without this, a later file in the same
// worker (an SDK posting to the local runtime, say) would be answered by them.
import nock from 'nock'

afterAll(() => {
  nock.cleanAll()
  nock.enableNetConnect()
  nock.restore()
})
