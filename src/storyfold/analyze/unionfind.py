"""Union-find: the groups (quotes, claims, dated events) that pairwise links make."""

from __future__ import annotations

from collections import defaultdict


class UnionFind:
    """Disjoint sets over 0..n-1; `parent` is public so callers can merge in their order."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[rj] = ri

    def components(self) -> list[list[int]]:
        """Members of each set, sets in order of their first member."""
        comps: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            comps[self.find(i)].append(i)
        return list(comps.values())

