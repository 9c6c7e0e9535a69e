"""Layered-layout internals, part 2: x coordinates of the nodes of some consecutive ranks, by the
priority method (Sugiyama). Each node moves as near as it may to the median x of its neighbours
in the rank just placed; real nodes with more wires go first and virtual nodes (wire lanes) last,
so a chain stays one straight column and a skip wire's lane settles beside it."""

from __future__ import annotations

from bisect import bisect_left, insort
from itertools import accumulate

from engine.layout_order import Layered

SWEEPS = (True, False, True)  # down, up, down


def assign_x(layered: Layered, ranks: list[list[int]], widths: list[float], gap: float) -> dict[int, float]:
    """The centre x of every node in `ranks` (consecutive ranks, top first); neighbours outside
    them are ignored. Adjacent cards keep `gap` between them, a card and a lane half of it, and
    lanes sit side by side."""
    x: dict[int, float] = {}
    for members in ranks:  # start packed to the left
        right = 0.0
        for node in members:
            x[node] = right + widths[node] / 2
            right += widths[node] + gap
    for downward in SWEEPS:
        steps = ranks[1:] if downward else ranks[-2::-1]
        for members in steps:
            _place_rank(layered, members, x, widths, gap, downward)
    return x


def separation(layered: Layered, a: int, b: int, widths: list[float], gap: float) -> float:
    """Least distance between the centres of neighbours `a` and `b` in one rank."""
    real = 2 - layered.virtual[a] - layered.virtual[b]  # 0, 1 or 2 cards
    return (widths[a] + widths[b]) / 2 + gap * real / 2


def _wanted(layered: Layered, node: int, x: dict[int, float], downward: bool) -> tuple[float | None, int]:
    """The x a node would like (the left median of its placed neighbours, real ones preferred
    when it has any) and how many such neighbours it has."""
    links = layered.up[node] if downward else layered.down[node]
    placed = [other for other, _, _ in links if other in x]
    real = [other for other in placed if not layered.virtual[other]]
    values = sorted(x[other] for other in (real or placed))
    return (values[(len(values) - 1) // 2] if values else None), len(placed)


def _place_rank(layered: Layered, members: list[int], x: dict[int, float], widths: list[float], gap: float,
                downward: bool) -> None:
    """Move one rank's nodes towards their wanted x, in priority order, keeping their order and
    separation; a node never pushes one placed before it."""
    count = len(members)
    if count == 1:  # most ranks of a chain: nothing to keep apart
        want, _ = _wanted(layered, members[0], x, downward)
        x[members[0]] = x[members[0]] if want is None else want
        return
    cur = [x[node] for node in members]
    seps = [separation(layered, a, b, widths, gap) for a, b in zip(members, members[1:])]
    offset = [0.0, *accumulate(seps)]  # offset[j] - offset[i]: least distance between slots i < j
    wanted, priority = [], []
    for slot, node in enumerate(members):
        want, links = _wanted(layered, node, x, downward)
        wanted.append(cur[slot] if want is None else want)
        priority.append((layered.virtual[node], -links, abs(wanted[slot] - cur[slot]), slot))
    placed: list[int] = []  # slots already placed, sorted
    for *_, slot in sorted(priority):
        where = bisect_left(placed, slot)
        target = wanted[slot]
        if where < len(placed):  # the placed node to the right bounds how far right it may go
            right = placed[where]
            target = min(target, cur[right] - (offset[right] - offset[slot]))
        if where > 0:
            left = placed[where - 1]
            target = max(target, cur[left] + (offset[slot] - offset[left]))
        cur[slot] = target
        for j in range(slot + 1, count):  # push unplaced nodes out of the way
            need = cur[j - 1] + seps[j - 1]
            if cur[j] >= need:
                break
            cur[j] = need
        for j in range(slot - 1, -1, -1):
            need = cur[j + 1] - seps[j]
            if cur[j] <= need:
                break
            cur[j] = need
        insort(placed, slot)
    for slot, node in enumerate(members):
        x[node] = cur[slot]
