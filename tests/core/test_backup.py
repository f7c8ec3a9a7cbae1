"""Backups you can restore: the restore drill on PostgreSQL (real certificates restored into a
fresh database and fresh folders, and still verifying), a damaged archive refused before
anything is touched, another engine refused, the SQLite round trip and the confirmation."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse
from django.utils import translation
from psycopg import sql
from psycopg.conninfo import make_conninfo

from accounts.models import User
from certificates import services
from certificates.demo import seed_issuer
from certificates.models import Certificate, Kind
from config.backups import (
    MANIFEST,
    BackupError,
    Site,
    backup_create,
    backup_restore,
    manifest_verify,
)
from curriculum.demo import seed_curriculum
from enrollment.demo import seed_students
from partners.demo import seed_partners
from partners.models import Agreement, Organisation
from partners.services import agreement_save, organisation_save
from tests.factories.partners import pdf_upload, png_upload

SQLITE = "django.db.backends.sqlite3"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under root (hidden temporary ones included) with its digest."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): sha256(p) for p in root.rglob("*") if p.is_file()}


# --- The site's folders ---------------------------------------------------------------------------
@pytest.fixture
def site_roots(settings, tmp_path) -> tuple[Path, Path]:
    """PRIVATE_ROOT and MEDIA_ROOT in a temporary folder, with the storages that write there."""
    private, media = tmp_path / "site" / "private", tmp_path / "site" / "media"
    settings.PRIVATE_ROOT, settings.MEDIA_ROOT = private, media
    storages = settings.STORAGES
    settings.STORAGES = {
        **storages,
        "default": {**storages["default"], "OPTIONS": {"location": str(media)}},
        "private": {**storages["private"], "OPTIONS": {"location": str(private)}},
    }
    return private, media


# --- A second PostgreSQL database, and Django reading from it -----------------------------------
def _server(database: dict, name: str) -> str:
    return make_conninfo(
        **{
            key: str(database[setting])
            for key, setting in (
                ("host", "HOST"),
                ("port", "PORT"),
                ("user", "USER"),
                ("password", "PASSWORD"),
            )
            if database.get(setting)
        },
        dbname=name,
    )


@pytest.fixture
def fresh_database() -> Iterator[dict]:
    """An empty database `<test database>_restore` on the same server, dropped afterwards."""
    default = dict(connections["default"].settings_dict)
    name = f"{default['NAME']}_restore"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(_server(default, "postgres"), autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**default, "NAME": name}
    with psycopg.connect(_server(default, "postgres"), autocommit=True) as admin:
        admin.execute(drop)


def database_url(database: dict) -> str:
    auth = database["USER"] + (f":{database['PASSWORD']}" if database.get("PASSWORD") else "")
    return f"postgres://{auth}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@contextmanager
def default_connection_on(name: str) -> Iterator[None]:
    """Django's own connection pointed at another database of the server for a while: the
    real views and selectors then read the restored data (the test allows only "default")."""
    connection = connections["default"]
    previous = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = previous


# --- The restore drill ----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_restore_drill_brings_back_every_certificate_with_its_file_and_it_still_verifies(
    site_roots, fresh_database, make_user, tmp_path
):
    private, media = site_roots
    programme = seed_curriculum(organisations=seed_partners())
    cohort, _ = seed_students(count=3, cohort_slug="promo-backup", programme=programme)
    seed_issuer()
    coordinator = make_user("coordinator")
    # Rendered eagerly when the batch commits: real PDFs under PRIVATE_ROOT.
    services.batch_start(cohort=cohort, kind=Kind.ENROLLMENT, actor=coordinator)
    agreement = Agreement.objects.order_by("pk").first()
    assert agreement is not None
    agreement_save(agreement=agreement, parties=agreement.parties.all(), signed_pdf=pdf_upload())
    organisation = Organisation.objects.order_by("pk").first()
    assert organisation is not None
    organisation_save(organisation=organisation, logo=png_upload())
    issued = {
        c.code: (c.status, c.sha256, c.pdf.name)
        for c in Certificate.objects.filter(status=Certificate.Status.READY)
    }
    assert len(issued) == 3
    assert all((private / name).is_file() for _, _, name in issued.values())
    source_files = {"private": tree(private), "media": tree(media)}
    assert len(source_files["private"]) == 4
    assert len(source_files["media"]) == 1

    out = io.StringIO()
    with translation.override("en"):
        call_command("backup", "--out", str(tmp_path / "backups"), stdout=out)
    print(out.getvalue())  # the timings, with -s
    archive = Path(out.getvalue().splitlines()[0])
    assert archive.parent == tmp_path / "backups"
    assert archive.name.startswith("tema-backup-")
    assert archive.suffix == ".tar"
    assert "database postgresql, 5 files (private 4, media 1)" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # it holds every private document

    manifest = manifest_verify(archive)
    assert manifest.data["database"]["engine"] == "django.db.backends.postgresql"
    assert manifest.data["database"]["tool"].startswith("pg_dump (PostgreSQL)")
    assert manifest.version == metadata.version("tema-master")
    applied = MigrationRecorder(connections["default"]).applied_migrations()
    assert manifest.data["migrations"] == {
        app: max(name for a, name in applied if a == app) for app, _ in applied
    }
    digests = {m.name: m.sha256 for m in manifest.members}
    for code, (_, digest, name) in issued.items():
        assert digests[f"private/{name}"] == digest, code

    target_private = tmp_path / "restored" / "private"
    target_media = tmp_path / "restored" / "media"
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "restore",
            str(archive),
            "--yes",
            f"--database-url={database_url(fresh_database)}",
            f"--private-root={target_private}",
            f"--media-root={target_media}",
            stdout=out,
        )
    assert "4 files under" in out.getvalue()
    assert "1 under" in out.getvalue()
    print(out.getvalue())  # the timings, with -s

    assert {"private": tree(target_private), "media": tree(target_media)} == source_files
    counts = {"certificates": Certificate.objects.count(), "users": User.objects.count()}
    Certificate.objects.update(status=Certificate.Status.REVOKED)  # the source: not asked below
    with default_connection_on(fresh_database["NAME"]):
        rows = Certificate.objects.filter(status=Certificate.Status.READY)
        assert {c.code: (c.status, c.sha256, c.pdf.name) for c in rows} == issued
        assert Certificate.objects.count() == counts["certificates"]
        assert User.objects.count() == counts["users"]
        logo = Organisation.objects.get(pk=organisation.pk).logo.name
        assert (target_media / logo).is_file()
        signed = Agreement.objects.get(pk=agreement.pk).signed_pdf.name
        assert (target_private / signed).is_file()
        for code, (_, digest, name) in issued.items():
            assert sha256(target_private / name) == digest, code
        # The public verification of each code, answered from the restored database.
        client = Client()
        for code, (_, _, name) in issued.items():
            url = reverse("certificates:verify", args=[code])
            answer = client.get(url, headers={"accept": "application/json"})
            assert answer.status_code == 200, code
            assert answer.json()["status"] == "valid", code
            upload = SimpleUploadedFile("c.pdf", (target_private / name).read_bytes())
            page = client.post(url, {"file": upload}, headers={"accept-language": "en"})
            assert "exactly the one issued under this code" in page.content.decode(), code


@pytest.mark.django_db(transaction=True)
def test_a_restore_over_the_live_database_brings_back_the_state_of_the_backup(
    site_roots, make_user, tmp_path
):
    private, _ = site_roots
    kept, removed = make_user(), make_user("student")
    at_backup = {kept.pk, removed.pk}
    (private / "applications").mkdir(parents=True)
    (private / "applications" / "cv.pdf").write_bytes(b"%PDF the CV at backup time")
    archive = backup_create(out_dir=tmp_path / "backups").path
    removed.delete()
    since = make_user("lecturer")
    User.objects.filter(pk=kept.pk).update(email="changed@example.dz")
    (private / "applications" / "cv.pdf").write_bytes(b"%PDF overwritten since")

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())

    assert set(User.objects.values_list("pk", flat=True)) == at_backup
    assert User.objects.get(pk=kept.pk).email == kept.email
    assert not User.objects.filter(pk=since.pk).exists()
    assert (private / "applications" / "cv.pdf").read_bytes() == b"%PDF the CV at backup time"
    assert [p.name for p in private.rglob(".partial-*")] == []


def test_a_failed_database_restore_leaves_the_files_as_they_were(db, site_roots, tmp_path):
    private, _ = site_roots
    (private / "certificates").mkdir(parents=True)
    (private / "certificates" / "X.pdf").write_bytes(b"%PDF in the backup")
    archive = backup_create(out_dir=tmp_path / "backups").path
    (private / "certificates" / "X.pdf").write_bytes(b"%PDF written since")
    before = tree(private)
    missing = {**connections["default"].settings_dict}
    missing["NAME"] = f"{missing['NAME']}_missing"
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), "--yes", f"--database-url={database_url(missing)}")
    assert "The database was not restored and nothing was changed" in str(refused.value)
    assert "does not exist" in str(refused.value)
    assert tree(private) == before  # the file of the backup was not moved in, nor left aside


# --- A small SQLite site, for the refusals and the round trip -----------------------------------
def sqlite_site(root: Path, *, notes: list[str], files: dict[str, bytes]) -> Site:
    """A database in WAL mode, as the embedded default runs it, and its two folders."""
    root.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(root / "db.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    with db:
        db.execute("CREATE TABLE django_migrations (app TEXT, name TEXT)")
        db.executemany(
            "INSERT INTO django_migrations VALUES (?, ?)",
            [("certificates", "0001_initial"), ("certificates", "0004_module"), ("auth", "0012_x")],
        )
        db.execute("CREATE TABLE notes (body TEXT)")
        db.executemany("INSERT INTO notes VALUES (?)", [(n,) for n in notes])
    db.close()
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Site(
        database={"ENGINE": SQLITE, "NAME": str(root / "db.sqlite3")},
        private_root=root / "private",
        media_root=root / "media",
    )


def notes_of(site: Site) -> list[str]:
    db = sqlite3.connect(site.database["NAME"])
    try:
        return [row[0] for row in db.execute("SELECT body FROM notes ORDER BY rowid")]
    finally:
        db.close()


SOURCE_FILES = {
    "private/certificates/AB12.pdf": b"%PDF-1.7 the certificate\n" * 200,
    "private/applications/9f.pdf": b"%PDF-1.7 a diploma\n" * 50,
    "media/logos/tema.png": b"\x89PNG a logo",
}


@pytest.fixture
def sqlite_archive(tmp_path) -> Path:
    source = sqlite_site(tmp_path / "source", notes=["admitted", "mark 14.5"], files=SOURCE_FILES)
    return backup_create(out_dir=tmp_path / "backups", site=source).path


@pytest.fixture
def target(tmp_path) -> Site:
    """What a failed restore must leave alone: a database and files already there."""
    return sqlite_site(
        tmp_path / "target", notes=["written today"], files={"private/today.pdf": b"today"}
    )


def restore_into(site: Site, archive: Path, *options: str, **kwargs: object) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "restore",
            str(archive),
            *options,
            f"--database-url=sqlite:///{site.database['NAME']}",
            f"--private-root={site.private_root}",
            f"--media-root={site.media_root}",
            stdout=out,
            **kwargs,
        )
    return out.getvalue()


def flip_one_byte(archive: Path, member: str) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data + 100
    with archive.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def edit_a_digest_of_the_manifest(archive: Path) -> None:
    """One hex digit of a SHA-256 in the manifest changed: valid JSON, wrong digest."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(MANIFEST)
        body = tar.extractfile(info).read()  # type: ignore[union-attr]
    at = body.index(b'"sha256": "') + len(b'"sha256": "')
    flip_at(archive, info.offset_data + at, b"1" if body[at : at + 1] != b"1" else b"2")


def flip_at(archive: Path, offset: int, replacement: bytes) -> None:
    with archive.open("r+b") as handle:
        handle.seek(offset)
        handle.write(replacement)


def cut_before_the_manifest(archive: Path) -> None:
    """Truncated exactly between two members: every member left is intact."""
    with tarfile.open(archive) as tar:
        offset = tar.getmember(MANIFEST).offset
    with archive.open("r+b") as handle:
        handle.truncate(offset)


def truncate(archive: Path) -> None:
    with archive.open("r+b") as handle:
        handle.truncate(archive.stat().st_size // 2)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda a: flip_one_byte(a, "private/certificates/AB12.pdf"), "private/certificates/AB12"),
        (lambda a: flip_one_byte(a, "database/db.sqlite3"), "database/db.sqlite3 does not match"),
        (edit_a_digest_of_the_manifest, "database/db.sqlite3 does not match its SHA-256"),
        (truncate, "cannot be read \\(truncated or not a backup\\)"),
        (cut_before_the_manifest, "no manifest: it is truncated"),
    ],
    ids=["a-private-file", "the-database", "the-manifest", "truncated", "cut-between-members"],
)
def test_a_damaged_archive_is_refused_and_nothing_is_changed(
    sqlite_archive, target, damage, message
):
    before = {"db": sha256(Path(target.database["NAME"])), "files": tree(target.private_root)}
    damage(sqlite_archive)
    with pytest.raises(CommandError, match=message) as refused:
        restore_into(target, sqlite_archive, "--yes")
    assert "Nothing was changed" in str(refused.value)
    assert sha256(Path(target.database["NAME"])) == before["db"]
    assert tree(target.private_root) == before["files"]  # no temporary file left either
    assert not target.media_root.exists()


def test_a_restore_that_cannot_write_the_files_changes_nothing(sqlite_archive, target):
    before = sha256(Path(target.database["NAME"]))
    blocked = target.private_root / "certificates"
    blocked.write_bytes(b"a file where the backup has a folder")
    with translation.override("en"), pytest.raises(CommandError) as refused:
        restore_into(target, sqlite_archive, "--yes")
    assert "The files could not be written" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert sha256(Path(target.database["NAME"])) == before
    assert sorted(tree(target.private_root)) == ["certificates", "today.pdf"]


def test_a_backup_of_another_engine_is_refused(sqlite_archive, site_roots, make_user):
    someone = make_user()
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", str(sqlite_archive), "--yes")
    assert "backup of a sqlite database; the target is PostgreSQL" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert User.objects.filter(pk=someone.pk).exists()
    assert tree(site_roots[0]) == {}
    assert tree(site_roots[1]) == {}


def test_restore_without_yes_refuses_when_stdin_is_not_a_terminal(sqlite_archive, target):
    before = sha256(Path(target.database["NAME"]))
    # Even "yes" piped in is refused: a script must say --yes.
    with pytest.raises(CommandError, match="run it from a terminal to confirm, or pass --yes"):
        restore_into(target, sqlite_archive, stdin=io.StringIO("yes\n"))
    assert sha256(Path(target.database["NAME"])) == before
    assert notes_of(target) == ["written today"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_restore_asks_first_and_only_yes_goes_on(sqlite_archive, target):
    with pytest.raises(CommandError, match=r"Restore cancelled\. Nothing was changed\."):
        restore_into(target, sqlite_archive, stdin=Terminal("y\n"))
    assert notes_of(target) == ["written today"]
    out = restore_into(target, sqlite_archive, stdin=Terminal("yes\n"))
    assert "REPLACES the database SQLite" in out
    assert "This cannot be undone." in out
    assert 'Type "yes" to restore:' in out
    assert notes_of(target) == ["admitted", "mark 14.5"]


def test_a_sqlite_backup_is_consistent_while_written_to_and_restores_in_place(tmp_path):
    source = sqlite_site(tmp_path / "source", notes=["admitted"], files=SOURCE_FILES)
    # A file the storage is still writing under its temporary name is not backed up.
    (source.private_root / "certificates" / ".partial-k2j4").write_bytes(b"%PDF-1.7 half")
    writer = sqlite3.connect(source.database["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO notes VALUES ('not committed yet')")
    result = backup_create(out_dir=tmp_path / "backups", site=source)  # the writer holds a lock
    writer.execute("ROLLBACK")
    writer.close()
    manifest = manifest_verify(result.path)
    assert manifest.vendor == "sqlite"
    assert manifest.data["migrations"] == {"auth": "0012_x", "certificates": "0004_module"}
    assert {m.name for m in manifest.members} == {"database/db.sqlite3", *SOURCE_FILES}
    for name, content in SOURCE_FILES.items():
        [member] = [m for m in manifest.members if m.name == name]
        assert (member.sha256, member.size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert result.files == 3

    # The target already has a database and files: the backup's replace them, a file written
    # since is left in place, and no temporary name remains.
    target = sqlite_site(
        tmp_path / "target",
        notes=["lost since"],
        files={"private/certificates/AB12.pdf": b"other", "private/since.pdf": b"since"},
    )
    restored = backup_restore(result.path, site=target)
    assert notes_of(target) == ["admitted"]
    assert tree(target.private_root) == {
        "certificates/AB12.pdf": hashlib.sha256(SOURCE_FILES["private/certificates/AB12.pdf"])
        .hexdigest(),
        "applications/9f.pdf": hashlib.sha256(SOURCE_FILES["private/applications/9f.pdf"])
        .hexdigest(),
        "since.pdf": hashlib.sha256(b"since").hexdigest(),
    }  # fmt: skip
    assert (target.media_root / "logos" / "tema.png").read_bytes() == b"\x89PNG a logo"
    assert restored.files == {"private": 2, "media": 1}
    assert restored.left_in_place == {"private": 1, "media": 0}


def test_keep_deletes_all_but_the_newest_archives(tmp_path):
    source = sqlite_site(tmp_path / "source", notes=["a"], files={})
    backups = tmp_path / "backups"
    first = backup_create(out_dir=backups, site=source).path
    second = backup_create(out_dir=backups, site=source).path
    third = backup_create(out_dir=backups, site=source, keep=2)
    assert third.removed == [first]
    assert sorted(backups.glob("tema-backup-*.tar")) == sorted([second, third.path])
    assert [p.name for p in backups.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_an_archive_that_is_not_a_backup_is_refused(tmp_path):
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        body = json.dumps({"format": 1}).encode()
        info = tarfile.TarInfo("../etc/passwd")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    with translation.override("en"), pytest.raises(BackupError, match="unexpected member"):
        manifest_verify(plain)
    with translation.override("en"), pytest.raises(BackupError, match="no archive"):
        manifest_verify(tmp_path / "missing.tar")
