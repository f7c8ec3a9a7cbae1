"""Teaching operations (#14): rooms, session lecturers, justifications, announcements,
materials, evaluations; a session's cohort is filled from its offering.

On PostgreSQL, exclusion constraints refuse overlapping scheduled sessions of one room, one
lecturer, or one group of a cohort (btree_gist lets ``=`` sit beside the range's ``&&``);
SQLite has none, the service's check is what refuses there.
"""

from typing import Any

from django.contrib.postgres.operations import BtreeGistExtension

import core.translated
import core.uploads
import django.core.validators
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


EXCLUSIONS = (
    (
        "enrollment_classsession",
        "studies_session_room_free",
        "room_id WITH =, tstzrange(starts_at, ends_at) WITH &&",
        "status = 'scheduled' AND room_id IS NOT NULL",
    ),
    (
        "enrollment_classsession",
        "studies_session_group_free",
        'cohort_id WITH =, "group" WITH =, tstzrange(starts_at, ends_at) WITH &&',
        "status = 'scheduled' AND cohort_id IS NOT NULL",
    ),
    (
        "studies_sessionlecturer",
        "studies_lecturer_free",
        "lecturer_id WITH =, tstzrange(starts_at, ends_at) WITH &&",
        "NOT cancelled",
    ),
)


def fill_cohort(apps: Any, schema_editor: Any) -> None:
    ClassSession = apps.get_model("studies", "ClassSession")
    Offering = apps.get_model("studies", "Offering")
    for pk, cohort in Offering.objects.values_list("pk", "cohort_id"):
        ClassSession.objects.filter(offering_id=pk).update(cohort_id=cohort)


def noop(apps: Any, schema_editor: Any) -> None:
    pass


def add_exclusions(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, expressions, where in EXCLUSIONS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist ({expressions}) WHERE ({where})"
        )


def drop_exclusions(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, _expressions, _where in EXCLUSIONS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0011_application_financing'),
        ('partners', '0002_agreement_co_teaching_hours'),
        ('studies', '0004_jury_members'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        BtreeGistExtension(),  # does nothing on SQLite
        migrations.CreateModel(
            name='Question',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('likert', 'Agreement from 1 to 5'), ('text', 'Free text')], max_length=6, verbose_name='kind')),
                ('text_fr', models.CharField(max_length=300, verbose_name='question (French)')),
                ('text_ar', models.CharField(blank=True, max_length=300, verbose_name='question (Arabic)')),
                ('text_en', models.CharField(blank=True, max_length=300, verbose_name='question (English)')),
                ('position', models.PositiveSmallIntegerField(default=1, verbose_name='position')),
                ('required', models.BooleanField(default=False, verbose_name='an answer is required')),
            ],
            options={
                'verbose_name': 'question',
                'verbose_name_plural': 'questions',
                'ordering': ('questionnaire', 'position', 'pk'),
            },
            bases=(core.translated.TranslatedMixin, models.Model),
        ),
        migrations.AddField(
            model_name='classsession',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='reason for the cancellation'),
        ),
        migrations.AddField(
            model_name='classsession',
            name='cohort',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.cohort'),
        ),
        migrations.AddField(
            model_name='classsession',
            name='group',
            field=models.CharField(blank=True, help_text='Empty: the whole cohort.', max_length=30, verbose_name='group'),
        ),
        migrations.AddField(
            model_name='classsession',
            name='sequence',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='classsession',
            name='status',
            field=models.CharField(choices=[('scheduled', 'Scheduled'), ('cancelled', 'Cancelled')], default='scheduled', max_length=10, verbose_name='status'),
        ),
        migrations.CreateModel(
            name='AbsenceJustification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(max_length=2000, verbose_name='reason')),
                ('file', models.FileField(blank=True, max_length=200, storage=core.uploads.get_private_storage, upload_to='justifications/', verbose_name='supporting document')),
                ('status', models.CharField(choices=[('pending', 'Waiting for a decision'), ('accepted', 'Accepted'), ('refused', 'Refused')], default='pending', max_length=10, verbose_name='status')),
                ('submitted_at', models.DateTimeField(auto_now_add=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('refusal_reason', models.TextField(blank=True, max_length=2000, verbose_name='reason for the refusal')),
                ('attendance', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='justification', to='studies.attendance')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'absence justification',
                'verbose_name_plural': 'absence justifications',
                'ordering': ('-submitted_at',),
            },
        ),
        migrations.CreateModel(
            name='EvaluationResponse',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('offering', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='studies.offering')),
            ],
            options={
                'verbose_name': 'evaluation response',
                'verbose_name_plural': 'evaluation responses',
                'ordering': ('id',),
            },
        ),
        migrations.CreateModel(
            name='MaterialSection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title_fr', models.CharField(max_length=200, verbose_name='title (French)')),
                ('title_ar', models.CharField(blank=True, max_length=200, verbose_name='title (Arabic)')),
                ('title_en', models.CharField(blank=True, max_length=200, verbose_name='title (English)')),
                ('position', models.PositiveSmallIntegerField(default=1, verbose_name='position')),
                ('offering', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='material_sections', to='studies.offering')),
            ],
            options={
                'verbose_name': 'section of materials',
                'verbose_name_plural': 'sections of materials',
                'ordering': ('offering', 'position', 'pk'),
            },
            bases=(core.translated.TranslatedMixin, models.Model),
        ),
        migrations.CreateModel(
            name='Material',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('file', 'File'), ('link', 'Link')], max_length=4, verbose_name='kind')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('url', models.URLField(blank=True, max_length=500, verbose_name='address')),
                ('position', models.PositiveSmallIntegerField(default=1, verbose_name='position')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('added_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('section', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='studies.materialsection')),
            ],
            options={
                'verbose_name': 'material',
                'verbose_name_plural': 'materials',
                'ordering': ('section', 'position', 'pk'),
            },
        ),
        migrations.CreateModel(
            name='MaterialVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='version')),
                ('file', models.FileField(max_length=200, storage=core.uploads.get_private_storage, upload_to='materials/')),
                ('filename', models.CharField(max_length=200, verbose_name='file name')),
                ('size', models.PositiveIntegerField(verbose_name='size (bytes)')),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('material', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='studies.material')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'material version',
                'verbose_name_plural': 'material versions',
                'ordering': ('material', '-number'),
            },
        ),
        migrations.CreateModel(
            name='EvaluationAnswer',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('likert', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                ('text', models.TextField(blank=True, max_length=4000)),
                ('response', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='studies.evaluationresponse')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='studies.question')),
            ],
            options={
                'verbose_name': 'evaluation answer',
                'verbose_name_plural': 'evaluation answers',
                'ordering': ('id',),
            },
        ),
        migrations.CreateModel(
            name='Questionnaire',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('semester', models.PositiveSmallIntegerField(verbose_name='semester')),
                ('opens_at', models.DateTimeField(verbose_name='opens at')),
                ('closes_at', models.DateTimeField(verbose_name='closes at')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='questionnaires', to='enrollment.cohort', verbose_name='cohort')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'evaluation questionnaire',
                'verbose_name_plural': 'evaluation questionnaires',
                'ordering': ('cohort', 'semester'),
            },
        ),
        migrations.AddField(
            model_name='question',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='studies.questionnaire'),
        ),
        migrations.AddField(
            model_name='evaluationresponse',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='studies.questionnaire'),
        ),
        migrations.CreateModel(
            name='EvaluationParticipation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('offering', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='studies.offering')),
                ('student', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.student')),
                ('questionnaire', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='participations', to='studies.questionnaire')),
            ],
            options={
                'verbose_name': 'evaluation participation',
                'verbose_name_plural': 'evaluation participations',
            },
        ),
        migrations.CreateModel(
            name='Room',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('site', models.CharField(choices=[('tema', 'TEMA'), ('wtc', 'World Trade Center Algiers'), ('partner', "A partner's site")], max_length=10, verbose_name='site')),
                ('capacity', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(2000)], verbose_name='capacity')),
                ('address', models.CharField(blank=True, max_length=250, verbose_name='address')),
                ('active', models.BooleanField(default=True, verbose_name='in use')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='rooms', to='partners.organisation', verbose_name='partner organisation')),
            ],
            options={
                'verbose_name': 'room',
                'verbose_name_plural': 'rooms',
                'ordering': ('site', 'name'),
            },
        ),
        migrations.AddField(
            model_name='classsession',
            name='room',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='studies.room', verbose_name='room'),
        ),
        migrations.CreateModel(
            name='SessionLecturer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('cancelled', models.BooleanField(default=False)),
                ('lecturer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='taught_sessions', to=settings.AUTH_USER_MODEL, verbose_name='lecturer')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='taught_sessions', to='partners.organisation', verbose_name='teaching for')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='session_lecturers', to='studies.classsession')),
            ],
            options={
                'verbose_name': 'session lecturer',
                'verbose_name_plural': 'session lecturers',
            },
        ),
        migrations.CreateModel(
            name='Announcement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('group', models.CharField(blank=True, max_length=30, verbose_name='group')),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('body', models.TextField(max_length=10000, verbose_name='message')),
                ('attachment', models.FileField(blank=True, max_length=200, storage=core.uploads.get_private_storage, upload_to='announcements/', verbose_name='attachment')),
                ('attachment_name', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='announcements', to=settings.AUTH_USER_MODEL)),
                ('cohort', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='announcements', to='enrollment.cohort', verbose_name='cohort')),
                ('offering', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='announcements', to='studies.offering', verbose_name='module')),
            ],
            options={
                'verbose_name': 'announcement',
                'verbose_name_plural': 'announcements',
                'ordering': ('-created_at',),
                'constraints': [models.CheckConstraint(condition=models.Q(('group', ''), ('offering__isnull', True), _connector='OR'), name='studies_announcement_one_audience')],
            },
        ),
        migrations.AddConstraint(
            model_name='material',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'link'), models.Q(('url', ''), _negated=True)), models.Q(('kind', 'file'), ('url', '')), _connector='OR'), name='studies_material_link_has_url'),
        ),
        migrations.AddConstraint(
            model_name='materialversion',
            constraint=models.UniqueConstraint(fields=('material', 'number'), name='studies_material_version'),
        ),
        migrations.AddConstraint(
            model_name='evaluationanswer',
            constraint=models.UniqueConstraint(fields=('response', 'question'), name='studies_answer_once_per_question'),
        ),
        migrations.AddConstraint(
            model_name='evaluationanswer',
            constraint=models.CheckConstraint(condition=models.Q(('likert__isnull', True), models.Q(('likert__gte', 1), ('likert__lte', 5)), _connector='OR'), name='studies_answer_likert_range'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.UniqueConstraint(fields=('cohort', 'semester'), name='studies_questionnaire_once'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='studies_questionnaire_closes_after_opening'),
        ),
        migrations.AddConstraint(
            model_name='evaluationparticipation',
            constraint=models.UniqueConstraint(fields=('questionnaire', 'offering', 'student'), name='studies_evaluation_once_per_student'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('site', 'partner'), ('organisation__isnull', False)), models.Q(models.Q(('site', 'partner'), _negated=True), ('organisation__isnull', True)), _connector='OR'), name='studies_room_partner_site', violation_error_message="A room at a partner's site names the partner."),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(condition=models.Q(('organisation__isnull', True)), fields=('site', 'name'), name='studies_room_once', violation_error_message='This site already has a room of that name.'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(condition=models.Q(('organisation__isnull', False)), fields=('organisation', 'name'), name='studies_partner_room_once', violation_error_message='This site already has a room of that name.'),
        ),
        migrations.AddConstraint(
            model_name='sessionlecturer',
            constraint=models.UniqueConstraint(fields=('session', 'lecturer'), name='studies_session_lecturer_once'),
        ),
        migrations.RunPython(fill_cohort, noop),
        migrations.RunPython(add_exclusions, drop_exclusions),
    ]
