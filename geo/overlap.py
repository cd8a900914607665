"""The one rule for how a kommune's residents fall into the units of two plans (the bydel overlap).

Used wherever two layers or plans meet: the Klynger page and the atlas ("which psychiatry serves
this klynge", `geo.ulighed.overlap`) and Sammenlign and ``geo compare`` (`geo.plans.compare`).
"""

from __future__ import annotations

import numpy as np

from geo.counts import whole_counts

MAX_ROUNDS = 1000
TOLERANCE = 1e-12


def sub_area_set(text: object) -> frozenset[str]:
    """The sub-areas of an assignment row's ``sub_areas`` text (``'1;2;3'``), without blanks."""
    return frozenset(s.strip() for s in str(text or "").split(";") if s.strip())


def kommune_overlap(shares_a, subs_a, shares_b, subs_b) -> np.ndarray:
    """Share of one kommune's residents in each (A row, B row) pair of units.

    Parameters
    ----------
    shares_a, shares_b : sequence of float
        The kommune's shares in plan A's rows and in plan B's rows (each summing to 1, or to the
        part a 'named' layer covers).
    subs_a, subs_b : sequence of set of str
        The sub-areas (København's bydele) each row lists; empty where it lists none.

    Returns
    -------
    ndarray
        ``len(shares_a) × len(shares_b)``: rows sum to A's shares and columns to B's shares, so no
        resident is lost or counted twice.

    Notes
    -----
    Where both rows list sub-areas, residents can only be in both units in the sub-areas they share:
    none if they share none; all of B's row if its sub-areas lie inside A's (B's share), all of
    A's row if A's lie inside B's; where the sets cross, the shared sub-areas' part of each row
    (the mean of the estimate from A's share and from B's, so A × B is B × A transposed). Where a
    row lists no sub-areas, the two are taken as independent (share × share). These first
    estimates are then fitted to both sides' shares (iterative proportional fitting, which keeps
    the zeros); an exact containment needs no fitting.
    """
    pa, pb = np.asarray(shares_a, dtype=float), np.asarray(shares_b, dtype=float)
    sa, sb = [frozenset(s) for s in subs_a], [frozenset(s) for s in subs_b]
    if len(pa) == 1 and len(pb) == 1:
        return np.array([[pa[0] * pb[0]]])  # one unit on each side: nothing to divide
    grid = np.empty((len(pa), len(pb)))
    for i in range(len(pa)):
        for j in range(len(pb)):
            if not (sa[i] and sb[j]):
                grid[i, j] = pa[i] * pb[j]
                continue
            common = sa[i] & sb[j]
            if not common:
                grid[i, j] = 0.0
            elif sb[j] <= sa[i]:
                grid[i, j] = pb[j]
            elif sa[i] <= sb[j]:
                grid[i, j] = pa[i]
            else:
                grid[i, j] = (pa[i] * len(common) / len(sa[i]) + pb[j] * len(common) / len(sb[j])) / 2
    for _ in range(MAX_ROUNDS):
        rows = grid.sum(axis=1)
        grid *= np.divide(pa, rows, out=np.zeros_like(pa), where=rows > 0)[:, None]
        cols = grid.sum(axis=0)
        grid *= np.divide(pb, cols, out=np.zeros_like(pb), where=cols > 0)[None, :]
        if np.allclose(grid.sum(axis=1), pa, rtol=0, atol=TOLERANCE):
            break
    return grid


def kommune_people(grid: np.ndarray, people: float) -> np.ndarray:
    """A kommune's `kommune_overlap` grid as whole residents (`geo.counts.whole_counts`): the cells
    sum to the kommune's population (the part the grid covers), so every path that adds them up
    gets the same whole numbers."""
    total = round(float(people) * min(1.0, float(grid.sum())))
    return whole_counts(np.asarray(grid, dtype=float) * float(people), total)
