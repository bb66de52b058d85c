// Gating for the e2e suites that need more than Node (a real editor, nginx
// built from Debian's sources, ...). Where the machine cannot run them they
// are skipped with a one-line reason, except when RESTY_BUILD_REQUIRE_E2E=1
// (the CI script sets it): there a skip would hide a broken setup, so it is a
// failure carrying the same reason.
import { test, type TestContext, type TestOptions } from 'node:test';

export const REQUIRE_E2E_ENV = 'RESTY_BUILD_REQUIRE_E2E';

export function e2eRequired(): boolean {
  return process.env[REQUIRE_E2E_ENV] === '1';
}

/** Skips the running test with `reason`, or throws it when the e2e suites are required. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (e2eRequired()) {
    throw new Error(`${reason} (${REQUIRE_E2E_ENV}=1 makes this a failure, not a skip)`);
  }
  t.skip(reason);
}

/**
 * Inside a test: true when the capability is there (`reasonIfMissing`
 * undefined); else skips or fails the test and returns false, so the caller
 * returns early.
 */
export function requireCapability(t: TestContext, name: string, reasonIfMissing: string | undefined): boolean {
  if (reasonIfMissing === undefined) {
    return true;
  }
  skipOrFail(t, `${name}: ${reasonIfMissing}`);
  return false;
}

/**
 * Before declaring a suite: the options for its `test()` calls. When the
 * capability is missing and e2e is required, one failing test named after the
 * capability is registered and the suite's own tests are skipped, so the
 * report shows one clear failure instead of many confusing ones.
 */
export function capabilityOptions(name: string, reason: string | undefined): TestOptions {
  if (reason === undefined) {
    return {};
  }
  const line = `${name}: ${reason.replace(/\s+/g, ' ').trim()}`;
  if (e2eRequired()) {
    test(`capability ${name}`, () => {
      throw new Error(`${line} (${REQUIRE_E2E_ENV}=1, so a missing capability fails the run)`);
    });
  }
  // Skipped only where e2e is not required: CI gets the failing test above instead.
  const options: TestOptions = {};
  options.skip = line;
  return options;
}
