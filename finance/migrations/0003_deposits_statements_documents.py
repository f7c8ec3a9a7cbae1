"""Deposits, application fees, statements, sponsor contacts, rendered PDFs and reminders.

The issued rows' triggers (0002) are dropped first and created again last: the lines' new
``due_on`` is filled from their instalments (an UPDATE the triggers refuse), and SQLite
rebuilds the altered tables, which drops their triggers with them.
"""

import importlib
from typing import Any

import core.uploads
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


frozen = importlib.import_module("finance.migrations.0002_issued_documents_never_change")


def fill_due_on(apps: Any, schema_editor: Any) -> None:
    InvoiceLine = apps.get_model("finance", "InvoiceLine")
    Instalment = apps.get_model("finance", "Instalment")
    for pk, due in Instalment.objects.values_list("pk", "due_date"):
        InvoiceLine.objects.filter(instalment_id=pk).update(due_on=due)


def noop(apps: Any, schema_editor: Any) -> None:
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0011_application_financing'),
        ('finance', '0002_issued_documents_never_change'),
        ('partners', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(frozen.drop_triggers, frozen.create_triggers),
        migrations.CreateModel(
            name='FinanceDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('invoice', 'Invoice'), ('credit_note', 'Credit note'), ('receipt', 'Receipt'), ('statement', 'Sponsor statement')], max_length=12, verbose_name='kind')),
                ('status', models.CharField(choices=[('pending', 'Being prepared'), ('ready', 'Ready'), ('failed', 'Failed')], default='pending', max_length=8, verbose_name='status')),
                ('file', models.FileField(blank=True, max_length=200, storage=core.uploads.get_private_storage, upload_to='finance/')),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('rendered_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'finance document',
                'verbose_name_plural': 'finance documents',
                'ordering': ('-created_at', 'pk'),
            },
        ),
        migrations.CreateModel(
            name='PaymentReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('days', models.SmallIntegerField(verbose_name='days after the due date')),
                ('due_on', models.DateField(verbose_name='due on')),
                ('sent_to', models.EmailField(max_length=254, verbose_name='sent to')),
                ('sent_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'payment reminder',
                'verbose_name_plural': 'payment reminders',
                'ordering': ('-sent_at',),
            },
        ),
        migrations.CreateModel(
            name='SponsorContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                ('language', models.CharField(choices=[('fr', 'French'), ('en', 'English'), ('ar', 'Arabic')], default='fr', max_length=8, verbose_name='language of correspondence')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'sponsor contact',
                'verbose_name_plural': 'sponsor contacts',
                'ordering': ('organisation', 'name'),
            },
        ),
        migrations.CreateModel(
            name='StatementImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, storage=core.uploads.get_private_storage, upload_to='statements/', verbose_name='statement')),
                ('filename', models.CharField(max_length=200, verbose_name='file name')),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'statement import',
                'verbose_name_plural': 'statement imports',
                'ordering': ('-uploaded_at', 'pk'),
            },
        ),
        migrations.CreateModel(
            name='StatementLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField(verbose_name='row')),
                ('booked_on', models.DateField(verbose_name='date')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount')),
                ('reference', models.CharField(blank=True, max_length=120, verbose_name='reference')),
                ('payer', models.CharField(blank=True, max_length=200, verbose_name='payer')),
                ('fingerprint', models.CharField(max_length=64, unique=True)),
            ],
            options={
                'verbose_name': 'statement line',
                'verbose_name_plural': 'statement lines',
                'ordering': ('statement', 'row'),
            },
        ),
        migrations.RemoveConstraint(
            model_name='invoice',
            name='finance_invoice_one_payer',
        ),
        migrations.RemoveConstraint(
            model_name='invoiceline',
            name='finance_line_student_share_once',
        ),
        migrations.RemoveConstraint(
            model_name='invoiceline',
            name='finance_line_sponsor_share_once',
        ),
        migrations.RemoveConstraint(
            model_name='payment',
            name='finance_payment_one_payer',
        ),
        migrations.AddField(
            model_name='invoice',
            name='payer_application',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='enrollment.application'),
        ),
        migrations.AddField(
            model_name='invoiceline',
            name='application',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='invoice_lines', to='enrollment.application'),
        ),
        migrations.AddField(
            model_name='invoiceline',
            name='due_on',
            field=models.DateField(null=True, verbose_name='due on'),
        ),
        migrations.RunPython(fill_due_on, noop),
        migrations.AlterField(
            model_name='invoiceline',
            name='due_on',
            field=models.DateField(verbose_name='due on'),
        ),
        migrations.AddField(
            model_name='invoiceline',
            name='kind',
            field=models.CharField(choices=[('instalment', 'Instalment'), ('deposit', 'Deposit'), ('application_fee', 'Application fee')], default='instalment', max_length=16, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='payment',
            name='payer_application',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='enrollment.application'),
        ),
        migrations.AddField(
            model_name='sponsorship',
            name='shares_progress',
            field=models.BooleanField(default=False, verbose_name='the sponsor may see attendance and published results'),
        ),
        migrations.AlterField(
            model_name='invoiceline',
            name='instalment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='invoice_lines', to='finance.instalment'),
        ),
        migrations.AlterField(
            model_name='invoiceline',
            name='student',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='invoice_lines', to='enrollment.student'),
        ),
        migrations.AlterField(
            model_name='moneyevent',
            name='kind',
            field=models.CharField(choices=[('schedule', 'Fee schedule set'), ('instalments', 'Instalment plan set'), ('sponsorship', 'Sponsorship confirmed'), ('adjustment', 'Adjustment granted'), ('invoice', 'Invoice issued'), ('credit_note', 'Credit note issued'), ('payment', 'Payment recorded'), ('statement', 'Bank statement imported'), ('seat_released', 'Seat released: deposit unpaid'), ('contact', 'Sponsor contact set')], max_length=16, verbose_name='kind'),
        ),
        migrations.AddIndex(
            model_name='invoiceline',
            index=models.Index(fields=['due_on'], name='finance_inv_due_on_f764dc_idx'),
        ),
        migrations.AddConstraint(
            model_name='invoice',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('payer_student__isnull', False), models.Q(('payer_organisation__isnull', False), _negated=True), models.Q(('payer_application__isnull', False), _negated=True)), models.Q(models.Q(('payer_student__isnull', False), _negated=True), ('payer_organisation__isnull', False), models.Q(('payer_application__isnull', False), _negated=True)), models.Q(models.Q(('payer_student__isnull', False), _negated=True), models.Q(('payer_organisation__isnull', False), _negated=True), ('payer_application__isnull', False)), _connector='OR'), name='finance_invoice_one_payer'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'instalment'), ('student__isnull', False), ('instalment__isnull', False), ('application__isnull', True)), models.Q(('kind', 'deposit'), ('student__isnull', False), ('instalment__isnull', True), ('sponsor__isnull', True), ('application__isnull', True)), models.Q(('kind', 'application_fee'), ('application__isnull', False), ('student__isnull', True), ('instalment__isnull', True), ('sponsor__isnull', True)), _connector='OR'), name='finance_line_kind_fields'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'instalment'), ('sponsor__isnull', True)), fields=('student', 'instalment'), name='finance_line_student_share_once'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'instalment'), ('sponsor__isnull', False)), fields=('student', 'instalment', 'sponsor'), name='finance_line_sponsor_share_once'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'deposit')), fields=('student',), name='finance_line_deposit_once'),
        ),
        migrations.AddConstraint(
            model_name='invoiceline',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'application_fee')), fields=('application',), name='finance_line_application_fee_once'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('payer_student__isnull', False), models.Q(('payer_organisation__isnull', False), _negated=True), models.Q(('payer_application__isnull', False), _negated=True)), models.Q(models.Q(('payer_student__isnull', False), _negated=True), ('payer_organisation__isnull', False), models.Q(('payer_application__isnull', False), _negated=True)), models.Q(models.Q(('payer_student__isnull', False), _negated=True), models.Q(('payer_organisation__isnull', False), _negated=True), ('payer_application__isnull', False)), _connector='OR'), name='finance_payment_one_payer'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('payer_application__isnull', False), models.Q(('reference', ''), _negated=True)), fields=('payer_application', 'reference', 'amount'), name='finance_payment_application_once'),
        ),
        migrations.AddField(
            model_name='financedocument',
            name='cohort',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.cohort'),
        ),
        migrations.AddField(
            model_name='financedocument',
            name='credit_note',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='document', to='finance.creditnote'),
        ),
        migrations.AddField(
            model_name='financedocument',
            name='invoice',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='document', to='finance.invoice'),
        ),
        migrations.AddField(
            model_name='financedocument',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.organisation'),
        ),
        migrations.AddField(
            model_name='financedocument',
            name='payment',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='receipt', to='finance.payment'),
        ),
        migrations.AddField(
            model_name='financedocument',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='paymentreminder',
            name='invoice',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='finance.invoice'),
        ),
        migrations.AddField(
            model_name='sponsorcontact',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sponsorcontact',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='finance_contacts', to='partners.organisation'),
        ),
        migrations.AddField(
            model_name='sponsorcontact',
            name='user',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sponsor_contact', to=settings.AUTH_USER_MODEL, verbose_name='account'),
        ),
        migrations.AddField(
            model_name='statementimport',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='statementimport',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='statementline',
            name='payment',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='statement_line', to='finance.payment'),
        ),
        migrations.AddField(
            model_name='statementline',
            name='statement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='finance.statementimport'),
        ),
        migrations.AddConstraint(
            model_name='financedocument',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'invoice'), ('invoice__isnull', False), ('credit_note__isnull', True), ('payment__isnull', True), ('organisation__isnull', True)), models.Q(('kind', 'credit_note'), ('invoice__isnull', True), ('credit_note__isnull', False), ('payment__isnull', True), ('organisation__isnull', True)), models.Q(('kind', 'receipt'), ('invoice__isnull', True), ('credit_note__isnull', True), ('payment__isnull', False), ('organisation__isnull', True)), models.Q(('kind', 'statement'), ('invoice__isnull', True), ('credit_note__isnull', True), ('payment__isnull', True), ('organisation__isnull', False), ('cohort__isnull', False)), _connector='OR'), name='finance_document_kind_fields'),
        ),
        migrations.AddConstraint(
            model_name='paymentreminder',
            constraint=models.UniqueConstraint(fields=('invoice', 'due_on', 'days'), name='finance_reminder_once'),
        ),
        migrations.AddConstraint(
            model_name='sponsorcontact',
            constraint=models.UniqueConstraint(fields=('organisation', 'email'), name='finance_contact_once'),
        ),
        migrations.RunPython(frozen.create_triggers, frozen.drop_triggers),
    ]
