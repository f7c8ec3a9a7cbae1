"""The issuer of the documents and who signs each kind (versioned), and the language of
each document and batch (French and Arabic, or the English edition)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_jury_in_studies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="batch",
            name="edition",
            field=models.CharField(
                choices=[("fr", "French and Arabic"), ("en", "English and French")],
                default="fr",
                max_length=2,
                verbose_name="language of the document",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="edition",
            field=models.CharField(
                choices=[("fr", "French and Arabic"), ("en", "English and French")],
                default="fr",
                max_length=2,
                verbose_name="language of the document",
            ),
        ),
        migrations.CreateModel(
            name="IssuingAuthority",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name_fr", models.CharField(max_length=250, verbose_name="name (French)")),
                ("name_ar", models.CharField(max_length=250, verbose_name="name (Arabic)")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=250, verbose_name="name (English)"),
                ),
                (
                    "legal_basis_fr",
                    models.TextField(
                        blank=True,
                        help_text="The decree or approval the establishment issues its documents under.",
                        verbose_name="legal basis (French)",
                    ),
                ),
                (
                    "legal_basis_ar",
                    models.TextField(blank=True, verbose_name="legal basis (Arabic)"),
                ),
                (
                    "address_fr",
                    models.CharField(blank=True, max_length=300, verbose_name="address (French)"),
                ),
                (
                    "address_ar",
                    models.CharField(blank=True, max_length=300, verbose_name="address (Arabic)"),
                ),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="phone")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="e-mail")),
                (
                    "logo",
                    models.ImageField(
                        blank=True, max_length=200, upload_to="issuer/", verbose_name="logo"
                    ),
                ),
                ("active", models.BooleanField(default=False, verbose_name="active")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "issuing authority",
                "verbose_name_plural": "issuing authorities",
            },
        ),
        migrations.CreateModel(
            name="Signatory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("enrollment", "Enrollment attestation"),
                            ("transcript", "Semester transcript"),
                            ("cumulative-transcript", "Cumulative transcript"),
                            ("success", "Provisional success attestation"),
                            ("module", "Module certificate"),
                            ("jury-record", "Jury record (PV de délibération)"),
                        ],
                        max_length=24,
                        verbose_name="document",
                    ),
                ),
                ("name_fr", models.CharField(max_length=100, verbose_name="name (Latin script)")),
                ("name_ar", models.CharField(max_length=100, verbose_name="name (Arabic script)")),
                ("title_fr", models.CharField(max_length=100, verbose_name="title (French)")),
                ("title_ar", models.CharField(max_length=100, verbose_name="title (Arabic)")),
                ("title_en", models.CharField(max_length=100, verbose_name="title (English)")),
                ("order", models.PositiveSmallIntegerField(default=1, verbose_name="order")),
                ("active_from", models.DateField(verbose_name="signs from")),
                (
                    "retired_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="retired at"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="signatories",
                        to="certificates.issuingauthority",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "replaces",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="certificates.signatory",
                        verbose_name="replaces",
                    ),
                ),
            ],
            options={
                "verbose_name": "signatory",
                "verbose_name_plural": "signatories",
                "ordering": ("kind", "order", "pk"),
            },
        ),
        migrations.AddConstraint(
            model_name="issuingauthority",
            constraint=models.UniqueConstraint(
                condition=models.Q(("active", True)),
                fields=("active",),
                name="certificates_one_active_issuer",
            ),
        ),
        migrations.AddIndex(
            model_name="signatory",
            index=models.Index(
                fields=["authority", "kind", "retired_at"], name="certificate_authori_2de64e_idx"
            ),
        ),
    ]
