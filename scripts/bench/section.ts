// One part of `npm run bench`: what it measures, the JSON keys it reports and the rows it
// adds to the table. index.ts runs the sections in order.

export interface Row {
  /** The JSON key the row shows, or '' for a row with no key. */
  readonly key: string
  readonly measure: string
  readonly value: string
  /** The bar the value is held to, if any, and whether it meets it. */
  readonly bar?: string
  readonly ok?: boolean
}

export interface SectionResult<K extends string = string> {
  /** Every key the section declares, null when it could not be measured. */
  readonly json: Record<K, number | null>
  readonly rows: readonly Row[]
  /** Lines printed under the table: the detail behind the rows. */
  readonly notes: readonly string[]
  /** Time spent on one-time setup (an install), left out of the bench time. */
  readonly setupMs?: number
}

export interface Section<K extends string = string> {
  /** Its JSON keys, in the order the JSON line gives them. */
  readonly keys: readonly K[]
  run(progress: (line: string) => void): Promise<SectionResult<K>>
}
