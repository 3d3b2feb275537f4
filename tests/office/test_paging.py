"""CappedPaginator: one count query, exact under the cap, honest above it."""

from __future__ import annotations

import pytest

from office.models import Unit
from office.paging import CappedPaginator

pytestmark = pytest.mark.django_db


class TinyCap(CappedPaginator):
    cap = 5


def test_a_list_under_the_cap_is_counted_exactly(demo_office, django_assert_num_queries):
    units = Unit.objects.order_by("pk")[:4]
    paginator = TinyCap(Unit.objects.filter(pk__in=[u.pk for u in units]), 2)
    with django_assert_num_queries(1):
        assert paginator.count == 4
        assert not paginator.capped
    assert paginator.num_pages == 2


def test_a_list_over_the_cap_says_so_and_pages_up_to_the_cap(demo_office):
    assert Unit.objects.count() > 5
    paginator = TinyCap(Unit.objects.order_by("pk"), 2)
    assert paginator.count == 5 and paginator.capped
    assert paginator.num_pages == 3
    assert len(paginator.page(3).object_list) == 1


def test_the_register_says_more_than_when_capped(client_for, secretary, monkeypatch):
    from documents import services

    for n in range(3):
        services.incoming_register(
            by=secretary,
            title=f"关于第{n}批供暖补贴的请示",
            doc_type="request",
            sender_name="市住建局",
        )
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    html = client_for(secretary).get("/documents/").content.decode()
    assert "超过 2 件，请筛选或搜索以缩小范围。" in html
    monkeypatch.setattr(CappedPaginator, "cap", 10_000)
    html = client_for(secretary).get("/documents/").content.decode()
    assert "超过" not in html
