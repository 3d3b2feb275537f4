"""The public pages: nothing unpublished, no personal data beyond the directory's fields, the
display modes without JavaScript, constant queries for the directory."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from office.models import Section, Staff
from portal.models import PublicText, ServiceGuide

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "portal:home",
    "portal:charter",
    "portal:guides",
    "portal:directory",
    "portal:disclosure",
]


@pytest.fixture
def anon(demo_office) -> Client:
    return Client()


@pytest.fixture
def hidden_things(demo_office):
    """An unpublished guide and text, and the clerk's private data, to look for on every page."""
    ServiceGuide.objects.create(slug="secret-guide", title="内部未审定指南甲乙", published=False)
    PublicText.objects.create(slug="draft", title="未公开文稿丙丁", body="草稿正文戊己")
    clerk = Staff.objects.get(user__username="clerk")
    clerk.mobile = "13912345678"
    clerk.duties = "综合文稿起草"
    clerk.save()
    clerk.user.email = "clerk-private@zhengban.example"
    clerk.user.save()
    return [
        "内部未审定指南甲乙",
        "未公开文稿丙丁",
        "草稿正文戊己",
        "13912345678",
        "clerk-private@zhengban.example",
        ">clerk<",
        "/manage/",
        "高鹏",
    ]


def _all_public_html(client) -> str:
    pages = [reverse(name) for name in PUBLIC_PAGES]
    pages += [reverse("portal:guide", args=[g.slug]) for g in ServiceGuide.objects.published()]
    pages += [
        reverse("portal:person", args=[s.badge_number]) for s in Staff.objects.in_public_directory()
    ]
    pages += [reverse("portal:rate_staff", args=["Z002"])]
    html = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html.append(response.content.decode())
    return "\n".join(html)


def test_no_public_page_shows_unpublished_items_or_private_data(anon, hidden_things):
    html = _all_public_html(anon)
    for secret in hidden_things:
        assert secret not in html, secret
    # What the directory does show.
    assert "刘晓东" in html and "Z002" in html and "综合文稿起草" in html


def test_signed_in_staff_see_the_same_public_pages_without_staff_navigation(
    client_for, clerk, hidden_things
):
    html = _all_public_html(client_for(clerk))
    for secret in hidden_things:
        assert secret not in html, secret
    assert "mainnav" not in html and "退出" not in html


def test_an_unpublished_guide_is_not_found(anon, hidden_things):
    assert anon.get(reverse("portal:guide", args=["secret-guide"])).status_code == 404
    assert anon.get(reverse("portal:rate_guide", args=["secret-guide"])).status_code == 404
    assert (
        anon.get(reverse("portal:guides") + "?q=内部未审定").content.decode().count("内部未审定")
        == 1
    )  # only in the search box, never as a result


def test_staff_hidden_from_the_directory_have_no_public_page(anon, demo_office):
    hidden = Staff.objects.get(user__username="sysadmin")
    assert not hidden.in_public_directory
    assert anon.get(reverse("portal:person", args=[hidden.badge_number])).status_code == 404
    assert anon.get(reverse("portal:rate_staff", args=[hidden.badge_number])).status_code == 404
    assert hidden.name not in anon.get(reverse("portal:directory")).content.decode()


def test_a_deactivated_person_leaves_the_directory(anon, demo_office):
    User.objects.filter(username="clerk").update(is_active=False)
    assert "刘晓东" not in anon.get(reverse("portal:directory")).content.decode()
    assert anon.get(reverse("portal:person", args=["Z002"])).status_code == 404


def test_home_shows_the_structure_from_the_database(anon, demo_office):
    html = anon.get(reverse("portal:home")).content.decode()
    for section in Section.objects.active():
        assert section.name in html
    assert "乌兰浩特市人民政府信息中心" in html
    assert "政策文件和规范性文件" in html  # the section the outgoing documents will fill
    assert 'lang="zh-Hans"' in html


def test_charter_text_is_editable_and_shown_only_when_published(anon, demo_office):
    text = PublicText.objects.get(slug="commitments")
    text.body = "我们的新承诺：当日事当日毕。"
    text.save()
    assert "当日事当日毕" in anon.get(reverse("portal:charter")).content.decode()
    text.published = False
    text.save()
    assert "当日事当日毕" not in anon.get(reverse("portal:charter")).content.decode()


def test_directory_filters_by_section_and_searches(anon, demo_office):
    html = anon.get(reverse("portal:directory") + "?section=subdistrict").content.decode()
    assert "何静" in html and "刘晓东" not in html
    html = anon.get(reverse("portal:directory") + "?q=Z002").content.decode()
    assert "刘晓东" in html and "何静" not in html
    html = anon.get(reverse("portal:directory") + "?q=没有这个人").content.decode()
    assert "没有符合条件的工作人员" in html


def test_public_text_is_escaped(anon, demo_office):
    ServiceGuide.objects.create(slug="xss", title="<script>alert(1)</script>指南", published=True)
    html = anon.get(reverse("portal:guides")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- Display modes ---------------------------------------------------------------------------
def test_large_text_and_high_contrast_are_set_by_plain_links(anon, demo_office):
    response = anon.get(reverse("portal:display") + "?text=large&next=/public/staff/")
    assert response.status_code == 302 and response["Location"] == "/public/staff/"
    html = anon.get(reverse("portal:directory")).content.decode()
    assert 'class="public text-large"' in html
    assert "?text=normal" in html  # the way back
    anon.get(reverse("portal:display") + "?contrast=high&next=/public/")
    assert "text-large contrast-high" in anon.get(reverse("portal:home")).content.decode()
    anon.get(reverse("portal:display") + "?text=normal&contrast=normal&next=/public/")
    assert 'class="public"' in anon.get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:1"])
def test_display_never_redirects_off_site(anon, demo_office, target):
    response = anon.get(reverse("portal:display"), {"text": "large", "next": target})
    assert response["Location"] == "/public/"


def test_an_unknown_display_value_sets_nothing(anon, demo_office):
    anon.get(reverse("portal:display") + "?text=<b>&next=/public/")
    assert 'class="public"' in anon.get(reverse("portal:home")).content.decode()


# --- Query counts --------------------------------------------------------------------------
def _make_staff(n: int) -> None:
    section = Section.objects.get(code="general")
    existing = Staff.objects.in_public_directory().count()
    for i in range(n - existing):
        user = User.objects.create_user(f"dir{i}", last_name="测", first_name=f"试{i}")
        Staff.objects.create(user=user, section=section, badge_number=f"T{i:04d}", post="科员")


def _directory_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("portal:directory"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_directory_query_count_is_constant_at_5_and_50_staff(anon, demo_office):
    # 5 people shown …
    Staff.objects.exclude(badge_number__in=["Z001", "Z002", "M001", "M002", "J001"]).update(
        in_public_directory=False
    )
    assert Staff.objects.in_public_directory().count() == 5
    five = _directory_queries(anon)
    # … and 50 (two pages' worth would be paginated: 24 a page, same queries).
    _make_staff(50)
    assert Staff.objects.in_public_directory().count() == 50
    fifty = _directory_queries(anon)
    assert five == fifty


def test_guide_list_query_count_is_constant(anon, demo_office):
    with CaptureQueriesContext(connection) as ctx:
        anon.get(reverse("portal:guides"))
    few = len(ctx.captured_queries)
    ServiceGuide.objects.bulk_create(
        [ServiceGuide(slug=f"g{i}", title=f"指南{i}", published=True) for i in range(50)]
    )
    with CaptureQueriesContext(connection) as ctx:
        anon.get(reverse("portal:guides"))
    assert len(ctx.captured_queries) == few
