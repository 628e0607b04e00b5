"""Grouping by similarity: average-linkage agglomerative clustering, linked groups (the
connected parts of a similarity graph), and cosines.

numpy is imported inside the functions: the CLI module must load without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

ROW_BLOCK = 256  # rows of a similarity computed at once: bounds memory to ROW_BLOCK x n


def unit_rows(vectors: Any, dtype: Any = None) -> Any:
    """`vectors` (n x d) with every row scaled to unit length (zero rows stay zero)."""
    import numpy as np

    matrix = np.asarray(vectors, dtype=dtype or float)
    matrix = matrix.reshape(len(matrix), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def cosine_matrix(vectors: Sequence[Sequence[float]] | Any) -> Any:
    """Pairwise cosine similarity of `vectors` (an n x n numpy array)."""
    matrix = unit_rows(vectors)
    return matrix @ matrix.T


def mean_vector(vectors: Sequence[Sequence[float]] | Any) -> list[float]:
    """The unit-length mean of unit vectors: one vector for an item and its sub-bullets."""
    import numpy as np

    mean = np.mean(np.asarray(vectors, dtype=float), axis=0)
    norm = float(np.linalg.norm(mean))
    return [float(x) for x in (mean / norm if norm else mean)]


def average_linkage(similarity: Any, threshold: float, copy: bool = True) -> list[list[int]]:
    """Groups of indices: repeatedly join the two groups with the highest mean pairwise
    similarity while it is at least `threshold`. Deterministic (ties: lowest indices first);
    groups come back ordered by their first index, members sorted.

    Each row's best partner is kept up to date, so a join costs O(n) instead of a scan of
    the whole matrix (O(n^2) memory, about O(n^2) time). Once fewer than half its rows are
    groups still open, the matrix is compacted to those (in place, in order: ties break as
    before), so later joins cost O(groups left). With `copy=False` the (float64) matrix
    given is used as the work space and overwritten.
    """
    import numpy as np

    sim = np.array(similarity, dtype=float) if copy else np.asarray(similarity, dtype=float)
    n = len(sim)
    if n == 0:
        return []
    members: list[list[int]] = [[i] for i in range(n)]  # per row; [] once joined to another
    np.fill_diagonal(sim, -np.inf)
    best = np.argmax(sim, axis=1)  # the first column holding each row's maximum
    value = sim[np.arange(n), best]
    open_groups = n
    while open_groups > 1:
        a = int(np.argmax(value))  # the lowest row holding the maximum, as a full scan finds
        b = int(best[a])
        if not value[a] >= threshold:
            break
        a, b = min(a, b), max(a, b)
        size_a, size_b = len(members[a]), len(members[b])
        # Lance-Williams update for average linkage: the mean over all member pairs
        merged = (size_a * sim[a] + size_b * sim[b]) / (size_a + size_b)
        merged[a] = merged[b] = -np.inf  # what column a holds once the writes below are done
        sim[a, :] = merged
        sim[:, a] = merged
        sim[b, :] = -np.inf
        sim[:, b] = -np.inf
        members[a] += members[b]
        members[b] = []
        value[b] = -np.inf
        _update_best(sim, best, value, a, b, merged)
        open_groups -= 1
        if open_groups < len(sim) // 2 and len(sim) > COMPACT_FROM:
            sim, best, value, members = _compacted(sim, best, value, members)
    return sorted(sorted(group) for group in members if group)


COMPACT_FROM = 256  # smaller matrices are not worth compacting


def _compacted(sim: Any, best: Any, value: Any, members: list[list[int]]) -> Any:
    """The rows and columns of open groups only, in their order, moved to the top left of
    `sim` (a view of it is returned), with each row's best partner renumbered."""
    import numpy as np

    keep = np.array([i for i, group in enumerate(members) if group])
    for row, old in enumerate(keep.tolist()):  # row <= old: no row is overwritten unread
        sim[row, : len(keep)] = sim[old, keep]
    renumbered = np.full(len(sim), -1)
    renumbered[keep] = np.arange(len(keep))
    small = sim[: len(keep), : len(keep)]
    best = renumbered[best[keep]]
    value = value[keep]
    lost = np.flatnonzero(best < 0)  # a partner that is no longer open: look again
    if len(lost):
        best[lost] = np.argmax(small[lost], axis=1)
        value[lost] = small[lost, best[lost]]
    return small, best, value, [members[i] for i in keep.tolist()]


def _update_best(sim: Any, best: Any, value: Any, a: int, b: int, column: Any) -> None:
    """Keep each row's best partner after `b` joined `a` (`column`: column a, now): rows that
    pointed at a or b are scanned again; the others only compare their best with their new
    value in column a."""
    import numpy as np

    stale = (best == a) | (best == b)
    stale[a] = True
    stale[b] = False
    better = ~stale & ((column > value) | ((column == value) & (a < best)))
    best[better] = a
    value[better] = column[better]
    again = stale & (value > -np.inf)
    again[a] = True
    rows = np.flatnonzero(again)
    best[rows] = np.argmax(sim[rows], axis=1)
    value[rows] = sim[rows, best[rows]]


def linked_groups(
    count: int,
    rows: Callable[[Sequence[int]], Any],
    threshold: float,
    seeds: Iterable[int] | None = None,
) -> list[list[int]]:
    """The connected parts of the graph on `count` nodes that links two nodes whose
    similarity is at least `threshold`; only the parts holding a node of `seeds` (all parts
    when None), each sorted, ordered by first node. `rows(indices)` gives the similarities of
    those nodes to every node (len(indices) x count); it is asked once per node reached, in
    blocks of ROW_BLOCK, so memory stays O(ROW_BLOCK x count) whatever the number of links.

    Average linkage never joins two groups with no linked pair between them (their mean is
    below the threshold), so its groups at `threshold` lie each inside one part: clustering
    the parts one by one gives the same groups as clustering everything at once.
    """
    import numpy as np

    reached = np.zeros(count, dtype=bool)
    order = list(range(count)) if seeds is None else sorted(set(seeds))
    reached[order] = True
    parent = np.arange(count)
    queue = list(order)
    while queue:
        block, queue = queue[:ROW_BLOCK], queue[ROW_BLOCK:]
        linked = np.asarray(rows(block)) >= threshold
        for i, node in enumerate(block):
            _join(parent, np.append(np.flatnonzero(linked[i]), node))
        new = np.flatnonzero(linked.any(axis=0) & ~reached)
        reached[new] = True
        queue += new.tolist()
    nodes = np.flatnonzero(reached)
    roots = _roots(parent, nodes)
    parts: dict[int, list[int]] = {}
    for node, root in zip(nodes.tolist(), roots.tolist(), strict=True):
        parts.setdefault(root, []).append(node)
    return sorted(parts.values())


def _roots(parent: Any, nodes: Any) -> Any:
    """Union-find roots of `nodes` (pointer jumping, vectorised), paths compressed."""
    import numpy as np

    root = parent[nodes]
    while True:
        up = parent[root]
        if np.array_equal(up, root):
            break
        root = up
    parent[nodes] = root
    return root


def _join(parent: Any, nodes: Any) -> None:
    """Put `nodes` in one union-find set, rooted at the smallest root among them."""
    import numpy as np

    roots = np.unique(_roots(parent, nodes))
    parent[roots] = roots[0]
