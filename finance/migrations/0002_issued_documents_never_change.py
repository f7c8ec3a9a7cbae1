"""Invoices, their lines and credit notes are never changed once issued (a correction is a
credit note): the database itself refuses an UPDATE of their rows."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES = ("finance_invoice", "finance_invoiceline", "finance_creditnote")


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION finance_refuse_update() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'finance: % rows are never changed once issued', TG_TABLE_NAME; "
            "END; $$ LANGUAGE plpgsql",
            params=None,  # the % is PL/pgSQL's, not a placeholder
        )
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION finance_refuse_update()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} BEGIN "
                f"SELECT RAISE(ABORT, 'finance: {table} rows are never changed once issued'); "
                "END"
            )


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS finance_refuse_update()")


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
