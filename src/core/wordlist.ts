/** The BIP-39 English word list, for recovery phrases (data only; the encoding lives in backup.ts). */
export { wordlist as ENGLISH_WORDLIST } from '@scure/bip39/wordlists/english.js'
