/**
 * Named errors of the network layer, one class per failure. Callers branch on `name`, never on
 * message text. Bad input from peers is never thrown: it is dropped and counted in the status.
 */

/** The libp2p node of a member could not be created or started. */
export class MemberNodeError extends Error {
  constructor(message = 'The network node could not start', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MemberNodeError'
  }
}

/** A relay address from an invite is not a multiaddr ending in `/p2p/<relay peer id>`. */
export class InvalidRelayAddressError extends Error {
  constructor(message = 'Invalid relay address') {
    super(message)
    this.name = 'InvalidRelayAddressError'
  }
}

/** The circle network was stopped; it takes no more circles. */
export class NetworkStoppedError extends Error {
  constructor(message = 'The circle network is stopped') {
    super(message)
    this.name = 'NetworkStoppedError'
  }
}
