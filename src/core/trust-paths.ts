/**
 * Why the viewer trusts someone, as the few strongest paths of vouches and good reviews from the
 * viewer to them ("you → Ana → Ben"). A path's strength is the chance that the trust walk follows it:
 * the product of its normalised edge weights. Best-first search over simple paths: extending a path
 * never makes it stronger, so paths reach the target strongest first.
 */
import type { MemberId } from './model'
import type { TrustGraph } from './trust'

/** Explanations longer than this stop being explanations. */
export const MAX_PATH_HOPS = 4
/** Bounds the search on dense graphs; the strongest paths come out long before it is spent. */
const MAX_EXPANSIONS = 20_000

interface Partial {
  strength: number
  path: number[]
}

/** Up to `limit` strongest paths from viewer to target, strongest first, each listing both ends. */
export function trustPaths(graph: TrustGraph, viewer: MemberId, target: MemberId, limit = 3): MemberId[][] {
  const from = graph.index.get(viewer)
  const to = graph.index.get(target)
  if (from === undefined || to === undefined || from === to || limit <= 0) return []
  const heap: Partial[] = [{ strength: 1, path: [from] }]
  // As in k-shortest-path search: a member ends at most `limit` popped paths, which keeps this bounded.
  const pops = new Map<number, number>()
  const found: MemberId[][] = []
  let expansions = 0
  while (heap.length > 0 && found.length < limit && expansions < MAX_EXPANSIONS) {
    const { strength, path } = pop(heap)
    const end = path[path.length - 1]!
    if (end === to) {
      found.push(path.map((i) => graph.members[i]!))
      continue
    }
    const times = (pops.get(end) ?? 0) + 1
    pops.set(end, times)
    if (times > limit || path.length > MAX_PATH_HOPS) continue
    expansions++
    for (let e = graph.offsets[end]!; e < graph.offsets[end + 1]!; e++) {
      const next = graph.targets[e]!
      if (path.includes(next)) continue
      push(heap, { strength: strength * graph.weights[e]!, path: [...path, next] })
    }
  }
  return found
}

// A binary max-heap on strength.
function push(heap: Partial[], item: Partial): void {
  heap.push(item)
  let i = heap.length - 1
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]!.strength >= item.strength) break
    heap[i] = heap[parent]!
    i = parent
  }
  heap[i] = item
}

function pop(heap: Partial[]): Partial {
  const top = heap[0]!
  const last = heap.pop()!
  if (heap.length > 0) {
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let largest = i
      const strengthAt = (k: number) => (k === i ? last.strength : heap[k]!.strength)
      if (left < heap.length && heap[left]!.strength > strengthAt(largest)) largest = left
      if (right < heap.length && heap[right]!.strength > strengthAt(largest)) largest = right
      if (largest === i) break
      heap[i] = heap[largest]!
      i = largest
    }
    heap[i] = last
  }
  return top
}
