"""The non-classified boundary as a rule, not a substring (issue 15, finding 6; SECURITY.md
S-15b; 保密法 第十三条; GB/T 9704-2012 7.2.2 for the form of a marking)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from office import classification
from office.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.security("S-15b")]

CASES = [
    # (where, text, refused?)
    ("marking", "秘密", True),
    ("marking", "秘 密", True),  # the finding: a space
    ("marking", "机　密", True),  # a full-width space
    ("marking", "機密", True),  # traditional
    ("marking", "祕密", True),
    ("marking", "絕密", True),
    ("marking", "机密★10年", True),
    ("marking", "ｍ机密", True),  # full-width letters around it
    ("marking", "internal", False),
    ("marking", "非密", False),
    ("title", "关于开展保守国家秘密宣传月活动的通知", False),  # the finding: wrongly refused
    ("title", "关于加强保密工作的通知", False),
    ("title", "关于做好商业秘密保护工作的意见", False),
    ("title", "关于印发《保守国家秘密法实施条例》学习要点的通知", False),
    ("title", "关于XX项目的请示（机密★10年）", True),
    ("title", "绝 密 关于某事项的通知", True),
    ("title", "关于報送機密材料的函", True),
    ("summary", "本件为机密件，请妥善保管", True),  # the finding: the word in the summary
    ("summary", "学习保守国家秘密法，落实保密工作责任", False),
    ("file name", "绝密文件.pdf", True),  # the finding: the file name
    ("file name", "秘-密_材料.docx", True),
    ("file name", "年度统计数据.pdf", False),
    ("first page", "乌兰浩特市人民政府办公室\n机密★10年\n关于某事项的通知", True),
    ("first page", "绝密★启用前\n试题", True),
    ("first page", "秘密\n乌政办发〔2026〕3号", True),  # the level alone on its line
    (
        "first page",
        "关于开展保守国家秘密宣传月活动的通知\n各科室要做好保密工作，不得泄露机密。",
        False,
    ),
]


@pytest.mark.parametrize(("where", "text", "refused"), CASES, ids=[c[1] for c in CASES])
def test_markings_are_found_wherever_and_however_written(where, text, refused):
    keyword = {
        "marking": "marking",
        "title": "title",
        "summary": "summary",
        "file name": "file_name",
        "first page": "page",
    }[where]
    finding = classification.find(**{keyword: text})
    assert (finding is not None) is refused
    if refused:
        assert finding.where == where and finding.level in classification.LEVELS


def _docx(text: str) -> bytes:
    buffer = io.BytesIO()
    paragraphs = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("\n"))
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>",
        )
    return buffer.getvalue()


def _pdf(text: str) -> bytes:
    from office.pdf import html_to_pdf

    lines = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return html_to_pdf(f'<html lang="zh"><body style="font-family: serif">{lines}</body></html>')


@pytest.mark.parametrize(
    ("maker", "extension"), [(_docx, "docx"), (_pdf, "pdf")], ids=["docx", "pdf"]
)
def test_the_first_page_of_an_upload_is_read(maker, extension):
    from office.files import check_upload

    marked = SimpleUploadedFile(f"通知.{extension}", maker("乌兰浩特市人民政府\n机密★10年\n通知"))
    with pytest.raises(ValidationError, match="机要"):
        check_upload(marked)
    plain = SimpleUploadedFile(
        f"通知.{extension}", maker("关于开展保守国家秘密宣传月活动的通知\n请各科室参加。")
    )
    check_upload(plain)


def test_a_file_named_as_classified_is_refused_and_the_refusal_audited():
    from office.files import check_upload

    upload = SimpleUploadedFile("绝密文件.pdf", _pdf("普通内容"))
    with pytest.raises(ValidationError) as refused:
        check_upload(upload)
    assert "机要" in str(refused.value)
    entry = AuditEntry.objects.filter(action="classification.refused").latest("pk")
    assert entry.outcome == "refused" and entry.changes == {"where": "file name", "level": "绝密"}


def test_registration_refuses_the_word_in_the_summary_and_accepts_the_secrecy_campaign(
    secretary,
):
    from documents import services

    with pytest.raises(ValidationError, match="机要"):
        services.incoming_register(
            by=secretary,
            title="关于报送材料的通知",
            doc_type="notice",
            sender_name="市统计局",
            summary="本件为机密件",
        )
    document = services.incoming_register(
        by=secretary,
        title="关于开展保守国家秘密宣传月活动的通知",
        doc_type="notice",
        sender_name="市保密局",
    )
    assert document.classification == classification.NON_CLASSIFIED


@pytest.mark.parametrize(
    "model",
    [
        "documents.IncomingDocument",
        "documents.Attachment",
        "documents.OutgoingDocument",
        "documents.OutgoingAttachment",
        "petitions.Attachment",
        "meetings.AgendaItem",
        "supervision.ReportAttachment",
    ],
)
def test_records_that_carry_material_accept_only_non_classified(model):
    from django.apps import apps

    Model = apps.get_model(model)
    field = Model._meta.get_field("classification")
    assert field.default == "非密" and [c[0] for c in field.choices] == ["非密"]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Model._meta.db_table)
    checks = [name for name, c in constraints.items() if c["check"] and "non_classified" in name]
    assert len(checks) == 1, constraints.keys()


def test_an_agenda_paper_marked_classified_is_refused():
    with pytest.raises(ValidationError, match="机要"):
        classification.check_not_classified(title="关于某项目的议题", page="机密★5年\n汇报材料")
    classification.check_not_classified(
        title="关于开展保守国家秘密宣传月活动的议题", page="做好保密工作，防止泄露国家秘密。"
    )
