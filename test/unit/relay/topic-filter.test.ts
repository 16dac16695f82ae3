import { describe, expect, it } from 'vitest'
import { MAX_RELAY_TOPICS, TOPIC_PREFIX } from '../../../src/relay/constants'
import { DEFAULT_TOPIC_FILTER, isRelayableTopic, topicsToJoin, topicsToLeave, type TopicFilterInit } from '../../../src/relay/topic-filter'

const SMALL: TopicFilterInit = { prefix: 'sharecircle/', maxLength: 40, maxTopics: 3 }

describe('isRelayableTopic', () => {
  it('takes our prefix by default', () => {
    expect(TOPIC_PREFIX).toBe('sharecircle/')
    expect(DEFAULT_TOPIC_FILTER.maxTopics).toBe(MAX_RELAY_TOPICS)
    expect(isRelayableTopic(`sharecircle/${'ab'.repeat(32)}`)).toBe(true)
    expect(isRelayableTopic('sharecircle/abc/discovery')).toBe(true)
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
