/**
 * Entry sign + verify throughput through the app's own Ed25519 interface, run the same way in Node
 * and in Chromium. Each measurement signs and verifies real entries (the bytes the app signs), one at
 * a time, and also verifies a batch at once, the way ingest does.
 */
import { type Ed25519 } from '../../src/core/ed25519'
import { ZERO_HASH, signEntry, verifyEntrySignature } from '../../src/core/entry'
import { newSigningKeyPair } from '../../src/core/keys'
import { seededRandom } from '../../src/core/random'
import { median } from './stats'

export interface SignatureResult {
  implementation: string
  signPerSecond: number
  verifyPerSecond: number
  verifyBatchPerSecond: number
}

export async function measureSignatures(ed: Ed25519, count: number, rounds = 3): Promise<SignatureResult> {
  const random = seededRandom(42)
  const device = newSigningKeyPair(random)
  const unsigned = Array.from({ length: count }, (_, seq) => ({
    topic: random(32),
    feed: device.publicKey,
    seq,
    prev: ZERO_HASH,
    timestamp: 1_760_000_000_000 + seq,
    nonce: random(24),
    ciphertext: random(400),
  }))
  const sign: number[] = []
  const verify: number[] = []
  const batch: number[] = []
  for (let round = 0; round < rounds; round++) {
    let start = performance.now()
    const entries = []
    for (const entry of unsigned) entries.push(await signEntry(ed, device.secretKey, entry))
    sign.push((count / (performance.now() - start)) * 1000)
    start = performance.now()
    for (const entry of entries) if (!(await verifyEntrySignature(ed, entry))) throw new Error('benchmark entry did not verify')
    verify.push((count / (performance.now() - start)) * 1000)
    start = performance.now()
    const results = await Promise.all(entries.map((entry) => verifyEntrySignature(ed, entry)))
    if (results.includes(false)) throw new Error('benchmark entry did not verify')
    batch.push((count / (performance.now() - start)) * 1000)
  }
  return { implementation: ed.name, signPerSecond: median(sign), verifyPerSecond: median(verify), verifyBatchPerSecond: median(batch) }
}
