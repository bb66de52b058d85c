import { trailKey } from '../core/findingFormat';
import { comparePositions, Finding, Range } from '../core/types';

/** A site whose diagnostic carries a search trail. */
export interface TrailHolder {
  file: string;
  range: Range;
  /** How many sites share the trail, in the whole workspace. */
  sites: number;
}

/**
 * Which diagnostic carries each search trail: an unresolved module required
 * at 60 sites gets its trail once, as the related information of its first
 * site (by path, then position), and the other 59 point there. Kept up to
 * date file by file, as the publisher sends them.
 */
export class TrailHolders {
  /** Per trail key: the files with a site, each with its first site and its number of sites. */
  private readonly byKey = new Map<string, Map<string, { first: Range; count: number }>>();
  private readonly keysOfFile = new Map<string, Set<string>>();
  /** Holders already worked out, dropped for the keys an update touches: publishing every file asks each key once. */
  private readonly holders = new Map<string, TrailHolder>();

  /** The trail keys of a file's findings, as last recorded. */
  keysOf(file: string): readonly string[] {
    return [...(this.keysOfFile.get(file) ?? [])];
  }

  /** Records the findings of a file (an empty list: the file has none any more); returns the keys it had or has. */
  update(file: string, findings: readonly Finding[]): Set<string> {
    const touched = new Set(this.keysOfFile.get(file) ?? []);
    for (const key of touched) {
      this.holders.delete(key);
      const files = this.byKey.get(key);
      files?.delete(file);
      if (files?.size === 0) {
        this.byKey.delete(key);
      }
    }
    const keys = new Set<string>();
    for (const f of findings) {
      const key = trailKey(f);
      if (key === undefined) {
        continue;
      }
      keys.add(key);
      touched.add(key);
      this.holders.delete(key);
      let files = this.byKey.get(key);
      if (!files) {
        files = new Map();
        this.byKey.set(key, files);
      }
      const site = files.get(file);
      if (!site) {
        files.set(file, { first: f.range, count: 1 });
      } else {
        site.count++;
        if (comparePositions(f.range.start, site.first.start) < 0) {
          site.first = f.range;
        }
      }
    }
    if (keys.size > 0) {
      this.keysOfFile.set(file, keys);
    } else {
      this.keysOfFile.delete(file);
    }
    return touched;
  }

  holder(key: string): TrailHolder | undefined {
    const known = this.holders.get(key);
    if (known) {
      return known;
    }
    const holder = this.findHolder(key);
    // A key no file has any more is not kept: edits that rename a missing module would pile them up.
    if (holder) {
      this.holders.set(key, holder);
    }
    return holder;
  }

  private findHolder(key: string): TrailHolder | undefined {
    const files = this.byKey.get(key);
    if (!files) {
      return undefined;
    }
    let best: [string, { first: Range; count: number }] | undefined;
    let sites = 0;
    for (const entry of files) {
      sites += entry[1].count;
      if (!best || entry[0] < best[0]) {
        best = entry;
      }
    }
    return best && { file: best[0], range: best[1].first, sites };
  }

  /** The files with a site of the key. */
  filesOf(key: string): string[] {
    return [...(this.byKey.get(key)?.keys() ?? [])];
  }
}
