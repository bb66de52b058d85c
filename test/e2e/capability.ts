// Gating for the e2e suites that need more than Node (a real editor, nginx, ...): where the
// machine cannot run them they are skipped with a one-line reason, except when
// RESTY_BUILD_REQUIRE_E2E=1 (the CI script sets it), where a skip would hide a broken setup and
// is a failure instead.
import type { TestContext } from 'node:test';

export function e2eRequired(): boolean {
  return process.env.RESTY_BUILD_REQUIRE_E2E === '1';
}

/** Skips the test with `reason`, or throws it when the e2e suites are required. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (e2eRequired()) {
    throw new Error(`${reason} (RESTY_BUILD_REQUIRE_E2E=1 makes this a failure, not a skip)`);
  }
  t.skip(reason);
}

/**
 * True when the capability is there (`reasonIfMissing` undefined); else skips or fails the test
 * through skipOrFail and returns false, so the caller returns early.
 */
export function requireCapability(t: TestContext, name: string, reasonIfMissing: string | undefined): boolean {
  if (reasonIfMissing === undefined) {
    return true;
  }
  skipOrFail(t, `${name}: ${reasonIfMissing}`);
  return false;
}
