"""The electronic signature of each document: who signed it (the signing certificate's
subject) and when."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0005_issuer_signatories"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="signed_by",
            field=models.CharField(blank=True, max_length=200, verbose_name="signed by"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="signed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="signed at"),
        ),
    ]
