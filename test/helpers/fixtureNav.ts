import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSystem } from '../../server/src/core/nodeFileSystem';
import { Position, Range } from '../../server/src/core/types';
import { Workspace } from '../../server/src/core/workspace/workspace';
import { fixture } from './paths';

/**
 * A fixture tree (test/fixtures/<scenario>/) opened as a workspace, with
 * positions and ranges named by the code they point at, so expectations
 * read like the fixture.
 */
export interface FixtureNav {
  ws: Workspace;
  root: string;
  /** Absolute path of a file of the fixture. */
  file(rel: string): string;
  /** The position `offset` characters into the `nth` (0-based) occurrence of `needle` in the file. */
  at(rel: string, needle: string, offset?: number, nth?: number): Position;
  /** The range of `word` inside the `nth` occurrence of `needle` (default: needle itself). */
  range(rel: string, needle: string, word?: string, nth?: number): Range;
}

export function positionIn(text: string, needle: string, offset = 0, nth = 0): Position {
  let index = -1;
  for (let k = 0; k <= nth; k++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) {
      throw new Error(`'${needle}' occurs fewer than ${nth + 1} times`);
    }
  }
  const before = text.slice(0, index + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

export function fixtureNav(scenario: string): FixtureNav {
  const root = fixture(scenario);
  const ws = new Workspace(new NodeFileSystem(), { roots: [root], env: { PATH: '' } });
  const file = (rel: string) => path.join(root, rel);
  const text = (rel: string) => fs.readFileSync(file(rel), 'utf8');
  return {
    ws,
    root,
    file,
    at: (rel, needle, offset = 0, nth = 0) => positionIn(text(rel), needle, offset, nth),
    range(rel, needle, word = needle, nth = 0) {
      const inner = needle.indexOf(word);
      if (inner < 0) {
        throw new Error(`'${word}' is not in '${needle}'`);
      }
      const start = positionIn(text(rel), needle, inner, nth);
      return { start, end: { line: start.line, character: start.character + word.length } };
    },
  };
}
