/**
 * The relay command: `npm start` builds the app and runs this. It serves the built PWA and, on the
 * same port, the libp2p relay (WebSockets, circuit relay v2, gossipsub); the archive comes later.
 *
 * src/relay may import src/core, src/net, node builtins and libp2p packages — never ui, store or
 * circle (enforced by test/lint/imports.ts). This file is the only place in src that prints.
 */
import { DistNotFoundError, KeyFileError, ListenError, RelayNodeError, RelayOptionsError } from './errors'
import { parseRelayArgs, RELAY_USAGE } from './options'
import { startRelay } from './start-relay'

async function main(argv: readonly string[]): Promise<number> {
  let parsed
  try {
    parsed = parseRelayArgs(argv)
  } catch (error) {
    if (error instanceof RelayOptionsError) {
      process.stderr.write(`${error.message}\n\n${RELAY_USAGE}`)
      return 2
    }
    throw error
  }
  if (parsed.kind === 'help') {
    process.stdout.write(RELAY_USAGE)
    return 0
  }

  let relay
  try {
    relay = await startRelay(parsed.options)
  } catch (error) {
    if (error instanceof DistNotFoundError || error instanceof ListenError || error instanceof KeyFileError || error instanceof RelayNodeError) {
      process.stderr.write(`${error.message}\n`)
      return 1
    }
    throw error
  }
  console.log(`Sharecircle is running at ${relay.url}`)
  console.log(`Relay peer id: ${relay.peerId} (key in ${parsed.options.keyFile})`)
  console.log('Addresses to put in invites:')
  for (const address of relay.multiaddrs) console.log(`  ${address}`)
  console.log('Press Ctrl+C to stop.')

  const signal = await new Promise<NodeJS.Signals>((stop) => {
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  // A second Ctrl+C while connections drain means "now".
  const forceExit = (): void => process.exit(130)
  process.once('SIGINT', forceExit)
  process.once('SIGTERM', forceExit)
  console.log(`\n${signal}: stopping…`)
  await relay.close()
  console.log('Stopped.')
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
