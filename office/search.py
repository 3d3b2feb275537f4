"""Chinese search over incoming documents, with no dictionary and no extension.

Chinese has no spaces, so a word cannot be found by splitting on them. Every run of CJK
characters is cut into overlapping character pairs (bigrams) and every Latin or digit run is kept
whole; the document's `search_text` holds those tokens, space-separated. A two-character word is
then exactly one token, and a longer phrase is the set of its bigrams. On PostgreSQL the tokens
are matched through the GIN index `incoming_find_gin` on `to_tsvector('simple', search_text)`
and the grantees (migration 0005), so a section's search is one index scan; on SQLite (the
embedded default) the same tokens are matched with LIKE.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
MAX_TOKENS = 12


def tokens(text: str) -> list[str]:
    """Bigrams of CJK runs (a lone character stays itself), whole Latin/digit runs, lower-cased."""
    out: list[str] = []
    for run in _RUN.findall(text or ""):
        if _CJK_RUN.fullmatch(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return out


def index_text(*parts: str) -> str:
    """The `search_text` of a document: its tokens, each once. A lone character is searched as
    the prefix of the bigrams that start with it; the last character of a run starts none, so it
    is indexed on its own too (else "函" would not find "…建设的函" on PostgreSQL)."""
    seen: dict[str, None] = {}
    for part in parts:
        for token in tokens(part):
            seen.setdefault(token, None)
        for run in _CJK_RUN.findall(part or ""):
            seen.setdefault(run[-1], None)
    return " ".join(seen)


def query_tokens(query: str) -> list[str]:
    seen: dict[str, None] = {}
    for token in tokens(query):
        seen.setdefault(token, None)
    return list(seen)[:MAX_TOKENS]


class _Matches(Func):
    """The search's SQL on `search_text`, with the column compiled where the query puts it (a
    subquery aliases the table: the register's page finds its ids in one, office.paging)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, template: str, params: list):
        super().__init__(F("search_text"))
        self.sql_template, self.sql_params = template, params

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        # Each `{column}` is replaced by the column itself, which carries no parameters.
        assert not params
        return self.sql_template.replace("{column}", column), tuple(self.sql_params)


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Documents whose text holds every token of `query`. A single CJK character matches as a
    prefix of a bigram (or a lone character)."""
    words = query_tokens(query)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        terms, tests, params = [], [], []
        for word in words:
            escaped = word.replace("'", "''").replace("\\", "\\\\")
            # A lone CJK character: prefix match on the bigrams that start with it.
            lone = len(word) == 1 and _CJK_RUN.match(word)
            terms.append(f"'{escaped}':*" if lone else f"'{escaped}'")
            # The same test on the text itself, cheap per row (a substring search, where
            # to_tsvector parses the whole text, ~20-60 µs): when the planner walks the
            # received-at index instead of the GIN index (a common word, or few rows to find),
            # every row passes this first and only the rows that match are parsed.
            if lone:
                tests.append("strpos(' ' || {column}, %s) > 0")
                params.append(f" {word}")
            else:
                tests.append("strpos(' ' || {column} || ' ', %s) > 0")
                params.append(f" {word} ")
        tsquery = " & ".join(terms)
        return queryset.filter(
            _Matches(
                "to_tsvector('simple', {column}) @@ to_tsquery('simple', %s) AND "
                + " AND ".join(tests),
                [tsquery, *params],
            )
        )
    condition = Q()
    for word in words:
        if len(word) == 1 and _CJK_RUN.match(word):
            condition &= Q(search_text__contains=word)
        else:
            condition &= Q(search_text__regex=rf"(^| ){re.escape(word)}( |$)")
    return queryset.filter(condition)
