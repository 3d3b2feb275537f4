"""Issue 15: the audit chain's links become HMAC-SM3 under AUDIT_CHAIN_KEY (office.auditchain).

The entries written before are checked under their old SHA-256 links and re-linked under the
key, in this migration's transaction (the schema's owner sets the append-only trigger aside for
it). If the old chain does not hold, the migration stops and changes nothing: investigate the
named entry, then run `manage.py relink_audit --from-unkeyed --accept-broken` (audited).
"""

from django.db import migrations


def relink(apps, schema_editor):
    from office import auditchain

    AuditEntry = apps.get_model("office", "AuditEntry")
    AuditChainHead = apps.get_model("office", "AuditChainHead")
    try:
        auditchain.relink(
            AuditEntry,
            AuditChainHead,
            old_link=auditchain.legacy_link,
            connection=schema_editor.connection,
        )
    except auditchain.ChainBroken as broken:
        raise RuntimeError(
            f"The audit chain is broken before re-keying ({broken}). Nothing was changed. "
            "Investigate, then run: manage.py relink_audit --from-unkeyed --accept-broken"
        ) from broken


class Migration(migrations.Migration):
    dependencies = [("office", "0009_issue15_signin_lock")]

    operations = [migrations.RunPython(relink, migrations.RunPython.noop)]
