// Sections of BENCHMARKS.md that a partial run (`--only replication`, `--only browser`) rewrites on their own,
// leaving the rest of the file as the last run that had it wrote it.

/** The section under `heading` (`## Name`, to the next `## `), or null. */
export function sectionOf (doc: string, heading: string): string | null {
  const at = doc.indexOf('\n' + heading + '\n')
  if (at < 0) return null
  const next = doc.indexOf('\n## ', at + 1)
  return doc.slice(at + 1, next < 0 ? doc.length : next + 1)
}

/** `doc` with its section under `heading` replaced by `section` (put before the chart when it has none). */
export function mergeSection (doc: string, heading: string, section: string): string {
  const old = sectionOf(doc, heading)
  if (old !== null) return doc.replace(old, () => section)
  const chart = doc.indexOf('\n## Chart\n')
  if (chart < 0) return doc.trimEnd() + '\n\n' + section
  return doc.slice(0, chart + 1) + section + doc.slice(chart + 1)
}
