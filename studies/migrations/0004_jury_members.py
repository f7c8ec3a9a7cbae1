"""The members of a deliberation jury, printed on its record (PV): one president at most."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studies", "0003_appeals"),
    ]

    operations = [
        migrations.CreateModel(
            name="JuryMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("president", "President"),
                            ("member", "Member"),
                            ("secretary", "Secretary"),
                        ],
                        default="member",
                        max_length=10,
                        verbose_name="role",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="order")),
                (
                    "jury",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="studies.jury",
                        verbose_name="jury",
                    ),
                ),
            ],
            options={
                "verbose_name": "member of the jury",
                "verbose_name_plural": "members of the jury",
                "ordering": ("jury", "order", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("role", "president")),
                        fields=("jury",),
                        name="studies_jury_one_president",
                        violation_error_message="This jury already has a president.",
                    )
                ],
            },
        ),
    ]
