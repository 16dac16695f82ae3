/**
 * A realistic circle made without storage or network: `members` members, each a real identity and
 * device key with a join entry, then one signed entry per offer, exactly as the app writes them.
 * For benchmarks and large sync tests.
 */
import { toHex } from '../../src/core/bytes'
import { circleTopic, newCircleSecrets } from '../../src/core/circle-secrets'
import { webCryptoEd25519 } from '../../src/core/ed25519'
import type { Entry } from '../../src/core/entry'
import { issueCertificate, newBoxKeyPair, newSigningKeyPair } from '../../src/core/keys'
import { seededRandom } from '../../src/core/random'
import { newId } from '../../src/core/random'
import { normalizeOfferDraft } from '../../src/core/validate'
import { nextEntry } from '../../src/circle/feed-writer'
import { newMemberDoc, transactUpdate, writeProfile, writeRecord } from '../../src/circle/member-doc'
import type { CircleRecord } from '../../src/circle/types'
import { randomOfferDraft } from './drafts'

export interface SyntheticCircle {
  circle: CircleRecord
  entries: Uint8Array[]
  /** Size of every member doc's Yjs encoding, summed: the data itself, without feeds or crypto. */
  yjsBytes: number
}

export async function syntheticCircle(options: { members: number; offersPerMember: number; seed: number; subtle?: SubtleCrypto }): Promise<SyntheticCircle> {
  const random = seededRandom(options.seed)
  const ed = webCryptoEd25519(options.subtle ?? globalThis.crypto.subtle)
  let clock = 1_760_000_000_000
  const now = () => (clock += 1000)
  const secrets = newCircleSecrets(random)
  const circle: CircleRecord = { id: toHex(secrets.id), key: secrets.key, name: 'Bench circle', description: '', createdAt: now(), relays: [] }
  const topic = circleTopic(secrets)
  const entries: Uint8Array[] = []
  let yjsBytes = 0
  const { encodeStateAsUpdate } = await import('yjs')
  for (let m = 0; m < options.members; m++) {
    const identity = newSigningKeyPair(random)
    const device = newSigningKeyPair(random)
    const writer = { device, topic, circleKey: secrets.key, ed, random, now }
    const certificate = await issueCertificate(ed, identity, device.publicKey, secrets.id, now())
    let head: Entry = await nextEntry(writer, undefined, { type: 'join', certificate, name: `Member ${m}`, boxPublicKey: newBoxKeyPair(random).publicKey })
    entries.push(head.bytes)
    const doc = newMemberDoc()
    const append = async (write: Parameters<typeof transactUpdate>[1]) => {
      const update = transactUpdate(doc, write)!
      head = await nextEntry(writer, head, { type: 'update', update })
      entries.push(head.bytes)
    }
    await append((d) => writeProfile(d, { name: `Member ${m}`, area: `Block ${m % 12}`, bio: '' }))
    for (let o = 0; o < options.offersPerMember; o++) {
      const created = now()
      const fields = { ...normalizeOfferDraft(randomOfferDraft(random)), created, updated: created }
      await append((d) => writeRecord(d, 'offers', newId(random), JSON.parse(JSON.stringify(fields, (_k, v) => (v === undefined ? null : v)))))
    }
    yjsBytes += encodeStateAsUpdate(doc).length
    doc.destroy()
  }
  return { circle, entries, yjsBytes }
}
