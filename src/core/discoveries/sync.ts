// What to write so that the log and DISCOVERIES.md agree, decided from what both hold now. The log
// is the record; DISCOVERIES.md is regenerated from it, and entries only the file has (a fresh clone
// of a repository where the file was committed, a lost `.conductor/`) go into the log first, so no
// entry is ever dropped. A DISCOVERIES.md the user wrote is never overwritten.
import { discoveryKey, parseDiscoveryLog, type Discovery } from './discovery';
import { missingFromLog, parseDiscoveriesMarkdown, renderDiscoveriesMarkdown } from './discoveriesMarkdown';

export interface DiscoveriesSync {
  /** Everything known: the log's entries, then those only DISCOVERIES.md had. */
  entries: Discovery[];
  /** Entries to append to the log (those only DISCOVERIES.md had). */
  toAppend: Discovery[];
  /** The new text of DISCOVERIES.md, or null when it is not to be written (unchanged, nothing to show, or the user's own). */
  markdown: string | null;
  /** DISCOVERIES.md exists and was not written by Spec Conductor. */
  foreign: boolean;
  /** Lines of the log that are not discoveries. */
  problems: string[];
}

export function syncDiscoveries(logText: string | null, markdownText: string | null, slugOf: (phase: number) => string, extra: readonly Discovery[] = []): DiscoveriesSync {
  const log = parseDiscoveryLog(logText);
  const file = parseDiscoveriesMarkdown(markdownText);
  const foreign = markdownText !== null && !file.generated;
  const entries = [...log.entries];
  const keys = new Set(entries.map(discoveryKey));
  // Discoveries this process holds that the log it read does not (yet) show.
  for (const d of extra) {
    if (keys.has(discoveryKey(d))) continue;
    keys.add(discoveryKey(d));
    entries.push(d);
  }
  const toAppend = missingFromLog(entries, file, slugOf);
  entries.push(...toAppend);
  return { entries, toAppend, markdown: foreign ? null : markdownFor(entries, markdownText), foreign, problems: log.problems };
}

/** DISCOVERIES.md for `entries`, or null when there is none to write or it already says exactly that. */
export function markdownFor(entries: readonly Discovery[], current: string | null): string | null {
  if (entries.length === 0) return null;
  const text = renderDiscoveriesMarkdown(entries).text;
  return text === current ? null : text;
}
