// LaunchDarkly asks event senders to name themselves in User-Agent. This folder may import
// only actions-core and the core module (it must drop into action-destinations unchanged),
// so it cannot read package.json; a test keeps these equal to package.json's name and version.

export const PACKAGE_NAME = 'launchdarkly-segment-bundle'
export const PACKAGE_VERSION = '0.1.0'
export const USER_AGENT = `${PACKAGE_NAME}/${PACKAGE_VERSION}`
