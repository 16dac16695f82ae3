import { describe, expect, it } from 'vitest'
import { MAX_RELAY_TOPICS, MAX_TOPICS_PER_PEER, TOPIC_PREFIX } from '../../../src/relay/constants'
import { DEFAULT_TOPIC_FILTER, isRelayableTopic, TopicClaims, topicsToJoin, topicsToLeave, type TopicFilterInit } from '../../../src/relay/topic-filter'

const SMALL: TopicFilterInit = { prefix: 'sharecircle/', suffix: /^[!-~]+$/, maxLength: 40, maxTopics: 3, maxTopicsPerPeer: 2, maxTopicsPerClient: 4 }

describe('isRelayableTopic', () => {
  it('takes our prefix by default', () => {
    expect(TOPIC_PREFIX).toBe('sharecircle/')
    expect(DEFAULT_TOPIC_FILTER.maxTopics).toBe(MAX_RELAY_TOPICS)
    expect(DEFAULT_TOPIC_FILTER.maxTopicsPerPeer).toBe(MAX_TOPICS_PER_PEER)
    expect(isRelayableTopic(`sharecircle/${'ab'.repeat(32)}`)).toBe(true)
  })

  it.each([
    ['sharecircle/abc/discovery'],
    [`sharecircle/${'ab'.repeat(31)}a`],
    [`sharecircle/${'ab'.repeat(32)}0`],
    [`sharecircle/${'AB'.repeat(32)}`],
    [`sharecircle/${'ag'.repeat(32)}`],
  ])('by default refuses %j: only a topic name as members make them (prefix and SHA-256 hex)', (topic) => {
    expect(isRelayableTopic(topic)).toBe(false)
  })

  it.each([
    ['someone-else/abc'],
    ['Sharecircle/abc'],
    ['sharecircle/'],
    ['sharecircle'],
    [''],
    ['sharecircle/has space'],
    ['sharecircle/tab\t'],
    ['sharecircle/ünïcode'],
    ['xsharecircle/abc'],
  ])('refuses %j', (topic) => {
    expect(isRelayableTopic(topic, SMALL)).toBe(false)
  })

  it('refuses names longer than maxLength', () => {
    const longest = `sharecircle/${'a'.repeat(SMALL.maxLength - 'sharecircle/'.length)}`
    expect(isRelayableTopic(longest, SMALL)).toBe(true)
    expect(isRelayableTopic(`${longest}a`, SMALL)).toBe(false)
  })
})

describe('topicsToJoin', () => {
  it('picks new topics of ours, each once, in order', () => {
    const joined = new Set(['sharecircle/a'])
    expect(topicsToJoin(joined, ['sharecircle/b', 'other/x', 'sharecircle/a', 'sharecircle/b'], SMALL)).toEqual(['sharecircle/b'])
  })

  it('stops at maxTopics', () => {
    expect(topicsToJoin(new Set(), ['sharecircle/1', 'sharecircle/2', 'sharecircle/3', 'sharecircle/4'], SMALL)).toEqual([
      'sharecircle/1',
      'sharecircle/2',
      'sharecircle/3',
    ])
    expect(topicsToJoin(new Set(['sharecircle/1', 'sharecircle/2']), ['sharecircle/3', 'sharecircle/4'], SMALL)).toEqual(['sharecircle/3'])
    expect(topicsToJoin(new Set(['sharecircle/1', 'sharecircle/2', 'sharecircle/3']), ['sharecircle/4'], SMALL)).toEqual([])
  })

  it('joins nothing when already over the limit', () => {
    const joined = new Set(['sharecircle/1', 'sharecircle/2', 'sharecircle/3', 'sharecircle/4'])
    expect(topicsToJoin(joined, ['sharecircle/5'], SMALL)).toEqual([])
  })
})

describe('topicsToLeave', () => {
  it('names the joined topics nobody subscribes to', () => {
    const subscribers = new Map([
      ['sharecircle/a', 2],
      ['sharecircle/b', 0],
    ])
    expect(topicsToLeave(['sharecircle/a', 'sharecircle/b', 'sharecircle/c'], (topic) => subscribers.get(topic) ?? 0)).toEqual([
      'sharecircle/b',
      'sharecircle/c',
    ])
  })
})

describe('TopicClaims', () => {
  it('gives each peer at most its share of topics', () => {
    const claims = new TopicClaims(2)
    expect(claims.claim('p1', 'sharecircle/a')).toBe(true)
    expect(claims.claim('p1', 'sharecircle/b')).toBe(true)
    expect(claims.claim('p1', 'sharecircle/a')).toBe(true) // already held: no new room taken
    expect(claims.claim('p1', 'sharecircle/c')).toBe(false)
    expect([...claims.topics()]).toEqual(['sharecircle/a', 'sharecircle/b'])
    // Another peer has a share of its own, and may share topics.
    expect(claims.claim('p2', 'sharecircle/b')).toBe(true)
    expect(claims.claim('p2', 'sharecircle/c')).toBe(true)
    expect([...claims.topics()]).toEqual(['sharecircle/a', 'sharecircle/b', 'sharecircle/c'])
    expect([...claims.holders('sharecircle/b')]).toEqual(['p1', 'p2'])
  })

  it('frees room when a peer unsubscribes, and keeps a topic while anyone claims it', () => {
    const claims = new TopicClaims(2)
    claims.claim('p1', 'sharecircle/a')
    claims.claim('p1', 'sharecircle/b')
    claims.claim('p2', 'sharecircle/b')
    claims.release('p1', 'sharecircle/b')
    expect([...claims.topics()]).toEqual(['sharecircle/a', 'sharecircle/b'])
    expect(claims.claim('p1', 'sharecircle/c')).toBe(true)
    claims.release('p2', 'sharecircle/b')
    expect([...claims.topics()]).toEqual(['sharecircle/a', 'sharecircle/c'])
    claims.release('p2', 'sharecircle/never-claimed')
    expect(claims.holders('sharecircle/b').size).toBe(0)
  })

  it('forgets every claim of a peer that left: another peer cannot keep its topics joined', () => {
    const claims = new TopicClaims(2)
    claims.claim('flooder', 'sharecircle/x')
    claims.claim('flooder', 'sharecircle/y')
    claims.claim('friend', 'sharecircle/x')
    claims.claim('friend', 'sharecircle/y')
    // The friend's share is spent on the flooder's topics; the flooder comes back as a new id.
    claims.forget('flooder')
    expect(claims.claim('flooder-2', 'sharecircle/z')).toBe(true)
    expect(claims.claim('friend', 'sharecircle/z')).toBe(false)
    claims.forget('flooder-2')
    expect([...claims.topics()]).toEqual(['sharecircle/x', 'sharecircle/y'])
  })

  it('with the join and leave rules, peers over their share cannot crowd out a new topic', () => {
    const init: TopicFilterInit = { ...SMALL, maxTopics: 5, maxTopicsPerPeer: 2 }
    const claims = new TopicClaims(init.maxTopicsPerPeer)
    for (const peer of ['flood-1', 'flood-2']) for (let i = 0; i < 50; i++) claims.claim(peer, `sharecircle/${peer}-${i}`)
    const joined = new Set(topicsToJoin(new Set(), claims.topics(), init))
    expect(joined.size).toBe(4)
    claims.claim('member', 'sharecircle/discovery')
    expect(topicsToJoin(joined, claims.topics(), init)).toEqual(['sharecircle/discovery'])
    claims.forget('flood-1')
    expect(topicsToLeave(joined, (topic) => claims.holders(topic).size)).toEqual(['sharecircle/flood-1-0', 'sharecircle/flood-1-1'])
  })

  it('gives the peers of one client address one share between them: new peer ids do not bring more', () => {
    const claims = new TopicClaims(2, 3)
    expect(claims.claim('a1', 'sharecircle/a', '198.51.100.1')).toBe(true)
    expect(claims.claim('a1', 'sharecircle/b', '198.51.100.1')).toBe(true)
    expect(claims.claim('a2', 'sharecircle/c', '198.51.100.1')).toBe(true)
    expect(claims.claim('a3', 'sharecircle/d', '198.51.100.1')).toBe(false)
    // Another address, or a peer the relay cannot place, has its own room.
    expect(claims.claim('b1', 'sharecircle/d', '198.51.100.2')).toBe(true)
    expect(claims.claim('x1', 'sharecircle/e')).toBe(true)
    // A peer that leaves gives the address its room back.
    claims.forget('a1')
    expect(claims.claim('a3', 'sharecircle/d', '198.51.100.1')).toBe(true)
    expect(claims.claim('a3', 'sharecircle/f', '198.51.100.1')).toBe(true)
    expect(claims.claim('a4', 'sharecircle/g', '198.51.100.1')).toBe(false)
    claims.release('a2', 'sharecircle/c')
    expect(claims.claim('a4', 'sharecircle/g', '198.51.100.1')).toBe(true)
  })
})
