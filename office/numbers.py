"""Gapless numbers (发文字号, registration numbers, petition, minutes and supervision numbers).

Rule (ARCHITECTURE.md; SECURITY.md S-29; 《党政机关公文处理工作条例》第九条 发文字号): numbers are
gapless and unique per series and year, allocated under a row lock in the same transaction that
uses them, so a rolled-back use gives its number back.

One statement moves the counter — `UPDATE … SET last_number = last_number + 1 … RETURNING` —
so there is no read-then-write window: the row lock it takes is held until the caller's
transaction ends, and a concurrent caller waits and then reads the committed value. A series'
first number of a year is an `INSERT … ON CONFLICT DO UPDATE … RETURNING`, which is equally one
statement when two callers start a new year at once (PostgreSQL, and SQLite ≥ 3.35).
"""

from __future__ import annotations

from django.db import connection, transaction


def next_number(series: str, year: int) -> int:
    """The next number of `series` in `year`. Refuses to run outside a transaction: the number
    must be used (saved) in the transaction that takes it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that uses the number")
    from office.models import NumberSeries

    table = connection.ops.quote_name(NumberSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "
            "WHERE series = %s AND year = %s RETURNING last_number",
            [series, year],
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (series, year, last_number) VALUES (%s, %s, 1) "
                f"ON CONFLICT (series, year) DO UPDATE SET last_number = {table}.last_number + 1 "
                "RETURNING last_number",
                [series, year],
            )
            row = cursor.fetchone()
    return row[0]


def last_number(series: str, year: int) -> int:
    """The last number given out (0 before the first); a read, no lock."""
    from office.models import NumberSeries

    return (
        NumberSeries.objects.filter(series=series, year=year)
        .values_list("last_number", flat=True)
        .first()
        or 0
    )
