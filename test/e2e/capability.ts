// Gating for end-to-end suites that need something from the machine (a Debian
// apt archive, a compiler, root to install packages, a display, ...).
//
// Locally a suite whose capability is missing reports itself skipped, with the
// reason on one line. In CI (RESTY_BUILD_REQUIRE_E2E=1) a missing capability
// is a test failure carrying the same reason, so an e2e suite can never pass
// by silently not running.
import { test, type TestOptions } from 'node:test';

export const REQUIRE_E2E_ENV = 'RESTY_BUILD_REQUIRE_E2E';

export function e2eRequired(): boolean {
  return process.env[REQUIRE_E2E_ENV] === '1';
}

/**
 * Returns the options to pass to the suite's `test()` / `describe()` calls.
 *
 * `reason` is undefined when the capability is present, else one line saying
 * what is missing. When e2e is required, a failing test named after the
 * capability is registered and the suite's own tests are skipped, so the
 * report shows one clear failure instead of many confusing ones.
 */
export function requireCapability(name: string, reason: string | undefined): TestOptions {
  if (reason === undefined) {
    return {};
  }
  const line = `${name}: ${reason.replace(/\s+/g, ' ').trim()}`;
  if (e2eRequired()) {
    test(`capability ${name}`, () => {
      throw new Error(`${line} (${REQUIRE_E2E_ENV}=1, so a missing capability fails the run)`);
    });
  }
  return { skip: line };
}
