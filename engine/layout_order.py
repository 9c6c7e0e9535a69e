"""Layered-layout internals, part 1: ranks, virtual nodes on long wires and the order of the
nodes within each rank (crossing reduction). engine/layout.py turns this into coordinates.

Nodes are small ints here: the network's nodes first (in topological order), then the virtual
nodes that carry a wire across the ranks it spans, one per rank in between.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field

from engine.graph import Network

PORT_SPREAD = 0.5  # how far apart (in rank slots) a card's first and last port count when ordering
MAX_ITERATIONS = 4  # down+up sweep pairs of crossing reduction
WORK_CAP = 60_000  # wire segments visited by crossing reduction, at most (keeps 1,000+ nodes fast)

# A wire segment as seen from one end: (node at the other end, port offset at the upper node,
# port offset at the lower node). Offsets are fractions of a rank slot, |offset| < PORT_SPREAD / 2.
Link = tuple[int, float, float]


@dataclass
class Layered:
    """A proper layered graph: every segment joins two adjacent ranks."""

    ids: list[str | None]  # network node id, or None for a virtual node
    rank: list[int]
    up: list[list[Link]] = field(default_factory=list)  # neighbours one rank up
    down: list[list[Link]] = field(default_factory=list)  # neighbours one rank down, first port first
    wire: dict[int, tuple[str, str]] = field(default_factory=dict)  # virtual node -> (source, target)
    virtual: list[bool] = field(default_factory=list)  # ids[n] is None (a list: read in hot loops)

    def add(self, node_id: str | None, rank: int) -> int:
        self.ids.append(node_id)
        self.virtual.append(node_id is None)
        self.rank.append(rank)
        self.up.append([])
        self.down.append([])
        return len(self.ids) - 1

    def link(self, upper: int, lower: int, upper_offset: float, lower_offset: float) -> None:
        self.down[upper].append((lower, upper_offset, lower_offset))
        self.up[lower].append((upper, upper_offset, lower_offset))

    def is_virtual(self, node: int) -> bool:
        return self.virtual[node]

    @property
    def rank_count(self) -> int:
        return max(self.rank, default=-1) + 1


def assign_ranks(network: Network, order: list[str]) -> dict[str, int]:
    """Longest path from the sources, so every wire points down; then each source with consumers
    moves down to sit just above its first consumer (a second Input joins where it is used).
    `order` is a topological order of the network."""
    graph = network.graph
    rank: dict[str, int] = {}
    for node in order:
        rank[node] = 1 + max((rank[p] for p in graph.pred[node]), default=-1)
    for node in order:
        if not graph.pred[node] and graph.succ[node]:
            rank[node] = min(rank[s] for s in graph.succ[node]) - 1
    return rank


def _offset(slot: int, count: int) -> float:
    """Where port `slot` of `count` sits along a card's edge, centred on 0."""
    return ((slot + 0.5) / count - 0.5) * PORT_SPREAD if count > 1 else 0.0


def _port_offset(ports: list[str], port: str) -> tuple[int, float]:
    """A port's index among a card's ports (unknown ports last) and its offset along the edge."""
    index = ports.index(port) if port in ports else len(ports)
    return index, _offset(index, len(ports))


def _wires(network: Network) -> list[tuple[str, str, float, float]]:
    """(source, target, offset on the source's bottom, offset on the target's top) for each pair of
    wired nodes (parallel wires drawn once), sorted by the source's output port, then wiring order.
    All wires into a multi-input port (Add, Concatenate) meet at one point, so they share an offset."""
    specs = {n: network.spec(n) for n in network.node_ids}
    found: dict[tuple[str, str], tuple[int, int, float, float]] = {}
    for number, edge in enumerate(network.edges()):  # wiring order
        port, out_offset = _port_offset(list(specs[edge.source].outputs), edge.source_port)
        _, in_offset = _port_offset([p.name for p in specs[edge.target].inputs], edge.target_port)
        key = (port, number, out_offset, in_offset)
        pair = (edge.source, edge.target)
        found[pair] = min(found.get(pair, key), key)
    ordered = sorted(found.items(), key=lambda item: item[1][:2])
    return [(src, dst, out_off, in_off) for (src, dst), (_, _, out_off, in_off) in ordered]


def build_layered(network: Network) -> Layered:
    """Rank the network and insert a virtual node on every rank a wire passes over."""
    order = network.topological_order()
    rank = assign_ranks(network, order)
    layered = Layered([], [])
    index = {node: layered.add(node, rank[node]) for node in order}
    for source, target, out_offset, in_offset in _wires(network):
        upper, offset = index[source], out_offset
        for r in range(rank[source] + 1, rank[target]):
            virtual = layered.add(None, r)
            layered.wire[virtual] = (source, target)
            layered.link(upper, virtual, offset, 0.0)
            upper, offset = virtual, 0.0
        layered.link(upper, index[target], offset, in_offset)
    return layered


def initial_order(layered: Layered) -> list[list[int]]:
    """Each rank in depth-first order from the sources: first output port's successors first, a
    card before a long wire's lane, then in wiring order."""
    ranks: list[list[int]] = [[] for _ in range(layered.rank_count)]
    seen = [False] * len(layered.ids)
    for start in range(len(layered.ids)):
        if layered.up[start] or seen[start]:
            continue
        stack = [start]
        while stack:
            node = stack.pop()
            if seen[node]:
                continue
            seen[node] = True
            ranks[layered.rank[node]].append(node)
            successors = sorted(layered.down[node], key=lambda link: (link[1], layered.virtual[link[0]]))
            stack.extend(lower for lower, _, _ in reversed(successors) if not seen[lower])
    return ranks


def count_crossings(layered: Layered, ranks: list[list[int]]) -> int:
    """Pairs of segments that cross, over all pairs of adjacent ranks (port positions included)."""
    pos = _positions(ranks, len(layered.ids))
    total = 0
    for members in ranks[:-1]:
        segments = sorted((pos[u] + up_off, pos[v] + low_off)
                          for u in members for v, up_off, low_off in layered.down[u])
        seen: list[float] = []
        for _, lower in segments:
            total += len(seen) - bisect_right(seen, lower)
            insort(seen, lower)
    return total


def order_ranks(layered: Layered) -> list[list[int]]:
    """Depth-first order, improved by barycenter sweeps down and up; the order with the fewest
    crossings wins. Ties keep real nodes before virtual ones (skip lanes go right of the path)."""
    ranks = initial_order(layered)
    best, fewest = [list(r) for r in ranks], count_crossings(layered, ranks)
    segments = sum(len(d) for d in layered.down)
    iterations = max(1, min(MAX_ITERATIONS, WORK_CAP // max(1, 4 * segments)))
    for _ in range(iterations):
        if fewest == 0:
            break
        for downward in (True, False):
            _sweep(layered, ranks, downward)
            crossings = count_crossings(layered, ranks)
            if crossings < fewest:
                best, fewest = [list(r) for r in ranks], crossings
    return best


def _sweep(layered: Layered, ranks: list[list[int]], downward: bool) -> None:
    """Reorder each rank by the barycenter of its neighbours in the rank before it (in sweep
    direction); nodes without such neighbours keep their slots."""
    pos = _positions(ranks, len(layered.ids))
    steps = range(1, len(ranks)) if downward else range(len(ranks) - 2, -1, -1)
    for r in steps:
        members = ranks[r]
        keyed, fixed = [], set()
        for slot, node in enumerate(members):
            if downward:
                values = [pos[u] + up_off for u, up_off, _ in layered.up[node]]
            else:
                values = [pos[v] + low_off for v, _, low_off in layered.down[node]]
            if values:
                keyed.append((sum(values) / len(values), layered.virtual[node], slot, node))
            else:
                fixed.add(slot)
        moving = iter(node for *_, node in sorted(keyed))
        ranks[r] = [members[slot] if slot in fixed else next(moving) for slot in range(len(members))]
        for slot, node in enumerate(ranks[r]):
            pos[node] = slot


def _positions(ranks: list[list[int]], size: int) -> list[int]:
    pos = [0] * size
    for members in ranks:
        for slot, node in enumerate(members):
            pos[node] = slot
    return pos
