"""The petitions rows of the access table (see tests/access.py).

Object URLs use the first demo petition: registered by the petition officer and assigned to
市住建局, so the petition office (petition.view_all_petitions: the officer and the city
leaders) sees it and everyone else gets 404. Its notices print only for the desk (the leader may
read the case but not print the petitioner's notices: 403). Transitions are POST-only.
"""

from __future__ import annotations

from django.urls import reverse

from tests.access import everyone, only, public

SEEN_BY = ["petition_officer", "leader"]
TRANSITIONS = [
    "decide",
    "assign",
    "extend",
    "reply",
    "rate",
    "review_apply",
    "review_decide",
    "review_hearing",
    "report",
    "notice_deliver",
    "reveal",
]

TABLE: dict[str, dict[str, object]] = {
    "petitions:index": everyone(200),
    "petitions:register": only(["petition_officer"]),
    "petitions:stats": only(SEEN_BY),
    "petitions:ledger": only(SEEN_BY),
    # A background export asked for by the petition officer: only its owner sees it.
    "petitions:ledger_status": only(["petition_officer"], refused=404),
    "petitions:ledger_download": only(["petition_officer"], refused=404),
    "petitions:detail": only(SEEN_BY, refused=404),
    "petitions:notice_pdf": {**only(SEEN_BY, refused=404), "leader": 403},
    # A scanned letter attached to the demo petition: seen by the petition office only.
    "petitions:attachment": only(SEEN_BY, refused=404),
    **{f"petitions:{name}": everyone(405) for name in TRANSITIONS},
    "petitions_public:submit": public(200),
    "petitions_public:submitted": public(200),
    "petitions_public:lookup": public(200),
    "petitions_public:rate": public(405),
}


def _demo_petition():
    from petitions.models import Petition

    return Petition.objects.get(title="和平街道某小区冬季供暖温度不达标")


def _attachment():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from petitions import services

    petition = _demo_petition()
    scan = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    return services._attach(petition, scan, None, timezone.now())


def _export():
    from django.contrib.auth.models import User

    from petitions import exports
    from petitions.models import LedgerExport

    officer = User.objects.get(username="petition_officer")
    job = LedgerExport.objects.create(
        requested_by=officer, year=2026, total=3, created_at=_demo_petition().received_at
    )
    exports.ledger_build(job.pk)
    return job


def url_for(name: str) -> str:
    short = name.removeprefix("petitions:")
    if short in TRANSITIONS:
        return reverse(name, args=[1])  # POST-only: refused before any lookup
    if short == "detail":
        return reverse(name, args=[_demo_petition().pk])
    if short in ("ledger_status", "ledger_download"):
        return reverse(name, args=[_export().pk])
    if short == "attachment":
        return reverse(name, args=[_attachment().pk])
    if short == "notice_pdf":
        return reverse(name, args=[_demo_petition().notices.first().pk])
    return reverse(name)
