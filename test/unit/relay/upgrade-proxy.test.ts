import { describe, expect, it } from 'vitest'
import { requestHead } from '../../../src/relay/upgrade-proxy'

describe('requestHead', () => {
  it('replays the request line and raw headers in order, with their case', () => {
    expect(
      requestHead({
        method: 'GET',
        url: '/',
        httpVersion: '1.1',
        rawHeaders: ['Host', '127.0.0.1:8787', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'abc=='],
      }),
    ).toBe('GET / HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc==\r\n\r\n')
  })
})
