import * as crypto from 'node:crypto';
import type { AnalysedWorkspace } from '../core/workspace/analysedWorkspace';
import { pathToUri } from '../convert';
import { ModuleMapChangedParams } from '../protocol/protocol';
import { moduleMaps } from './moduleMap';

/** How long edits must pause before the module maps are compared again. */
const COMPARE_DELAY_MS = 200;

/**
 * Tells the client which projects' module maps changed, so a module view
 * re-reads a map when its rows did and not on every diagnostic: the maps are
 * compared when typing pauses, by their rows as the client sees them.
 */
export class ModuleMapChanges {
  /** Manifest file to the digest of its rows; undefined until the initial analysis has finished. */
  private last: Map<string, string> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (params: ModuleMapChangedParams) => void,
    private readonly onError: (err: unknown) => void,
    private readonly delayMs = COMPARE_DELAY_MS,
  ) {}

  /** The baseline waiting for the ready status to go out (`resetWhen`); superseded by a later reset. */
  private pending: object | undefined;
  /** An edit came while the baseline was pending: the maps the client read may be older than it. */
  private editedMeanwhile = false;

  /** Takes the maps as they are as the baseline, without a notification: the client reads them after the server's ready status. */
  reset(workspace: AnalysedWorkspace): void {
    this.pending = undefined;
    this.editedMeanwhile = false;
    this.last = snapshot(workspace);
  }

  /**
   * Takes the baseline once `sent` (the ready status) is written, so that
   * reading every map does not hold the status up. An edit in between is
   * not lost: every map is then announced as changed, and the client reads
   * them again.
   */
  resetWhen(sent: Promise<unknown>, workspace: AnalysedWorkspace): void {
    const token = {};
    this.pending = token;
    this.last = undefined;
    this.editedMeanwhile = false;
    const take = () => {
      if (this.pending !== token) {
        return;
      }
      const edited = this.editedMeanwhile;
      try {
        this.reset(workspace);
        if (edited && this.last!.size > 0) {
          this.send({ manifestUris: [...this.last!.keys()].sort().map(pathToUri) });
        }
      } catch (err) {
        this.onError(err);
      }
    };
    sent.then(take, take);
  }

  /** Compares the maps once edits pause; nothing before the baseline exists. */
  schedule(workspace: AnalysedWorkspace): void {
    if (!this.last) {
      if (this.pending) {
        this.editedMeanwhile = true;
      }
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.compare(workspace);
      } catch (err) {
        this.onError(err);
      }
    }, this.delayMs);
  }

  /** Compares now; sends and returns the manifests whose map changed (appeared, changed or went away). */
  compare(workspace: AnalysedWorkspace): string[] {
    const before = this.last ?? new Map<string, string>();
    const now = snapshot(workspace);
    this.last = now;
    const changed = [...new Set([...before.keys(), ...now.keys()])].filter((file) => before.get(file) !== now.get(file)).sort();
    if (changed.length > 0) {
      this.send({ manifestUris: changed.map(pathToUri) });
    }
    return changed;
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/**
 * Each map as the view shows it (its listed rows and its counts, which also
 * cover the rows past the list's bound), as a digest of their JSON: a map of
 * 10k modules is megabytes of text, its digest 44 characters.
 */
function snapshot(workspace: AnalysedWorkspace): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, map] of moduleMaps(workspace)) {
    const shown = JSON.stringify([map.modules, map.omitted, map.embedded, map.problems]);
    out.set(file, crypto.createHash('sha256').update(shown).digest('base64'));
  }
  return out;
}
