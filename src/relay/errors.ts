/**
 * Named errors of the relay, one class per failure. Callers (the CLI, tests) branch on `name`,
 * never on message text.
 */

/** A command line argument the relay does not understand or cannot use. */
export class RelayOptionsError extends Error {
  constructor(message = 'Invalid relay option') {
    super(message)
    this.name = 'RelayOptionsError'
  }
}

/** The folder to serve has no built app in it (no `index.html`). */
export class DistNotFoundError extends Error {
  constructor(message = 'No built app found') {
    super(message)
    this.name = 'DistNotFoundError'
  }
}

/** The HTTP server could not listen on the requested host and port. */
export class ListenError extends Error {
  constructor(message = 'Could not listen', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ListenError'
  }
}

/** The key file exists but holds no usable Ed25519 libp2p private key, or cannot be read or written. */
export class KeyFileError extends Error {
  constructor(message = 'Unusable relay key file', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'KeyFileError'
  }
}

/** The relay's libp2p node could not start (e.g. its internal WebSocket listener). */
export class RelayNodeError extends Error {
  constructor(message = 'The relay node could not start', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RelayNodeError'
  }
}
