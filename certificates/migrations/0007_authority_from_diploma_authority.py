"""A site that issued documents before the issuer became data keeps its issuer: the first
diploma authority of the curriculum becomes the active issuing authority (names and legal
basis). Its signatories are not guessed (the old lines had no Arabic names): until the
coordination adds them, each document is refused with that reason."""

from django.db import migrations


def authority_from_the_curriculum(apps, schema_editor):
    IssuingAuthority = apps.get_model("certificates", "IssuingAuthority")
    DiplomaAuthority = apps.get_model("curriculum", "DiplomaAuthority")
    if IssuingAuthority.objects.exists():
        return
    old = DiplomaAuthority.objects.order_by("pk").first()
    if old is None:
        return
    IssuingAuthority.objects.create(
        name_fr=old.issuer_fr,
        name_ar=old.issuer_ar,
        name_en=old.issuer_en,
        legal_basis_fr=old.legal_basis_fr,
        legal_basis_ar=old.legal_basis_ar,
        active=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0006_signature"),
        ("curriculum", "0003_module_is_thesis"),
    ]

    operations = [
        migrations.RunPython(authority_from_the_curriculum, migrations.RunPython.noop),
    ]
