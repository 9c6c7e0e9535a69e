"""Automatic top-to-bottom layered layout (Sugiyama, as Netron draws with dagre), with wrapping.

Cards take their inputs on the top edge and give outputs on the bottom edge, so every wire runs
down: ranks by longest path, virtual nodes on wires that span several ranks (their lanes run
beside the main path), crossing reduction (engine/layout_order.py), then x by the priority method
(engine/layout_place.py). A long, narrow drawing is cut into columns placed left to right, each
starting again at the top, so that the whole drawing's width/height comes near `aspect`.
A position is a card's top-left corner (x right, y down); the drawing starts at (0, 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.graph import Network
from engine.layout_order import Layered, build_layered, order_ranks
from engine.layout_place import assign_x, separation

NODE_SIZE = (160.0, 84.0)  # a card's width and height
GAP = (48.0, 56.0)  # between cards side by side; between ranks (holds a shape label on the wire)
RANK_STEP = NODE_SIZE[1] + GAP[1]
COLUMN_WIDTH = NODE_SIZE[0] + GAP[0]  # one card plus the gap beside it (was: the left-to-right step)
LANE_WIDTH = 28.0  # width of the lane a long wire takes through a rank
DEFAULT_ASPECT = 1.5  # width/height wanted for the whole drawing (a landscape canvas)
WRAP_GAP = 72.0  # the gutter between wrapped columns, where the wrapping wires run
MIN_COLUMN_RANKS = 3  # never wrap into columns shorter than this
WRAP_WHEN_TALLER = 2.0  # wrap only when the drawing is this many times taller than `aspect` wants
CUT_DRIFT_COST = 0.2  # a cut one rank away from the even split costs this many extra crossing wires
DIRTY_CUT_COST = 0.25  # a cut through more wires than a boundary a column away costs this much log-aspect

Positions = dict[str, tuple[float, float]]


@dataclass
class Column:
    """One column of the drawing: its cards' top-left corners, and for each wire that passes
    ranks of this column without a card there, the centre of its lane (x, rank top y) per rank."""

    positions: Positions = field(default_factory=dict)
    lanes: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)


def layered_positions(network: Network, *, node_size: tuple[float, float] = NODE_SIZE,
                      gap: tuple[float, float] = GAP, aspect: float | None = DEFAULT_ASPECT,
                      wrap_gap: float = WRAP_GAP) -> Positions:
    """Every node's top-left corner; `aspect=None` never wraps."""
    positions: Positions = {}
    for column in layout_columns(network, node_size=node_size, gap=gap, aspect=aspect, wrap_gap=wrap_gap):
        positions.update(column.positions)
    return positions


def apply_layout(network: Network, *, node_size: tuple[float, float] = NODE_SIZE,
                 gap: tuple[float, float] = GAP, aspect: float | None = DEFAULT_ASPECT,
                 wrap_gap: float = WRAP_GAP) -> Positions:
    """Move every node to its layered position; returns the old positions (for undo)."""
    old = {n: network.node(n).position for n in network.node_ids}
    new = layered_positions(network, node_size=node_size, gap=gap, aspect=aspect, wrap_gap=wrap_gap)
    for node_id, position in new.items():
        network.move(node_id, position)
    return old


def layout_columns(network: Network, *, node_size: tuple[float, float] = NODE_SIZE,
                   gap: tuple[float, float] = GAP, aspect: float | None = DEFAULT_ASPECT,
                   wrap_gap: float = WRAP_GAP) -> list[Column]:
    """The layout as its columns, left to right (one column when nothing wraps)."""
    if len(network) == 0:
        return []
    layered = build_layered(network)
    ranks = order_ranks(layered)
    widths = [LANE_WIDTH if virtual else node_size[0] for virtual in layered.virtual]
    rank_widths = [_packed_width(layered, members, widths, gap[0]) for members in ranks]
    crossings = [sum(len(layered.down[n]) for n in members) for members in ranks]
    spans = choose_columns(rank_widths, crossings, node_size[1] + gap[1], gap[1], aspect, wrap_gap)
    columns, left = [], 0.0
    for first, end in spans:
        column, width = _place_column(layered, ranks, first, end, widths, node_size, gap, left)
        columns.append(column)
        left += width + wrap_gap
    return _to_origin(columns)


def _place_column(layered: Layered, ranks: list[list[int]], first: int, end: int, widths: list[float],
                  node_size: tuple[float, float], gap: tuple[float, float], left: float) -> tuple[Column, float]:
    """Ranks first..end-1 laid out as one column whose left edge is at `left`; returns it and its width."""
    x = assign_x(layered, ranks[first:end], widths, gap[0])
    low = min(x[n] - widths[n] / 2 for n in x)
    column = Column()
    for node in sorted(x, key=layered.rank.__getitem__):
        cx, y = left + x[node] - low, (layered.rank[node] - first) * (node_size[1] + gap[1])
        if layered.is_virtual(node):
            column.lanes.setdefault(layered.wire[node], []).append((cx, y))
        else:
            column.positions[layered.ids[node]] = (cx - node_size[0] / 2, y)
    return column, max(x[n] + widths[n] / 2 for n in x) - low


def choose_columns(rank_widths: list[float], crossings: list[int], rank_step: float, gap_y: float,
                   aspect: float | None, wrap_gap: float) -> list[tuple[int, int]]:
    """Cut the ranks into columns, as (first rank, end rank) spans. `crossings[r]` counts the
    wires leaving rank r, which a cut after rank r makes wrap. The number of columns is the one
    whose drawing comes nearest `aspect`; a cut through more wires than a boundary less than a
    column's length away (through a residual block, say) counts against it."""
    count = len(rank_widths)
    spans = [(0, count)]
    if aspect is None or aspect <= 0:
        return spans

    def miss(candidate: list[tuple[int, int]]) -> float:
        """How far the drawing's width/height is from `aspect`, as a log ratio (> 0: too wide)."""
        width = sum(max(rank_widths[a:b]) for a, b in candidate) + wrap_gap * (len(candidate) - 1)
        height = max(b - a for a, b in candidate) * rank_step - gap_y
        return math.log(width / height / aspect)

    if miss(spans) > -math.log(WRAP_WHEN_TALLER):
        return spans
    best = abs(miss(spans))
    for columns in range(2, count + 1):
        candidate = cut_ranks(crossings, columns)
        if max(b - a for a, b in candidate) < MIN_COLUMN_RANKS:
            break
        off = miss(candidate)
        score = abs(off) + DIRTY_CUT_COST * _needless_cuts(crossings, candidate)
        if score < best:
            spans, best = candidate, score
        if off >= best:  # too wide already: more columns only make it wider
            break
    return spans


def cut_ranks(crossings: list[int], columns: int) -> list[tuple[int, int]]:
    """Split ranks 0..len-1 into `columns` runs: each cut near the even split of the ranks left,
    where the fewest wires cross it (between two layers of a chain, not inside a residual block)."""
    count = len(crossings)
    window = max(1, round(count / columns / 2))
    cuts = [0]
    for i in range(1, columns):
        even = cuts[-1] + math.ceil((count - cuts[-1]) / (columns - i + 1))  # fuller columns first
        lowest, highest = max(cuts[-1] + 1, even - window), min(count - (columns - i), even + window)
        candidates = range(lowest, highest + 1) if lowest <= highest else [max(cuts[-1] + 1, even)]
        cuts.append(min(candidates, key=lambda c: (crossings[c - 1] + CUT_DRIFT_COST * abs(c - even),
                                                   abs(c - even))))
    cuts.append(count)
    return list(zip(cuts, cuts[1:]))


def _needless_cuts(crossings: list[int], spans: list[tuple[int, int]]) -> int:
    """Cuts that wrap more wires than some boundary less than a column's length away."""
    reach = math.ceil(len(crossings) / len(spans))
    return sum(crossings[a - 1] > min(crossings[max(0, a - 1 - reach):a + reach]) for a, _ in spans[1:])


def _packed_width(layered: Layered, members: list[int], widths: list[float], gap: float) -> float:
    """A rank's width with its nodes side by side at their least separation."""
    if not members:
        return 0.0
    inner = sum(separation(layered, a, b, widths, gap) for a, b in zip(members, members[1:]))
    return inner + (widths[members[0]] + widths[members[-1]]) / 2


def _to_origin(columns: list[Column]) -> list[Column]:
    """Shift everything so the leftmost card starts at x = 0 (the top row is already at y = 0)."""
    dx = min(x for column in columns for x, _ in column.positions.values())
    for column in columns:
        column.positions = {n: (x - dx, y) for n, (x, y) in column.positions.items()}
        column.lanes = {wire: [(x - dx, y) for x, y in points] for wire, points in column.lanes.items()}
    return columns
