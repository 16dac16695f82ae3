import { describe, expect, it } from 'vitest'
import { toHex } from '../../../src/core/bytes'
import { decryptBackup, encryptBackup, phraseToSeed, seedToPhrase } from '../../../src/core/backup'
import { seededRandom } from '../../../src/core/random'
import { ENGLISH_WORDLIST } from '../../../src/core/wordlist'

const subtle = globalThis.crypto.subtle

describe('recovery phrase (BIP-39, 24 words)', () => {
  it('matches the published BIP-39 vectors for all-zero and all-one entropy', () => {
    expect(seedToPhrase(new Uint8Array(32), ENGLISH_WORDLIST)).toEqual([...Array(23).fill('abandon'), 'art'])
    expect(seedToPhrase(new Uint8Array(32).fill(0xff), ENGLISH_WORDLIST)).toEqual([...Array(23).fill('zoo'), 'vote'])
  })

  it('round-trips any seed, forgiving case and spacing', () => {
    const random = seededRandom(8)
    for (let i = 0; i < 50; i++) {
      const seed = random(32)
      const words = seedToPhrase(seed, ENGLISH_WORDLIST).map((word, at) => (at % 2 ? ` ${word.toUpperCase()} ` : word))
      expect(toHex(phraseToSeed(words, ENGLISH_WORDLIST))).toBe(toHex(seed))
    }
  })

  it('refuses a wrong count, an unknown word and a bad checksum with InvalidPhraseError', () => {
    const words = seedToPhrase(seededRandom(9)(32), ENGLISH_WORDLIST)
    const attempts = [words.slice(1), [...words.slice(0, 23), 'notaword'], [...words.slice(0, 23), words[23] === 'zoo' ? 'abandon' : 'zoo']]
    for (const attempt of attempts) expect(() => phraseToSeed(attempt, ENGLISH_WORDLIST)).toThrow(expect.objectContaining({ name: 'InvalidPhraseError' }))
  })
})

describe('passphrase-encrypted backup file', () => {
  const contents = {
    identitySeed: seededRandom(10)(32),
    name: 'Ana',
    circles: [{ id: 'ab'.repeat(16), key: 'cd'.repeat(32), name: 'Elm Street', description: '', createdAt: 5, relays: ['/ip4/127.0.0.1/tcp/1/ws'] }],
    exportedAt: 7,
  }

  it('round-trips with the right passphrase (NFC-normalised)', async () => {
    const file = await encryptBackup(subtle, seededRandom(11), contents, 'Cafe\u0301 by the park', 100_000)
    const back = await decryptBackup(subtle, file, 'Café by the park')
    expect(toHex(back.identitySeed)).toBe(toHex(contents.identitySeed))
    expect(back).toMatchObject({ name: 'Ana', circles: contents.circles, exportedAt: 7 })
  })

  it('names a wrong passphrase, and a damaged or foreign file, with their own errors', async () => {
    const file = await encryptBackup(subtle, seededRandom(12), contents, 'right one', 100_000)
    await expect(decryptBackup(subtle, file, 'wrong one')).rejects.toMatchObject({ name: 'WrongPassphraseError' })
    await expect(decryptBackup(subtle, file.slice(0, 20), 'right one')).rejects.toMatchObject({ name: 'CorruptBackupError' })
    await expect(decryptBackup(subtle, new TextEncoder().encode('{"not":"a backup"}'), 'right one')).rejects.toMatchObject({ name: 'CorruptBackupError' })
    await expect(decryptBackup(subtle, new Uint8Array([...file, 0]), 'right one')).rejects.toMatchObject({ name: 'CorruptBackupError' })
    // Too few PBKDF2 rounds is refused before any key is derived: a file cannot make restoring weak.
    const weak = await encryptBackup(subtle, seededRandom(13), contents, 'right one', 1000)
    await expect(decryptBackup(subtle, weak, 'right one')).rejects.toMatchObject({ name: 'CorruptBackupError' })
  })
})
