"""Privacy (S-17): ciphertext at rest, masks on every page, audited reveals, identity stripped
from transfers and never given to the unit complained about."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from office.models import AuditEntry, Staff, Unit
from petitions import crypto, services
from petitions.models import Petitioner

from .conftest import PERSON, at

pytestmark = pytest.mark.django_db


def test_the_raw_columns_hold_ciphertext_and_keyed_hashes(register):
    petition, _code = register()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_enc, phone_enc, address_enc, id_number_hash, phone_hash "
            "FROM petitions_petitioner WHERE petition_id = %s",
            [petition.pk],
        )
        id_enc, phone_enc, address_enc, id_hash, phone_hash = cursor.fetchone()
    for raw, plain in (
        (id_enc, PERSON["id_number"]),
        (phone_enc, PERSON["phone"]),
        (address_enc, PERSON["address"]),
    ):
        assert raw.startswith("v1$")
        assert plain not in raw and plain[-4:] not in raw
    assert PERSON["id_number"] not in id_hash and len(id_hash) == 64
    assert phone_hash == crypto.keyed_hash("phone", "139 0482 5678")  # normalised before hashing
    p = Petitioner.objects.get(petition=petition)
    assert (p.id_number, p.phone, p.address) == (
        PERSON["id_number"],
        PERSON["phone"],
        PERSON["address"],
    )


def test_a_tampered_ciphertext_does_not_decrypt():
    token = crypto.encrypt("13904825678")
    version, payload = token.split("$")
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{version}${flipped}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("v9$abc")


def test_the_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("x") != crypto.encrypt("x")


def test_masks():
    assert crypto.mask_id("150221195803121234") == "150221********1234"
    assert crypto.mask_phone("13904825678") == "139****5678"
    assert crypto.mask_address("乌兰浩特市和平街道幸福小区") == "乌兰浩特市和＊＊＊"


@pytest.mark.parametrize("persona", ["petition_officer", "leader"])
def test_pages_show_only_masks(register, client_for, persona, request):
    petition, _code = register()
    client = client_for(request.getfixturevalue(persona))
    for url in (reverse("petitions:detail", args=[petition.pk]), reverse("petitions:index")):
        html = client.get(url).content.decode()
        assert PERSON["id_number"] not in html
        assert PERSON["phone"] not in html
        assert PERSON["address"] not in html
    detail = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "150221********1234" in detail and "139****5678" in detail


def test_a_reveal_needs_a_purpose_and_writes_an_audit_entry(register, client_for, petition_officer):
    petition, _code = register()
    person = petition.petitioners.get()
    client = client_for(petition_officer)
    url = reverse("petitions:reveal", args=[person.pk])
    before = AuditEntry.objects.filter(action="petition.reveal").count()
    response = client.post(url, {"purpose": ""})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="petition.reveal").count() == before
    response = client.post(url, {"purpose": "电话回访核实情况"})
    assert response.status_code == 200
    assert PERSON["id_number"] in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.filter(action="petition.reveal").latest("pk")
    assert entry.comment == "电话回访核实情况" and entry.actor == petition_officer
    assert PERSON["id_number"] not in str(entry.changes) + entry.comment


def test_a_leader_may_read_the_case_but_not_reveal(register, client_for, leader):
    petition, _code = register()
    person = petition.petitioners.get()
    response = client_for(leader).post(
        reverse("petitions:reveal", args=[person.pk]), {"purpose": "了解情况"}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.petitioner_reveal(petitioner=person, by=leader, purpose="了解情况")


def _unit_staff(unit: Unit, username: str):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username, password="Unit-Staff-Pass-2026")
    Staff.objects.create(user=user, unit=unit, badge_number=username[:20])
    return user


def test_a_transfer_strips_identity_by_default(register, petition_officer, client_for, housing):
    petition, _code = register()
    services.petition_decide(
        petition=petition, by=petition_officer, decision="assign", unit=housing, now=at(2026, 9, 2)
    )
    unit_user = _unit_staff(housing, "housing_staff")
    page = client_for(unit_user).get(reverse("petitions:detail", args=[petition.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert PERSON["name"] not in html and "139****5678" not in html
    assert "信访人身份信息未提供给本单位" in html
    entry = AuditEntry.objects.filter(action="petition.decide", object_id=str(petition.pk)).get()
    assert entry.changes["identity_shared"] is False


def test_passing_the_identity_on_is_the_officers_audited_decision(
    register, petition_officer, client_for, housing
):
    petition, _code = register()
    services.petition_decide(
        petition=petition,
        by=petition_officer,
        decision="assign",
        unit=housing,
        share_identity=True,
        now=at(2026, 9, 2),
    )
    unit_user = _unit_staff(housing, "housing_staff")
    html = (
        client_for(unit_user).get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    )
    assert PERSON["name"] in html and "139****5678" in html and PERSON["phone"] not in html
    entry = AuditEntry.objects.filter(action="petition.decide", object_id=str(petition.pk)).get()
    assert entry.changes["identity_shared"] is True


def test_the_unit_complained_about_never_gets_the_identity(
    register, petition_officer, client_for, housing
):
    petition, _code = register(category="accusation", complained_unit=housing)
    with pytest.raises(ValidationError):
        services.petition_decide(
            petition=petition,
            by=petition_officer,
            decision="assign",
            unit=housing,
            share_identity=True,
            now=at(2026, 9, 2),
        )
    services.petition_decide(
        petition=petition, by=petition_officer, decision="assign", unit=housing, now=at(2026, 9, 2)
    )
    unit_user = _unit_staff(housing, "housing_staff")
    html = (
        client_for(unit_user).get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    )
    assert PERSON["name"] not in html
    # nor may its staff print the notices, which name the petitioner
    notice = petition.notices.first()
    assert (
        client_for(unit_user).get(reverse("petitions:notice_pdf", args=[notice.pk])).status_code
        == 403
    )


def test_other_staff_cannot_see_the_petition(register, client_for, clerk, other_section_staff):
    petition, _code = register()
    for user in (clerk, other_section_staff):
        assert (
            client_for(user).get(reverse("petitions:detail", args=[petition.pk])).status_code == 404
        )


def test_petition_officer_cannot_export_personal_data_without_the_separate_permission(
    petition_officer,
):
    assert petition_officer.has_perm("petitions.reveal_petitioner")
    assert not petition_officer.has_perm("petitions.export_petitioner_data")


def test_material_carries_identity_and_is_withheld_from_a_unit_without_it(
    register, petition_officer, client_for, housing
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    petition, _code = register(files=[scan])
    attachment = petition.attachments.get()
    assert attachment.file.name.endswith(".pdf") and "letter" not in attachment.file.name
    services.petition_decide(
        petition=petition, by=petition_officer, decision="assign", unit=housing, now=at(2026, 9, 2)
    )
    url = reverse("petitions:attachment", args=[attachment.pk])
    response = client_for(petition_officer).get(url)
    assert response.status_code == 200 and "attachment;" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action="petition.download", object_id=str(petition.pk)
    ).exists()
    unit_user = _unit_staff(housing, "housing_staff")
    assert client_for(unit_user).get(url).status_code == 403


def test_without_the_key_personal_data_is_refused_not_weakly_encrypted(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PETITION_DATA_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="PETITION_DATA_KEY"):
        crypto.encrypt("13904825678")
    with pytest.raises(ImproperlyConfigured):
        crypto.keyed_hash("phone", "13904825678")


def test_another_key_cannot_read_the_data(settings):
    token = crypto.encrypt("150221195803121234")
    settings.PETITION_DATA_KEY = "another-deployment-key-entirely-different"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


@pytest.mark.django_db
def test_the_console_sms_log_never_carries_the_query_code(
    register, caplog, settings, django_capture_on_commit_callbacks
):
    """The code is a bearer secret (S-18): the SMS says it, the log line masks it."""
    import logging

    from office.delivery import deliver_pending
    from office.models import OutboxMessage
    from office.sms import LocmemSMSBackend

    settings.SMS_BACKEND = "office.sms.ConsoleSMSBackend"
    with (
        caplog.at_level(logging.INFO, logger="office.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        petition, code = register()
        deliver_pending()  # the SMS goes through the outbox (office.outbox)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "office.sms")
    assert petition.number in logged and "****" in logged
    assert code not in logged and crypto.format_query_code(code) not in logged
    assert "13904825678" not in logged
    # the gateway itself gets the real text
    settings.SMS_BACKEND = "office.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _petition, code = register()
    deliver_pending()
    assert crypto.format_query_code(code) in LocmemSMSBackend.outbox[-1][1]
    # …and the outbox row itself never held it: delivery filled it in (S-18).
    assert code not in OutboxMessage.objects.latest("pk").body
