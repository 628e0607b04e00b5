"""Grouping by similarity: average-linkage agglomerative clustering, and cosine matrices.

numpy is imported inside the functions: the CLI module must load without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def cosine_matrix(vectors: Sequence[Sequence[float]]) -> Any:
    """Pairwise cosine similarity of `vectors` (an n x n numpy array)."""
    import numpy as np

    matrix = np.asarray(vectors, dtype=float).reshape(len(vectors), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1.0, norms)
    return matrix @ matrix.T


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    """The unit-length mean of unit vectors: one vector for an item and its sub-bullets."""
    import numpy as np

    mean = np.mean(np.asarray(vectors, dtype=float), axis=0)
    norm = float(np.linalg.norm(mean))
    return [float(x) for x in (mean / norm if norm else mean)]


def average_linkage(similarity: Any, threshold: float) -> list[list[int]]:
    """Groups of indices: repeatedly join the two groups with the highest mean pairwise
    similarity while it is at least `threshold`. Deterministic (ties: lowest indices first);
    groups come back ordered by their first index, members sorted."""
    import numpy as np

    sim = np.array(similarity, dtype=float)
    n = len(sim)
    if n == 0:
        return []
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    np.fill_diagonal(sim, -np.inf)
    alive = np.ones(n, dtype=bool)
    while len(groups) > 1:
        masked = np.where(alive[:, None] & alive[None, :], sim, -np.inf)
        flat = int(np.argmax(masked))
        a, b = divmod(flat, n)
        if masked[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        size_a, size_b = len(groups[a]), len(groups[b])
        # Lance-Williams update for average linkage: the mean over all member pairs
        merged = (size_a * sim[a] + size_b * sim[b]) / (size_a + size_b)
        sim[a, :] = merged
        sim[:, a] = merged
        sim[a, a] = -np.inf
        alive[b] = False
        sim[b, :] = -np.inf
        sim[:, b] = -np.inf
        groups[a] = sorted(groups[a] + groups.pop(b))
    return [groups[k] for k in sorted(groups)]
