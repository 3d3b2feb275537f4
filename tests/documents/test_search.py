"""Chinese search over incoming documents (office.search): character bigrams, whole Latin and
digit runs, one token list per field. Runs on SQLite (LIKE/regex) and on PostgreSQL (the GIN
tsvector index of migration 0005); the same tests hold on both."""

from __future__ import annotations

import pytest
from django.db import connection

from documents import services
from documents.models import IncomingDocument
from office.search import index_text, query_tokens, search, tokens

from .incoming_flow import NOW, accept, assign, present, register, section

pytestmark = pytest.mark.django_db

only_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the GIN tsvector index exists only on PostgreSQL; CI runs it there",
)


# --- Tokens ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("冬季供暖", ["冬季", "季供", "供暖"]),
        ("暖", ["暖"]),
        ("兴署办发〔2026〕88号", ["兴署", "署办", "办发", "2026", "88", "号"]),
        ("5G基站 OFD-v2", ["5g", "基站", "ofd", "v2"]),
        ("", []),
        ("〔〕、。！'\"\\", []),
    ],
)
def test_text_is_cut_into_bigrams_and_whole_latin_and_digit_runs(text, expected):
    assert tokens(text) == expected


def test_the_index_keeps_each_token_once_and_never_joins_two_fields():
    text = index_text("关于供暖的通知", "兴安盟", "供暖")
    words = text.split()
    assert len(words) == len(set(words))
    assert "知兴" not in words  # the last character of one field and the first of the next


def test_the_last_character_of_a_run_is_indexed_on_its_own():
    # A lone character is searched as the prefix of the bigrams that start with it.
    assert (
        index_text("建设的函", "乌发改函〔2026〕7号")
        == "建设 设的 的函 函 乌发 发改 改函 2026 7 号"
    )


def test_a_long_query_is_bounded():
    assert len(query_tokens("关于做好全市冬季供暖保障和安全生产工作的紧急通知")) == 12


# --- Search ---------------------------------------------------------------------------------
@pytest.fixture
def docs(secretary):
    heating = register(
        secretary,
        title="关于做好冬季供暖保障工作的通知",
        sender_name="兴安盟行政公署办公室",
        sender_reference="兴署办发〔2026〕88号",
    )
    network = register(
        secretary,
        title="关于加快5G基站建设的函",
        sender_name="乌兰浩特市发展和改革委员会",
        sender_reference="乌发改函〔2026〕7号",
    )
    return heating, network


def _found(query: str, qs=None) -> set[str]:
    qs = IncomingDocument.objects.all() if qs is None else qs
    return set(search(qs, query).values_list("title", flat=True))


HEATING = "关于做好冬季供暖保障工作的通知"
NETWORK = "关于加快5G基站建设的函"


@pytest.mark.parametrize(
    "query,expected",
    [
        ("供暖", {HEATING}),  # a two-character word
        ("供暖保障", {HEATING}),  # a phrase: all its bigrams
        ("保障 供暖", {HEATING}),  # two words, in any order
        ("基站", {NETWORK}),
        ("关于", {HEATING, NETWORK}),
        ("暖", {HEATING}),  # a single character inside a word
        ("知", {HEATING}),  # a single character that ends the title
        ("函", {NETWORK}),  # … and a single-character last word
        ("兴", {HEATING}),  # the first character of the sender
        ("5g", {NETWORK}),  # Latin, in any case
        ("5G", {NETWORK}),
        ("88", {HEATING}),  # the number of the sender reference
        ("乌发改函", {NETWORK}),
        ("2026", {HEATING, NETWORK}),
        ("收文", {HEATING, NETWORK}),  # the registration number is indexed too
        ("供暖 基站", set()),  # every word must match
        ("知兴", set()),  # spans the title and the sender: no false match
        ("暖保障工", {HEATING}),
        ("冬天", set()),
        ("8", set()),  # a digit run matches whole, not as a prefix
    ],
)
def test_search_finds_words_characters_and_numbers(docs, query, expected):
    assert _found(query) == expected


def test_an_empty_or_punctuation_only_query_filters_nothing(docs):
    assert _found("") == _found("〔〕'\\") == {HEATING, NETWORK}


def test_the_registration_number_is_found(docs):
    heating, _network = docs
    assert heating.registration_number == "收文〔2026〕1号"
    assert _found("收文〔2026〕1号") == {HEATING}


def test_the_proposal_becomes_searchable_when_presented(docs, secretary, leader):
    heating, _network = docs
    assert _found("热源") == set()
    services.incoming_present(
        document=accept(heating, secretary),
        by=secretary,
        leader=leader,
        proposal="拟请市住建局牵头协调热源企业。",
        now=NOW,
    )
    assert _found("热源") == {HEATING}


def test_the_proposal_of_a_circulated_document_is_searchable(docs, secretary, leader):
    _heating, network = docs
    services.incoming_circulate(
        document=accept(network, secretary),
        by=secretary,
        readers=[leader],
        proposal="拟送信息中心阅研。",
        now=NOW,
    )
    assert _found("阅研") == {NETWORK}


def test_the_instruction_becomes_searchable_after_it_is_written(docs, secretary, leader):
    heating, _network = docs
    present(accept(heating, secretary), secretary, leader)
    assert _found("协调会") == set()
    assign(heating, leader, text="请综合科牵头召开协调会，确保群众温暖过冬。")
    assert _found("协调会") == {HEATING}
    assert _found("温暖过冬") == {HEATING}


def test_search_never_reaches_past_what_the_person_may_see(docs, secretary, leader, clerk):
    heating, _network = docs
    assign(present(accept(heating, secretary), secretary, leader), leader, lead=section("general"))
    visible = IncomingDocument.objects.visible_to(clerk)
    assert _found("关于", visible) == {HEATING}
    assert _found("基站", visible) == set()


@only_postgres
@pytest.mark.postgres
def test_postgresql_uses_the_gin_index(docs):
    qs = search(IncomingDocument.objects.all(), "供暖 暖")
    assert "to_tsvector('simple'" in str(qs.query)
    with connection.cursor() as cursor:
        # Few rows: make the planner show whether the GIN index can serve the condition at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    assert "incoming_find_gin" in qs.explain()
    assert {d.title for d in qs} == {HEATING}


@only_postgres
@pytest.mark.postgres
def test_postgresql_finds_a_sections_search_hits_in_one_gin_scan(docs, secretary, leader, clerk):
    """Search tokens and grantees are columns of one GIN index: a section member's search is
    one index scan over both, not a bitmap of every document the section may see."""
    heating, _network = docs
    assign(present(accept(heating, secretary), secretary, leader), leader, lead=section("general"))
    qs = search(IncomingDocument.objects.visible_to(clerk), "供暖")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = qs.explain()
    assert "incoming_find_gin" in plan and "BitmapAnd" not in plan
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "to_tsvector" in index_cond and "string_to_array(grantees" in index_cond
    assert {d.title for d in qs} == {HEATING}
