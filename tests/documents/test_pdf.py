"""The one PDF entry point and the processing slip (SECURITY.md S-20, S-26, S-27).

The slip is rendered for a document taken through the whole 收文 flow with the services; its text
and fonts are read back with pypdf. A hostile template that points at a local port and at
/etc/passwd must make no connection and embed nothing. The slip's first page is also rasterised
to test-artifacts/pdf/processing-slip.png for a human look at the layout.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import StreamObject

from documents import services
from documents.models import Handling, IncomingState, Marking, Retention, Routing
from office.models import AuditEntry, Section, Urgency
from office.pdf import PDFRenderTimeout, SafeURLFetcher, html_to_pdf, render_pdf

TZ = ZoneInfo("Asia/Shanghai")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "pdf"

TITLE = "关于做好2026年春季森林草原防灭火工作的通知"
PROPOSAL = "拟请王市长阅示，并交综合科牵头、法制办配合办理。"
INSTRUCTION = "请综合科牵头抓好落实，法制办配合，3月12日前报送落实情况。"
HOSTILE_TITLE = '<script>alert("x")</script>&<b>粗体</b>'


def at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def full_flow(secretary, leader, archivist, *, title=TITLE, marking=Marking.INTERNAL, audience=()):
    """register → screen → present → instruct (assign) → complete → confirm → archive."""
    general = Section.objects.get(code="general")
    legal = Section.objects.get(code="legal")
    doc = services.incoming_register(
        by=secretary,
        title=title,
        doc_type="notice",
        sender_name="兴安盟行政公署办公室",
        sender_reference="兴署办发〔2026〕15号",
        marking=marking,
        audience=audience,
        urgency=Urgency.URGENT,
        copies=2,
        written_on=dt.date(2026, 3, 2),
        received_at=at(4, 9, 30),
        main_recipient="各旗县市人民政府，盟直有关部门",
        now=at(4, 9, 30),
    )
    doc = services.incoming_screen(document=doc, by=secretary, accept=True, now=at(4, 10))
    doc = services.incoming_present(
        document=doc, by=secretary, leader=leader, proposal=PROPOSAL, now=at(4, 11)
    )
    services.incoming_instruct(
        document=doc,
        leader=leader,
        text=INSTRUCTION,
        routing=Routing.ASSIGN,
        lead=general,
        assist=[legal],
        due_on=dt.date(2026, 3, 12),
        now=at(5, 8, 40),
    )
    for handling in Handling.objects.filter(document=doc).select_related("section"):
        handler = User.objects.get(
            username="clerk" if handling.section == general else "legal_head"
        )
        services.handling_complete(
            handling=handling,
            by=handler,
            outcome=f"{handling.section.name}已按批示要求完成，情况已报。",
            now=at(10, 16),
        )
    doc.refresh_from_db()
    assert doc.state == IncomingState.HANDLED
    services.incoming_confirm(document=doc, by=secretary, now=at(11, 9))
    services.incoming_archive(
        document=doc,
        by=archivist,
        retention=Retention.YEARS_30,
        volume_reference="2026-WS-0031",
        now=at(11, 15),
    )
    doc.refresh_from_db()
    assert doc.state == IncomingState.ARCHIVED
    return doc


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def all_stream_bytes(pdf: bytes) -> bytes:
    """The file plus every stream in it decoded: what the PDF really carries."""
    reader = PdfReader(io.BytesIO(pdf))
    chunks = [pdf]
    for num in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(num)
        except Exception:  # free entries of the xref table
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


@pytest.fixture
def archived(secretary, leader, archivist):
    return full_flow(secretary, leader, archivist)


# --- The processing slip --------------------------------------------------------------------
def test_processing_slip_for_the_whole_flow(client_for, secretary, clerk, archived):
    response = client_for(clerk).get(reverse("documents:incoming_slip", args=[archived.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; ")
    assert "filename*=UTF-8''%E5%85%AC%E6%96%87" in response["Content-Disposition"]  # 公文…
    assert response["X-Content-Type-Options"] == "nosniff"
    pdf = response.content
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210,
        297,
    )  # A4
    text = pdf_text(pdf).replace(" ", "").replace("\n", "")
    assert "乌兰浩特市人民政府办公室公文处理笺" in text
    assert TITLE in text
    assert INSTRUCTION in text
    assert "王建华" in text  # the leader who instructed
    assert "2026年3月5日" in text  # the instruction's date
    assert "主办综合科；协办法制办；限2026年3月12日前办结" in text
    assert "2026-WS-0031" in text and "30年" in text
    assert archived.registration_number in text
    names = font_names(pdf)
    assert names and all("CJK" in n and "Noto" in n for n in names), names

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "processing-slip.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "100",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(ARTIFACTS / "processing-slip.pdf"),
                str(ARTIFACTS / "processing-slip"),
            ],
            check=True,
            timeout=30,
        )
        assert (ARTIFACTS / "processing-slip.png").stat().st_size > 10_000


def test_slip_escapes_text_and_audits_restricted(client_for, secretary, leader, archivist, clerk):
    doc = full_flow(
        secretary,
        leader,
        archivist,
        title=HOSTILE_TITLE,
        marking=Marking.RESTRICTED,
        audience=[clerk],
    )
    response = client_for(clerk).get(reverse("documents:incoming_slip", args=[doc.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    # Shown as text, never interpreted as markup: the tags come out as characters.
    assert "<script>" in text and "<b>" in text
    assert AuditEntry.objects.filter(action="incoming.slip", object_id=str(doc.pk)).exists()


def test_slip_shows_circulation_read_receipts(client_for, secretary, leader):
    doc = services.incoming_register(
        by=secretary, title="关于春节假期安排的通知", doc_type="notice", sender_name="市人社局"
    )
    services.incoming_screen(document=doc, by=secretary, accept=True)
    reader = User.objects.get(username="vicemayor")
    services.incoming_circulate(document=doc, by=secretary, readers=[leader, reader])
    first = doc.circulations.get(reader=leader)
    services.circulation_read(circulation=first, by=leader, comment="已阅。")
    response = client_for(secretary).get(reverse("documents:incoming_slip", args=[doc.pk]))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "processing-slip-circulated.pdf").write_bytes(response.content)
    text = pdf_text(response.content).replace(" ", "")
    assert "传阅情况" in text and "已阅。" in text and "未阅" in text
    assert "李志刚" in text


def test_slip_access(client_for, archived, other_section_staff):
    url = reverse("documents:incoming_slip", args=[archived.pk])
    assert client_for(other_section_staff).get(url).status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_return_slip(client_for, secretary, archived):
    doc = services.incoming_register(
        by=secretary,
        title="关于申请专项资金的请示",
        doc_type="request",
        sender_name="乌兰浩特市教育局",
        sender_reference="乌教发〔2026〕7号",
    )
    services.incoming_screen(
        document=doc,
        by=secretary,
        accept=False,
        reason="请示未按规定由主要负责人签发，且一文多事。",
    )
    response = client_for(secretary).get(reverse("documents:return_slip", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline; ")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "return-slip.pdf").write_bytes(response.content)
    text = pdf_text(response.content).replace(" ", "").replace("\n", "")
    for part in (
        "退文单",
        "乌兰浩特市教育局",
        "乌教发〔2026〕7号",
        "一文多事",
        "乌兰浩特市人民政府办公室",
    ):
        assert part in text
    # Only returned documents have a return slip.
    other = client_for(secretary).get(reverse("documents:return_slip", args=[archived.pk]))
    assert other.status_code == 404


# --- The renderer: no network, no files outside static/fonts (S-26, S-27) -------------------
@pytest.fixture
def listener():
    """A TCP port on 127.0.0.1 that counts every connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    state = {"connections": 0, "stop": False}

    def serve():
        while not state["stop"]:
            try:
                conn, _addr = server.accept()
            except (TimeoutError, OSError):
                continue
            state["connections"] += 1
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], state
    state["stop"] = True
    thread.join(timeout=2)
    server.close()


def hostile_html(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return f"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{base}/style.css">
<link rel="attachment" href="file:///etc/passwd">
<style>
@import url("{base}/import.css");
@font-face {{ font-family: Evil; src: url("{base}/font.woff"); }}
body {{ background: url("file:///etc/passwd"); font-family: Evil, "Noto Sans CJK SC"; }}
</style></head><body>
<p>探针 probe</p>
<img src="{base}/img.png"><img src="https://127.0.0.1:{port}/img.png">
<img src="file:///etc/passwd"><img src="/etc/passwd"><img src="../../../../../etc/passwd">
<img src="file:///work/../etc/passwd"><img src="ftp://127.0.0.1:{port}/x">
<object data="file:///etc/passwd"></object><embed src="{base}/embed.svg">
<iframe src="{base}/frame.html"></iframe>
<a rel="attachment" href="{base}/passwd">attachment</a>
<svg width="10" height="10"><image href="{base}/svg.png" width="10" height="10"/></svg>
</body></html>"""


def test_hostile_html_makes_no_connection_and_embeds_nothing(listener):
    port, state = listener
    fetcher = SafeURLFetcher()
    pdf = html_to_pdf(hostile_html(port), url_fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    assert state["connections"] == 0
    assert any(u.startswith("http://127.0.0.1") for u in fetcher.refused)
    assert any("passwd" in u for u in fetcher.refused)
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    assert not reader.pages[0]["/Resources"].get("/XObject")  # no image was embedded
    assert b"root:" not in all_stream_bytes(pdf)
    assert "探针" in pdf_text(pdf)


def test_render_pdf_with_a_hostile_template(listener, settings, tmp_path):
    """The same through `render_pdf` and a template file, as a careless template would do it."""
    port, state = listener
    (tmp_path / "hostile.html").write_text(
        hostile_html(port).replace("探针", "{{ who }}"), encoding="utf-8"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    pdf = render_pdf("hostile.html", {"who": "<i>访客</i>"})
    assert state["connections"] == 0
    assert b"root:" not in all_stream_bytes(pdf)
    assert "<i>访客</i>" in pdf_text(pdf)


def test_the_listener_does_see_an_unguarded_fetch(listener):
    """Control: the probe port really counts connections (so zero above means zero)."""
    from weasyprint import HTML

    port, state = listener
    HTML(string=f'<img src="http://127.0.0.1:{port}/x.png">').write_pdf()
    assert state["connections"] >= 1


def test_fetcher_reads_only_inside_its_roots(tmp_path):
    inside = tmp_path / "static"
    inside.mkdir()
    (inside / "ok.css").write_text("p { color: red }")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (inside / "link.css").symlink_to(secret)
    fetcher = SafeURLFetcher(roots=[inside])
    assert fetcher.fetch((inside / "ok.css").as_uri()).read() == b"p { color: red }"
    assert fetcher.fetch("data:text/plain;base64,5rWL6K+V").read() == "测试".encode()
    for url in (
        (inside / "link.css").as_uri(),  # a symlink out of the folder
        f"{inside.as_uri()}/../secret.txt",
        secret.as_uri(),
        "file:///etc/passwd",
        "file:etc/passwd",
        "file://otherhost/etc/passwd",
        "http://127.0.0.1/",
        "https://example.org/",
        "ftp://127.0.0.1/",
        "gopher://127.0.0.1/",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_render_time_is_bounded(settings):
    settings.PDF_RENDER_TIMEOUT = 0.01
    rows = "".join(f"<tr><td>{i}</td><td>第{i}行</td></tr>" for i in range(3000))
    with pytest.raises(PDFRenderTimeout):
        html_to_pdf(f"<table>{rows}</table>")


def test_oversized_source_is_refused(settings):
    settings.PDF_MAX_HTML_BYTES = 1000
    with pytest.raises(ValueError):
        html_to_pdf("<p>" + "字" * 1000 + "</p>")


def test_slip_render_out_of_time_is_a_clear_error(client_for, settings, archived, secretary):
    settings.PDF_RENDER_TIMEOUT = 0.001
    response = client_for(secretary).get(reverse("documents:incoming_slip", args=[archived.pk]))
    assert response.status_code == 503


def test_slip_queries_do_not_grow_with_rows(
    client_for, django_assert_max_num_queries, archived, secretary
):
    client = client_for(secretary)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("documents:incoming_slip", args=[archived.pk])).status_code == 200
