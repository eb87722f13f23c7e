// LaunchDarkly asks event senders to name themselves in User-Agent. A literal, as the
// destinations of Segment's action-destinations repository write theirs: this folder
// must drop into that repository unchanged, where no package.json of ours exists.

/** This destination's own version; raise it when what LaunchDarkly receives changes. */
export const DESTINATION_VERSION = '1.0.0'
export const USER_AGENT = `SegmentLaunchDarklyEvents/${DESTINATION_VERSION}`
