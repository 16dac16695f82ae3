import { describe, expect, it } from 'vitest'
import { DEFAULT_DIST, DEFAULT_HOST, DEFAULT_PORT } from '../../../src/relay/constants'
import { parseRelayArgs } from '../../../src/relay/options'

function errorName(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return (error as Error).name
  }
  return undefined
}

describe('parseRelayArgs', () => {
  it('uses the defaults when nothing is given', () => {
    expect(parseRelayArgs([])).toEqual({
      kind: 'run',
      options: { host: DEFAULT_HOST, port: DEFAULT_PORT, dist: DEFAULT_DIST },
    })
    expect(DEFAULT_PORT).toBe(8787)
    expect(DEFAULT_HOST).toBe('127.0.0.1')
  })

  it('reads --flag value and --flag=value', () => {
    expect(parseRelayArgs(['--port', '0', '--host=0.0.0.0', '--dist', 'out'])).toEqual({
      kind: 'run',
      options: { host: '0.0.0.0', port: 0, dist: 'out' },
    })
    expect(parseRelayArgs(['--port=65535'])).toMatchObject({ options: { port: 65535 } })
  })

  it('answers help', () => {
    expect(parseRelayArgs(['--help'])).toEqual({ kind: 'help' })
    expect(parseRelayArgs(['--port', '1', '-h'])).toEqual({ kind: 'help' })
  })

  it.each([
    [['--port', '65536']],
    [['--port', '-1']],
    [['--port', '0x10']],
    [['--port', '1e3']],
    [['--port', 'eighty']],
    [['--port']],
    [['--port=']],
    [['--host', '--port', '1']],
    [['--verbose']],
    [['serve']],
  ])('refuses %j with a RelayOptionsError', (argv) => {
    expect(errorName(() => parseRelayArgs(argv))).toBe('RelayOptionsError')
  })
})
