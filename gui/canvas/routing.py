"""Wire routing around cards: plain geometry (no Qt), so it is easy to test.

Wires run top to bottom, from an output port on a card's bottom edge to an input port on another
card's top edge. A wire between neighbouring rows is a smooth S (a direct route). A wire whose
direct route would pass behind a card (a ResNet skip connection, a max-pool's indices wire) or
that has to climb (to the next column of a wrapped layout) runs in a free vertical lane beside
the cards instead: down from the source, across to the lane, along the lane, across, and down
into the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # left, top, right, bottom
Obstacles = Callable[[Rect], list[Rect]]  # the card rectangles that intersect a query rectangle

STUB = 16.0  # how far a wire leaves a port straight before it turns
CLEARANCE = 14.0  # distance kept between a lane and the cards beside it
MAX_TRIES = 24


@dataclass(frozen=True)
class Route:
    points: list[Point]  # a polyline; `direct` routes are drawn as one smooth S through them
    direct: bool
    label_at: Point  # where the wire's shape label sits


def route_wire(start: Point, end: Point, obstacles: Obstacles) -> Route:
    """The route from `start` (an output port) to `end` (an input port) that avoids cards."""
    (sx, sy), (ex, ey) = start, end
    if ey - sy >= 2 * STUB:
        for turn_y in _turn_candidates(sy, ey):
            points = [start, (sx, turn_y), (ex, turn_y), end]
            if _polyline_free(points, obstacles):
                return Route(points, True, ((sx + ex) / 2, turn_y))
    top, bottom = sy + STUB, ey - STUB
    lane = _free_lane(start, end, min(top, bottom), max(top, bottom), obstacles)
    points = [start, (sx, top), (lane, top), (lane, bottom), (ex, bottom), end]
    # A climbing wire (to the next column) is labelled near the column it feeds, a long downward
    # one halfway: lanes that run side by side then keep their labels apart.
    label_y = bottom + 2 * STUB if top > bottom else (top + bottom) / 2
    return Route(_without_repeats(points), False, (lane, label_y))


def _turn_candidates(sy: float, ey: float) -> list[float]:
    """Where a direct route may turn sideways: mid-gap for neighbours; near either end otherwise."""
    gap = ey - sy
    if gap <= 6 * STUB:
        return [sy + gap / 2]
    return [ey - 1.75 * STUB, sy + 1.75 * STUB]


def _polyline_free(points: list[Point], obstacles: Obstacles) -> bool:
    """No card lies on any segment (the first and last STUB pixels, at the ports, are not checked)."""
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        rect = _segment_rect(x1, y1, x2, y2)
        if rect is not None and obstacles(rect):
            return False
    return True


def _segment_rect(x1: float, y1: float, x2: float, y2: float) -> Rect | None:
    left, right, top, bottom = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    if right - left < 1:  # vertical: keep away from the ports at both ends
        top, bottom = top + 2, bottom - 2
        if bottom <= top:
            return None
        return left - 3, top, right + 3, bottom
    return left, top - 3, right, bottom + 3


def _free_lane(start: Point, end: Point, top: float, bottom: float, obstacles: Obstacles) -> float:
    """The x of a vertical lane from `top` to `bottom` that no card touches, as near as possible
    to the wire's ends; on a tie the lane goes to the right (where the layout leaves room)."""
    (sx, _), (ex, _) = start, end
    preferred = (sx + ex) / 2 if abs(ex - sx) > 1 else sx
    right = _search_lane(preferred, top, bottom, obstacles, +1, start, end)
    left = _search_lane(preferred, top, bottom, obstacles, -1, start, end)
    if right is None and left is None:
        return preferred
    if left is None or (right is not None and abs(right - preferred) <= abs(left - preferred) + 1):
        return right  # type: ignore[return-value]
    return left


def _search_lane(x: float, top: float, bottom: float, obstacles: Obstacles, direction: int,
                 start: Point, end: Point) -> float | None:
    for _ in range(MAX_TRIES):
        hits = obstacles((x - CLEARANCE / 2, top, x + CLEARANCE / 2, bottom))
        hits += _crossing_hits(x, start, end, top, bottom, obstacles)
        if not hits:
            return x
        x = (max(r[2] for r in hits) + CLEARANCE) if direction > 0 else (min(r[0] for r in hits) - CLEARANCE)
    return None


def _crossing_hits(lane: float, start: Point, end: Point, top: float, bottom: float,
                   obstacles: Obstacles) -> list[Rect]:
    """Cards on the short horizontal legs between the ports' columns and the lane."""
    hits: list[Rect] = []
    for (x, _), y in ((start, top), (end, bottom)):
        if abs(lane - x) >= 1:
            hits += obstacles((min(x, lane) + 4, y - 2, max(x, lane) - 4, y + 2))
    return hits


def _without_repeats(points: list[Point]) -> list[Point]:
    out = [points[0]]
    for point in points[1:]:
        if abs(point[0] - out[-1][0]) > 0.5 or abs(point[1] - out[-1][1]) > 0.5:
            out.append(point)
    return out


class GridIndex:
    """Rectangles by key in a coarse grid, for fast 'what is near here' queries (the cards a wire
    must avoid, the wires near a moved card) without asking the scene for every item."""

    def __init__(self, cell: float = 256.0) -> None:
        self.cell = cell
        self.rects: dict[object, Rect] = {}
        self._cells: dict[tuple[int, int], set] = {}

    def _span(self, rect: Rect):
        c = self.cell
        for cx in range(int(rect[0] // c), int(rect[2] // c) + 1):
            for cy in range(int(rect[1] // c), int(rect[3] // c) + 1):
                yield cx, cy

    def put(self, key: object, rect: Rect) -> None:
        """Add `key` at `rect`, or move it there."""
        if key in self.rects:
            self.remove(key)
        self.rects[key] = rect
        for cell in self._span(rect):
            self._cells.setdefault(cell, set()).add(key)

    def remove(self, key: object) -> None:
        rect = self.rects.pop(key, None)
        if rect is None:
            return
        for cell in self._span(rect):
            members = self._cells.get(cell)
            if members is not None:
                members.discard(key)
                if not members:
                    del self._cells[cell]

    def clear(self) -> None:
        self.rects.clear()
        self._cells.clear()

    def query(self, rect: Rect) -> list:
        """The keys whose rectangles intersect `rect`."""
        found: set = set()
        for cell in self._span(rect):
            found |= self._cells.get(cell, set())
        left, top, right, bottom = rect
        return [key for key in found if self.rects[key][0] < right and self.rects[key][2] > left
                and self.rects[key][1] < bottom and self.rects[key][3] > top]
