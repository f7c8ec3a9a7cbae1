"""Juries moved to the studies app with their table: the foreign keys change in Django's
state only (the constraint already points at the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_certificate_claimed_by_queued_at"),
        ("studies", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="batch",
                    name="jury",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="studies.jury",
                    ),
                ),
                migrations.AlterField(
                    model_name="certificate",
                    name="jury",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="studies.jury",
                    ),
                ),
            ],
        ),
    ]
