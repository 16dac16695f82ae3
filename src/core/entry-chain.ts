/**
 * Verifying a batch of entries by their hash chains (DESIGN, "Signature speed": "verify a feed's
 * newest signature plus its hash chain"). Within a batch, consecutive entries of one feed where each
 * names the previous one's hash as `prev` form a chained run. The newest entry's signature covers its
 * `prev`, which is the hash of the whole previous entry (its signature included), and so on down the
 * run: one valid signature authenticates every entry of the run as written by the feed's key.
 *
 * When the newest signature fails, nothing of the run is taken on trust: each entry is verified on
 * its own, so a good prefix still passes and the bad entry is named (`bad-signature`) exactly as if
 * every signature had been checked. An entry that was never verified on its own is authentic only
 * through a valid signature at the end of its chain.
 *
 * One consequence, by design: an entry a feed's own author chained over is authentic even if its own
 * signature field is wrong — the author vouched for those exact bytes with the signature after it.
 */
import { equalBytes } from './bytes'
import type { Ed25519 } from './ed25519'
import { type Entry, verifyEntrySignature } from './entry'

/** Indices into `entries` of each chained run, in the order given; every entry is in exactly one run. */
export function chainedRuns(entries: readonly Entry[]): number[][] {
  const runs: number[][] = []
  let run: number[] = []
  entries.forEach((entry, index) => {
    const last = run.length > 0 ? entries[run[run.length - 1]!]! : undefined
    if (last && continues(last, entry)) {
      run.push(index)
    } else {
      if (run.length > 0) runs.push(run)
      run = [index]
    }
  })
  if (run.length > 0) runs.push(run)
  return runs
}

/** `next` is the entry after `last` in the same feed, and names it by hash. */
export function continues(last: Entry, next: Entry): boolean {
  return next.feedId === last.feedId && next.seq === last.seq + 1 && equalBytes(next.prev, last.hash)
}

export interface ChainVerification {
  /** Per entry, in the order given: authentic (by its own signature or its run's newest). */
  authentic: boolean[]
  /** Signatures actually checked. */
  verified: number
}

/**
 * Which entries are authentic. Runs are checked in parallel (WebCrypto uses several threads); a run
 * costs one signature when its newest is valid and one per entry when it is not.
 */
export async function verifyChained(ed: Ed25519, entries: readonly Entry[]): Promise<ChainVerification> {
  const authentic = entries.map(() => false)
  let verified = 0
  const check = async (index: number): Promise<boolean> => {
    verified++
    return verifyEntrySignature(ed, entries[index]!)
  }
  await Promise.all(
    chainedRuns(entries).map(async (run) => {
      const newest = run[run.length - 1]!
      if (await check(newest)) {
        for (const index of run) authentic[index] = true
        return
      }
      const each = await Promise.all(run.slice(0, -1).map(check))
      each.forEach((valid, at) => (authentic[run[at]!] = valid))
    }),
  )
  return { authentic, verified }
}
