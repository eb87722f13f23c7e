// The relay's own variables, one record each (the source settings' LD_* variables are
// added from the function's settings in variables.ts): the parser, the banner, the
// warnings and the table of docs/relay.md all read this.

import { DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL } from '../../destinations/launchdarkly-events/endpoints'
import {
  DEFAULT_FUNCTION_INSTANCES,
  DEFAULT_HEADERS_TIMEOUT_SECONDS,
  DEFAULT_HOST,
  DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_LOG_SUMMARY_SECONDS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PORT,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  DEFAULT_SEGMENT_HOST,
  LOG_FORMATS,
  LOG_LEVELS
} from './defaults'
import type { Variable } from './variables'

/** The relay's own variables (the source settings' LD_* variables are added from SETTINGS). */
export const RUNTIME_VARIABLES: readonly Variable[] = [
  {
    name: 'HOST',
    field: { config: 'host' },
    kind: 'host',
    default: DEFAULT_HOST,
    description: 'address to listen on; `0.0.0.0` for every interface (set `LD_INGEST_TOKEN` then)'
  },
  {
    name: 'PORT',
    field: { config: 'port' },
    kind: 'port',
    default: String(DEFAULT_PORT),
    description: 'port to listen on'
  },
  {
    name: 'LD_SEGMENT_DATA_DIR',
    field: { config: 'dataDir' },
    kind: 'path',
    default: '.data',
    description:
      'folder of the NDJSON sink, or of the outbox with `SEGMENT_WRITE_KEY`, and of the forward outbox; one relay at a time holds it (`relay.lock`)'
  },
  {
    name: 'SEGMENT_WRITE_KEY',
    field: { config: 'segmentWriteKey' },
    kind: 'secret',
    description:
      "a Segment source's write key: calls go through the on-disk outbox to Segment instead of the NDJSON file"
  },
  {
    name: 'SEGMENT_HOST',
    field: { config: 'segmentHost' },
    kind: 'url',
    default: DEFAULT_SEGMENT_HOST,
    description: "Segment's Tracking API (`/v1/batch` is appended)"
  },
  {
    name: 'LD_OUTBOX_MAX_BYTES',
    field: { config: 'outboxMaxBytes' },
    kind: 'size',
    default: '256MiB',
    description: 'outbox size past which new deliveries get 503 with `Retry-After`'
  },
  {
    name: 'LD_FORWARD_EVENTS_TO',
    field: { config: 'forwardEventsTo' },
    kind: 'url',
    description:
      "also pass every SDK request the relay accepted (2xx) on to this events service (e.g. `https://events.launchdarkly.com` or a Relay Proxy), through an outbox of its own on disk, with the SDK's own `Authorization` and without `token`"
  },
  {
    name: 'LD_FORWARD_OUTBOX_MAX_BYTES',
    field: { config: 'forwardOutboxMaxBytes' },
    kind: 'size',
    default: '256MiB',
    description: 'size of the outbox of forwards past which new SDK deliveries get 503 with `Retry-After`'
  },
  {
    name: 'LD_OUTBOX_STALLED_SECONDS',
    field: { config: 'outboxStalledSeconds' },
    kind: 'seconds',
    default: '300',
    positive: true,
    description: '`/healthz` answers 503 `stalled` when an outbox holds records and has settled none for this long'
  },
  {
    name: 'LD_CLIENT_SIDE_IDS',
    field: { config: 'clientSideIds' },
    kind: 'list',
    description:
      "comma-separated client-side IDs accepted on `/events/bulk/{id}` (the ID in the path is the events' environment); unset: any ID, without a token, and a relay listening beyond loopback refuses to start unless `LD_ACCEPT_ANY_CLIENT_SIDE_ID` is set"
  },
  {
    name: 'LD_ACCEPT_ANY_CLIENT_SIDE_ID',
    field: { config: 'anyClientSideId' },
    kind: 'boolean',
    default: 'false',
    description:
      'with `HOST` beyond loopback and no `LD_CLIENT_SIDE_IDS`: start anyway, accepting events for any client-side ID (any page can then label its events with any environment)'
  },
  {
    name: 'LD_EVENTS_BASE_URL',
    field: { config: 'eventsBaseUrl' },
    kind: 'url',
    default: DEFAULT_EVENTS_BASE_URL,
    description: 'where the destination routes send events (a request cannot choose another `eventsBaseUrl`)'
  },
  {
    name: 'LD_SDK_BASE_URL',
    field: { config: 'sdkBaseUrl' },
    kind: 'url',
    default: DEFAULT_SDK_BASE_URL,
    description: 'where the destination routes check a client-side ID (`/authenticate`)'
  },
  {
    name: 'LD_CLIENT_SIDE_ID',
    field: { config: 'clientSideId' },
    kind: 'text',
    description:
      'destination function setting `clientSideId`: the environment `/destination-functions/launchdarkly-events` sends to'
  },
  {
    name: 'LD_SEND_TRACK_AS_CUSTOM',
    field: { config: 'sendTrackAsCustom' },
    kind: 'boolean',
    default: 'true',
    description: 'destination function setting `sendTrackAsCustom`: other track calls become custom events'
  },
  {
    name: 'LD_SEND_ALIAS_EVENTS',
    field: { config: 'sendAliasEvents' },
    kind: 'boolean',
    default: 'false',
    description:
      'destination function setting `sendAliasEvents`: identify and alias calls become legacy alias events (SDKs before contexts)'
  },
  {
    name: 'LD_FUNCTION_INSTANCES',
    field: { config: 'functionInstances' },
    kind: 'count',
    default: String(DEFAULT_FUNCTION_INSTANCES),
    description: 'warm instances of the source function, so deliveries run concurrently'
  },
  {
    name: 'LD_HEADERS_TIMEOUT_SECONDS',
    field: { config: 'headersTimeoutSeconds' },
    kind: 'seconds',
    default: String(DEFAULT_HEADERS_TIMEOUT_SECONDS),
    positive: true,
    description: 'a connection that has not sent its request headers within this time is closed (408)'
  },
  {
    name: 'LD_REQUEST_TIMEOUT_SECONDS',
    field: { config: 'requestTimeoutSeconds' },
    kind: 'seconds',
    default: String(DEFAULT_REQUEST_TIMEOUT_SECONDS),
    positive: true,
    description:
      'a request not received whole (headers and body) within this time is closed (408); at least `LD_HEADERS_TIMEOUT_SECONDS`'
  },
  {
    name: 'LD_KEEP_ALIVE_TIMEOUT_SECONDS',
    field: { config: 'keepAliveTimeoutSeconds' },
    kind: 'seconds',
    default: String(DEFAULT_KEEP_ALIVE_TIMEOUT_SECONDS),
    positive: true,
    description:
      "how long an idle keep-alive connection stays open; keep it above your load balancer's idle timeout (60 s on most, 600 s on Google Cloud's)"
  },
  {
    name: 'LD_MAX_CONNECTIONS',
    field: { config: 'maxConnections' },
    kind: 'limit',
    default: String(DEFAULT_MAX_CONNECTIONS),
    description: 'connections open at once; past it a new connection is closed at once'
  },
  {
    name: 'LD_LOG_CALLS',
    field: { config: 'logCalls' },
    kind: 'boolean',
    default: 'false',
    description: 'also log every emitted Segment call (at `info`)'
  },
  {
    name: 'LD_SINK',
    field: { config: 'sink' },
    kind: 'choice',
    values: ['segment', 'ndjson'],
    description:
      'where accepted calls go: `segment` (the outbox, needs `SEGMENT_WRITE_KEY`) or `ndjson` (a file in the data folder that grows without bound); unset: `segment` when `SEGMENT_WRITE_KEY` is set, else `ndjson`, which a relay listening beyond loopback refuses to start with unless asked for'
  },
  {
    name: 'LD_DRAIN_SECONDS',
    field: { config: 'drainSeconds' },
    kind: 'seconds',
    default: '0',
    description:
      'on SIGTERM, how long `/readyz` answers 503 while requests are still served (so load balancers move traffic away) before the relay stops accepting'
  },
  {
    name: 'LD_METRICS_PORT',
    field: { config: 'metricsPort' },
    kind: 'port',
    description: 'serve `GET /metrics` on this port (on `HOST`) instead of on `PORT`'
  },
  {
    name: 'LOG_LEVEL',
    field: { config: 'logLevel' },
    kind: 'choice',
    values: LOG_LEVELS,
    default: DEFAULT_LOG_LEVEL,
    description:
      '`debug`: a line per request; `info`: the periodic summary, startup and outbox news; `warn`: failures; `error`: what lost a delivery or a bug'
  },
  {
    name: 'LOG_FORMAT',
    field: { config: 'logFormat' },
    kind: 'choice',
    values: LOG_FORMATS,
    description: 'log lines as JSON objects (one a line) or as text; unset: text on a terminal, JSON otherwise'
  },
  {
    name: 'LOG_SUMMARY_SECONDS',
    field: { config: 'logSummarySeconds' },
    kind: 'seconds',
    default: String(DEFAULT_LOG_SUMMARY_SECONDS),
    description: 'how often an `info` line sums up the requests answered since the last one (`0`: never)'
  },
  {
    name: 'HTTPS_PROXY',
    field: { config: 'httpsProxy' },
    kind: 'proxy',
    lowerCaseToo: true,
    description:
      'proxy for outbound https requests (Segment, LaunchDarkly forwards, the REST API lookups); `HTTP_PROXY` when unset; its password is treated as a secret'
  },
  {
    name: 'HTTP_PROXY',
    field: { config: 'httpProxy' },
    kind: 'proxy',
    lowerCaseToo: true,
    description: 'proxy for outbound http requests (and https ones without `HTTPS_PROXY`)'
  },
  {
    name: 'NO_PROXY',
    field: { config: 'noProxy' },
    kind: 'list',
    lowerCaseToo: true,
    description:
      'comma-separated hosts reached without the proxy: names (`.example.com` or `example.com` for it and its subdomains), IP addresses, `host:port`, or `*` for all'
  }
]
