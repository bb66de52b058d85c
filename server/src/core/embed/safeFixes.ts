import { applyEdits, appendToArray } from '../manifest/manifestEdits';
import { NEWEST_OPENRESTY_PRESET, RUNTIME_PRESETS } from '../resolve/runtimePresets';
import { Embedding } from './closure';

/**
 * The quick fixes that are safe to apply without looking (`resty-build
 * fix`): each has one outcome the binary needs and no other way to get it.
 * A module the closure reaches that resolves to a Lua file but is not
 * embedded goes to `embed` (embedded bytecode is found first, whatever the
 * runtime). A module that is found nowhere and that OpenResty bundles is
 * declared `provided`: it cannot be embedded, so the runtime must supply
 * it, and its name is one the newest preset lists (a typo is not).
 */
export interface SafeFixes {
  embed: string[];
  provided: string[];
}

export function safeFixes(embedding: Embedding): SafeFixes {
  const bundled = new Set(RUNTIME_PRESETS[NEWEST_OPENRESTY_PRESET].modules);
  const embed: string[] = [];
  const provided: string[] = [];
  for (const m of embedding.closure.modules.values()) {
    if (m.status === 'not-in-mapping') {
      embed.push(m.name);
    } else if (m.status === 'unresolved' && bundled.has(m.name) && embedding.project.profile === 'openresty') {
      provided.push(m.name);
    }
  }
  return { embed, provided };
}

/** The manifest text with the fixes applied, its comments and layout kept. */
export function applySafeFixes(text: string, fixes: SafeFixes): string {
  let out = text;
  if (fixes.embed.length > 0) {
    out = applyEdits(out, appendToArray(out, 'embed', fixes.embed));
  }
  if (fixes.provided.length > 0) {
    out = applyEdits(out, appendToArray(out, 'provided', fixes.provided));
  }
  return out;
}
