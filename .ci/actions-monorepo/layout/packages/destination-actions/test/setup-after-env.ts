// What packages/destination-actions/test/setup-after-env.ts of action-destinations does
// around every test file: no network but 127.0.0.1, nock's interceptors cleared before
// each test, and nock's hold on the HTTP modules let go after the file.
import nock from 'nock'

beforeEach(() => {
  nock.cleanAll()
})

beforeAll(() => {
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
  if (!nock.isActive()) nock.activate()
})

afterAll(() => {
  nock.restore()
  nock.enableNetConnect()
  nock.cleanAll()
})
