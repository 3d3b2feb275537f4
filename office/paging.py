"""Pagination that stays fast on a million rows."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Beyond this many rows a list says "more than 10,000" instead of counting every row: an exact
# COUNT(*) over 1,000,000 visible documents took ~0.9 s on PostgreSQL (measured at bench
# volume), and nobody pages past page 200 of a list — they filter or search.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (… LIMIT 10001)`): still one
    query, exact for every list under the cap; `capped` says when there are more."""

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        # The list's ORDER BY stays: with it PostgreSQL walks the sort index and stops at
        # 10,001 rows; without it, it chose to hash every grant of a section first (the
        # 综合科 register went from 103 to 200 ms).
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap
