"""`manage.py grant_app_role ROLE [--print]`: give the application's own PostgreSQL role what it
needs and nothing more on the audit trail (SECURITY.md S-37: "the app's database role cannot
UPDATE/DELETE it"; 等保 8.1.4.3 d: audit records are protected from deletion, modification or
overwriting).

In production the schema belongs to an owner role that only runs `migrate` and this command;
the web and worker processes connect as ROLE. ROLE may read and write every table, but on the
audit table it may only SELECT and INSERT — UPDATE, DELETE and TRUNCATE are refused by the
database itself, whatever the application does. (The append-only trigger of migration 0004
stays as a second line, and it is what refuses the owner too.) Run it after every `migrate`:
it is idempotent, and it grants on tables that later migrations created.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from office.models import AuditEntry


def statements(role: str, database: str) -> list[str]:
    from psycopg import sql

    r = sql.Identifier(role)
    audit = sql.Identifier(AuditEntry._meta.db_table)
    parts = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            r
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(audit, r),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(r),
    ]
    return [p.as_string(connection.connection) for p in parts]


class Command(BaseCommand):
    help = "Grant the application's database role its rights; the audit table stays append-only."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the PostgreSQL role the web and worker processes use")
        parser.add_argument(
            "--print", action="store_true", help="print the SQL instead of running it"
        )

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "database roles exist on PostgreSQL only (the embedded SQLite has none)"
            )
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"role {role} does not exist: create it first (CREATE ROLE {role} LOGIN …)"
                )
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] == role:
                raise CommandError(
                    "run this as the owner of the tables, not as the application role itself"
                )
            sqls = statements(role, connection.settings_dict["NAME"])
            if options["print"]:
                self.stdout.write(";\n".join(sqls) + ";")
                return
            for statement in sqls:
                cursor.execute(statement)
        self.stdout.write(
            f"role {role}: reads and writes the tables; on {AuditEntry._meta.db_table} only SELECT and INSERT"
        )
