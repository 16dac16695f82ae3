/**
 * The whole relay on one port: the static server answers HTTP with the built app and hands WebSocket
 * upgrades to the libp2p node's internal listener. This is what the CLI and the integration tests
 * start.
 */
import { networkInterfaces } from 'node:os'
import { announceAddresses } from './addresses'
import { loadOrCreatePeerKey } from './peer-key'
import { startRelayNode, type RelayLibp2p } from './relay-node'
import { startStaticServer, type RelayInfo } from './static-server'
import type { TopicMirrorInit } from './topic-mirror'
import { createUpgradeProxy } from './upgrade-proxy'

export interface RelayInit {
  host: string
  /** 0 picks a free port; the announced addresses carry the real one. */
  port: number
  /** Folder with the built app; must contain `index.html`. */
  dist: string
  /** The relay's private key file, created when missing. */
  keyFile: string
  /** Explicit addresses to announce instead of the derived ones (see options.ts). */
  announce?: readonly string[]
  /** Overrides for the topic mirror's limits. */
  topics?: TopicMirrorInit
  /** Aborting stops the relay, as `close()` does; aborting during start rejects. */
  signal?: AbortSignal
}

export interface Relay {
  /** Where a browser should go for the app, e.g. `http://127.0.0.1:8787/`. */
  url: string
  /** Where peers dial the relay, with `/p2p/<peer id>`: the addresses to put in invites. */
  multiaddrs: string[]
  /** The relay's peer id, stable as long as its key file is. */
  peerId: string
  /** The libp2p node (for tests and the archive to come). */
  node: RelayLibp2p
  /** Stops the node, cuts forwarded WebSockets, then closes the HTTP server. */
  close(): Promise<void>
}

export async function startRelay(init: RelayInit): Promise<Relay> {
  const { signal } = init
  signal?.throwIfAborted()
  const privateKey = await loadOrCreatePeerKey(init.keyFile, { signal })
  const proxy = createUpgradeProxy()
  // The node starts after the server (its addresses need the server's port): until then, no info.
  let info: RelayInfo | undefined
  const server = await startStaticServer({ host: init.host, port: init.port, dist: init.dist, upgrade: proxy.handle, relayInfo: () => info })

  let started
  try {
    const announce = announceAddresses({ host: init.host, port: server.port, announce: init.announce, interfaces: networkInterfaces() })
    started = await startRelayNode({ privateKey, announce, topics: init.topics, clientOfPort: (port) => proxy.clientOfPort(port), signal })
  } catch (error) {
    proxy.close()
    await server.close()
    throw error
  }
  const { node, internalPort } = started
  proxy.setTarget(internalPort)
  const multiaddrs = node.getMultiaddrs().map((address) => address.toString())
  const peerId = node.peerId.toString()
  info = { peerId, multiaddrs }

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      signal?.removeEventListener('abort', onAbort)
      try {
        await node.stop()
      } finally {
        proxy.close()
        await server.close()
      }
    })()
    return closing
  }
  const onAbort = (): void => void close()
  signal?.addEventListener('abort', onAbort, { once: true })

  return {
    url: server.url,
    multiaddrs,
    peerId,
    node,
    close,
  }
}
