"""Backups you can restore: one tar archive holding the database, every file under
PRIVATE_ROOT and MEDIA_ROOT, and a manifest with the SHA-256 and size of each member.

A restore reads the whole archive and checks every digest before it touches anything, refuses
a backup of another database engine, and moves each file into place from a temporary name.
The digests prove the archive is the one written (no corruption, no truncation); they are
not a signature: whoever can rewrite the archive can rewrite its manifest too, so keep the
copies where only the operators can write.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

import psycopg
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _
from psycopg.conninfo import make_conninfo

from core.storage import TEMP_PREFIX

FORMAT = 1
MANIFEST = "manifest.json"
PREFIX = "tema-backup-"
SUFFIX = ".tar"
DATABASE_MEMBERS = {"postgresql": "database/postgresql.dump", "sqlite": "database/db.sqlite3"}
ROOTS = ("private", "media")
CHUNK = 1024 * 1024
# Seconds to wait for a writer of the live SQLite database to let go of its lock.
SQLITE_BUSY_TIMEOUT = 30

# Django's PostgreSQL settings as libpq parameters, and the environment variable of each:
# pg_dump and pg_restore get them from the environment, so no password shows in `ps`.
LIBPQ_ENV = {
    "dbname": "PGDATABASE",
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message is translated and says whether
    anything was changed."""


# --- What is backed up, and where it goes back -------------------------------------------------
@dataclass(frozen=True)
class Site:
    """One installation's data: a database (Django settings dict) and the two file roots."""

    database: Mapping[str, Any]
    private_root: Path
    media_root: Path

    @classmethod
    def configured(
        cls,
        *,
        database: Mapping[str, Any] | None = None,
        private_root: Path | str | None = None,
        media_root: Path | str | None = None,
    ) -> Site:
        """The site of the settings, with any part replaced (a restore drill's scratch target)."""
        return cls(
            database=database if database is not None else settings.DATABASES["default"],
            private_root=Path(private_root or settings.PRIVATE_ROOT),
            media_root=Path(media_root or settings.MEDIA_ROOT),
        )

    @property
    def vendor(self) -> str:
        return database_vendor(self.database)

    def root(self, kind: str) -> Path:
        return self.private_root if kind == "private" else self.media_root

    def describe_database(self) -> str:
        db = self.database
        if self.vendor == "sqlite":
            return f"SQLite {db['NAME']}"
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
        return f"PostgreSQL {db['NAME']} ({where})"


def database_vendor(database: Mapping[str, Any]) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith(("postgresql", "postgis")):
        return "postgresql"
    if engine.endswith(("sqlite3", "spatialite")):
        return "sqlite"
    raise BackupError(
        _("Backups support PostgreSQL and SQLite databases, not %(engine)s.") % {"engine": engine}
    )


# --- The manifest -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]
    members: tuple[Member, ...]

    @property
    def vendor(self) -> str:
        return str(self.data["database"]["vendor"])

    @property
    def created_at(self) -> str:
        return str(self.data.get("created_at", ""))

    @property
    def version(self) -> str:
        return str(self.data.get("app", {}).get("version", ""))

    def files(self, kind: str) -> list[Member]:
        return [m for m in self.members if m.name.startswith(f"{kind}/")]

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            members = tuple(
                Member(name=str(m["name"]), sha256=str(m["sha256"]), size=int(m["size"]))
                for m in data["members"]
            )
            if data["database"]["vendor"] not in DATABASE_MEMBERS:
                raise ValueError(f"database {data['database']['vendor']!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(
                _("The manifest of this archive is not one this version can read (%(error)s).")
                % {"error": exc}
            ) from exc
        return cls(data=data, members=members)


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    seconds: float
    removed: list[Path] = field(default_factory=list)

    @property
    def files(self) -> int:
        return sum(len(self.manifest.files(kind)) for kind in ROOTS)

    @property
    def bytes(self) -> int:
        return self.path.stat().st_size


@dataclass
class RestoreResult:
    manifest: Manifest
    site: Site
    files: dict[str, int]
    bytes: int
    left_in_place: dict[str, int]
    seconds: float


# --- Backup ---------------------------------------------------------------------------------------
def backup_dir() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", settings.BASE_DIR / "var" / "backups"))


def backup_create(
    *, out_dir: Path | None = None, site: Site | None = None, keep: int | None = None
) -> BackupResult:
    """Write one archive of the site into ``out_dir`` and return it.

    The database is dumped first and the files read afterwards: a certificate rendered in
    between leaves a file no row points to (harmless), never a row whose file is missing. The
    archive is written under a temporary name and renamed when complete, so a backup that
    stopped half-way never looks like one. With ``keep``, only the ``keep`` newest archives
    of the folder are kept afterwards."""
    started = time.monotonic()
    site = site or Site.configured()
    vendor = site.vendor
    out_dir = Path(out_dir or backup_dir())
    out_dir.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC).replace(microsecond=0)
    # Staged next to the archives (same file system, so the final rename is atomic), in a
    # folder only this user can read: the archive holds every private document.
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".backup-") as staging:
        dump = Path(staging) / Path(DATABASE_MEMBERS[vendor]).name
        if vendor == "postgresql":
            tool = _pg_dump(site.database, dump)
            migrations = _pg_migrations(site.database)
        else:
            tool = f"sqlite3 {sqlite3.sqlite_version}"
            _sqlite_copy(Path(site.database["NAME"]), dump)
            migrations = _sqlite_migrations(dump)
        partial = Path(staging) / "archive.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(fd, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            members = [_add(tar, dump, DATABASE_MEMBERS[vendor])]
            for kind in ROOTS:
                for path, relative in _files_under(site.root(kind), skip=out_dir):
                    try:
                        members.append(_add(tar, path, f"{kind}/{relative}"))
                    except FileNotFoundError:  # deleted since listed (documents purge)
                        continue
            manifest = _manifest(
                created=created, site=site, tool=tool, migrations=migrations, members=members
            )
            body = json.dumps(manifest.data, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(created.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
        with partial.open("rb+") as written:
            os.fsync(written.fileno())
        archive = _free_name(out_dir, created)
        partial.rename(archive)
    _fsync_dir(out_dir)
    removed = _prune(out_dir, keep) if keep else []
    return BackupResult(
        path=archive, manifest=manifest, seconds=time.monotonic() - started, removed=removed
    )


def _manifest(
    *,
    created: datetime,
    site: Site,
    tool: str,
    migrations: dict[str, str],
    members: list[Member],
) -> Manifest:
    try:
        version = metadata.version("tema-master")
    except metadata.PackageNotFoundError:
        version = "unknown"
    data = {
        "format": FORMAT,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "app": {"name": "tema-master", "version": version},
        "database": {
            "engine": site.database["ENGINE"],
            "vendor": site.vendor,
            "name": str(site.database["NAME"]),
            "member": members[0].name,
            "tool": tool,
        },
        "migrations": migrations,
        "roots": {kind: str(site.root(kind)) for kind in ROOTS},
        "totals": {
            "files": sum(1 for m in members if not m.name.startswith("database/")),
            "bytes": sum(m.size for m in members),
        },
        "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in members],
    }
    return Manifest(data=data, members=tuple(members))


def _files_under(root: Path, *, skip: Path | None = None) -> Iterator[tuple[Path, str]]:
    """Every regular file under ``root`` (sorted, so two backups list them alike), minus the
    folder ``skip`` (the backups themselves, should BACKUP_DIR be inside a root)."""
    if not root.is_dir():
        return
    skipped = skip.resolve() if skip else None
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skipped)
        for name in sorted(names):
            path = here / name
            # A file still being written (core/storage.py) is not a file yet.
            if not name.startswith(TEMP_PREFIX) and path.is_file():
                yield path, path.relative_to(root).as_posix()


class _HashingReader:
    """A file read by tarfile while its digest is computed: each byte is read once."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add(tar: tarfile.TarFile, path: Path, name: str) -> Member:
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(handle)
        try:
            tar.addfile(info, reader)
        except OSError as exc:  # shorter than its size: truncated while it was read
            raise BackupError(
                _("%(path)s changed while it was read; run the backup again.") % {"path": path}
            ) from exc
    return Member(name=name, sha256=reader.digest.hexdigest(), size=info.size)


def _free_name(out_dir: Path, created: datetime) -> Path:
    stamp = created.strftime("%Y%m%dT%H%M%SZ")
    path, n = out_dir / f"{PREFIX}{stamp}{SUFFIX}", 1
    while path.exists():  # two backups in the same second
        path, n = out_dir / f"{PREFIX}{stamp}-{n}{SUFFIX}", n + 1
    return path


def _prune(out_dir: Path, keep: int) -> list[Path]:
    archives = sorted(
        out_dir.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: (p.stat().st_mtime_ns, p.name)
    )
    removed = archives[: max(len(archives) - keep, 0)]
    for path in removed:
        path.unlink()
    return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- Databases ------------------------------------------------------------------------------------
def _libpq(database: Mapping[str, Any]) -> dict[str, str]:
    params = {
        "dbname": database.get("NAME"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
    }
    options = database.get("OPTIONS") or {}
    params.update({k: v for k, v in options.items() if k in LIBPQ_ENV})
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LIBPQ_ENV.values()}
    env.update({LIBPQ_ENV[k]: v for k, v in _libpq(database).items()})
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s was not found: install the PostgreSQL client tools (the server's major "
              "version or newer).") % {"tool": name}
        )  # fmt: skip
    return path


def _run(command: list[str], database: Mapping[str, Any]) -> str:
    done = subprocess.run(
        command, env=_pg_env(database), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-2000:]}
        )
    return done.stdout


def _pg_dump(database: Mapping[str, Any], dump: Path) -> str:
    tool = _pg_tool("pg_dump")
    _run([tool, "--format=custom", "--no-password", f"--file={dump}"], database)
    return _run([tool, "--version"], database).strip()


def _pg_migrations(database: Mapping[str, Any]) -> dict[str, str]:
    with psycopg.connect(make_conninfo(**_libpq(database))) as conn:
        table = conn.execute("SELECT to_regclass('django_migrations')").fetchone()
        if table is None or table[0] is None:
            return {}
        rows = conn.execute("SELECT app, name FROM django_migrations").fetchall()
    return _latest(rows)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy while the site writes: the online backup API copies the pages
    under a read lock, restarting if a writer commits in between."""
    if not source.is_file():
        raise BackupError(_("The SQLite database %(path)s does not exist.") % {"path": source})
    src = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_migrations(copy: Path) -> dict[str, str]:
    conn = sqlite3.connect(copy)
    try:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        rows = conn.execute("SELECT app, name FROM django_migrations").fetchall() if exists else []
    finally:
        conn.close()
    return _latest(rows)


def _latest(rows: list[tuple[str, str]]) -> dict[str, str]:
    """The latest applied migration per app (names start with a zero-padded number)."""
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def _close_django_connections_to(database: Mapping[str, Any]) -> None:
    """Our own connections to the database being replaced (SQLite's file is swapped under
    them; PostgreSQL's tables are dropped): closed, Django reconnects when next asked."""
    for conn in connections.all(initialized_only=True):
        same = conn.settings_dict.get("ENGINE") == database.get("ENGINE") and all(
            str(conn.settings_dict.get(k) or "") == str(database.get(k) or "")
            for k in ("NAME", "HOST", "PORT")
        )
        if same:
            conn.close()


# --- Verify ---------------------------------------------------------------------------------------
def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and path.as_posix() == name
        and len(path.parts) >= 2
        and (path.parts[0] in ROOTS or name in DATABASE_MEMBERS.values())
    )


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _unreadable(archive: Path, exc: BaseException) -> BackupError:
    return BackupError(
        _("The archive %(path)s cannot be read (truncated or not a backup): %(error)s. "
          "Nothing was changed.") % {"path": archive, "error": exc}
    )  # fmt: skip


def manifest_verify(archive: Path) -> Manifest:
    """Read the whole archive and check that each member is in the manifest with the same
    SHA-256 and size, and each manifest entry is in the archive. Returns the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("There is no archive at %(path)s.") % {"path": archive})
    found: dict[str, tuple[str, int]] = {}
    raw_manifest: bytes | None = None
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for info in tar:
                handle = tar.extractfile(info) if info.isreg() else None
                if handle is None:
                    raise BackupError(
                        _("The archive holds %(name)s, which is not a file. Nothing was changed.")
                        % {"name": info.name}
                    )
                if info.name == MANIFEST:
                    raw_manifest = handle.read()
                    continue
                if not _safe_name(info.name) or info.name in found:
                    raise BackupError(
                        _("The archive holds an unexpected member %(name)s. Nothing was changed.")
                        % {"name": info.name}
                    )
                found[info.name] = _digest(handle)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _unreadable(archive, exc) from exc
    if raw_manifest is None:
        raise BackupError(
            _("The archive has no manifest: it is truncated or not a backup. Nothing was changed.")
        )
    manifest = Manifest.parse(raw_manifest)
    listed = {m.name: m for m in manifest.members}
    for name, (sha256, size) in found.items():
        member = listed.get(name)
        if member is None:
            raise BackupError(
                _("%(name)s is in the archive but not in its manifest. Nothing was changed.")
                % {"name": name}
            )
        if member.sha256 != sha256 or member.size != size:
            raise BackupError(
                _("%(name)s does not match its SHA-256 in the manifest: the archive is corrupt. "
                  "Nothing was changed.") % {"name": name}
            )  # fmt: skip
    missing = sorted(set(listed) - set(found))
    if missing:
        raise BackupError(
            _("The archive lacks %(count)s member(s) of its manifest, such as %(name)s: it is "
              "truncated. Nothing was changed.") % {"count": len(missing), "name": missing[0]}
        )  # fmt: skip
    if manifest.data["database"].get("member") not in found:
        raise BackupError(_("The archive holds no database. Nothing was changed."))
    return manifest


# --- Restore --------------------------------------------------------------------------------------
def backup_restore(
    archive: Path,
    *,
    site: Site | None = None,
    confirm: Callable[[Manifest, Site], bool] | None = None,
) -> RestoreResult:
    """Replace the database and the files of ``site`` (the configured one by default) with
    those of ``archive``.

    Nothing is touched until every digest is checked, the engines match and ``confirm`` (when
    given) said yes. The files are written under temporary names next to their place, the
    database is restored (PostgreSQL in a single transaction), and only then are the files
    moved into place; files present now but absent from the backup are left where they are."""
    started = time.monotonic()
    archive = Path(archive)
    site = site or Site.configured()
    manifest = manifest_verify(archive)
    if manifest.vendor != site.vendor:
        raise BackupError(
            _("This is a backup of a %(backup)s database; the target is %(target)s. Restore it "
              "into a database of the same engine. Nothing was changed.")
            % {"backup": manifest.vendor, "target": site.describe_database()}
        )  # fmt: skip
    if confirm is not None and not confirm(manifest, site):
        raise BackupError(_("Restore cancelled. Nothing was changed."))
    listed = {m.name: m for m in manifest.members}
    pending: list[tuple[Path, Path]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="tema-restore-") as staging:
            dump = Path(staging) / "database"
            with tarfile.open(archive, mode="r:") as tar:
                for info in tar:
                    member = listed.get(info.name)
                    if member is None:
                        continue
                    if info.name.startswith("database/"):
                        target = dump
                    else:
                        kind, _sep, relative = info.name.partition("/")
                        final = site.root(kind).joinpath(*relative.split("/"))
                        final.parent.mkdir(parents=True, exist_ok=True)
                        # The storage's own prefix: should the restore die here, the sweep of
                        # core/storage.py removes what it left.
                        target = final.with_name(f"{TEMP_PREFIX}restore-{secrets.token_hex(8)}")
                        pending.append((target, final))
                    _extract(tar, info, member, target)
            if manifest.vendor == "postgresql":
                _pg_restore(dump, site.database)
            else:
                _sqlite_replace(dump, Path(site.database["NAME"]))
    except BaseException as exc:
        for temporary, _final in pending:
            temporary.unlink(missing_ok=True)
        if isinstance(exc, tarfile.TarError | EOFError):
            raise BackupError(
                _("The archive changed during the restore. Nothing was changed.")
            ) from exc
        if isinstance(exc, OSError):  # a full disk, a folder that cannot be written
            raise BackupError(
                _("The files could not be written (%(error)s). Nothing was changed.")
                % {"error": exc}
            ) from exc
        raise
    try:
        for temporary, final in pending:
            os.replace(temporary, final)
    except OSError as exc:
        raise BackupError(
            _("The database was restored but not every file could be moved into place "
              "(%(error)s): fix the cause and restore again.") % {"error": exc}
        ) from exc  # fmt: skip
    restored = {kind: {m.name for m in manifest.files(kind)} for kind in ROOTS}
    left = {
        kind: sum(
            1
            for _path, relative in _files_under(site.root(kind))
            if f"{kind}/{relative}" not in restored[kind]
        )
        for kind in ROOTS
    }
    return RestoreResult(
        manifest=manifest,
        site=site,
        files={kind: len(restored[kind]) for kind in ROOTS},
        bytes=sum(m.size for m in manifest.members),
        left_in_place=left,
        seconds=time.monotonic() - started,
    )


def _pg_restore(dump: Path, database: Mapping[str, Any]) -> None:
    """One transaction: a restore that fails half-way leaves the database as it was."""
    _close_django_connections_to(database)
    command = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        f"--dbname={database['NAME']}",
        str(dump),
    ]
    try:
        _run(command, database)
    except BackupError as exc:
        raise BackupError(
            _("The database was not restored and nothing was changed: %(error)s") % {"error": exc}
        ) from exc


def _extract(tar: tarfile.TarFile, info: tarfile.TarInfo, member: Member, target: Path) -> None:
    """Write a member to ``target``, checking its digest again: the archive was verified,
    but it is read a second time and could have been replaced in between."""
    source = tar.extractfile(info)
    if source is None:
        raise BackupError(_("The archive changed during the restore. Nothing was changed."))
    digest = hashlib.sha256()
    with source, target.open("xb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != member.sha256:
        raise BackupError(_("The archive changed during the restore. Nothing was changed."))
    os.utime(target, (info.mtime, info.mtime))


def _sqlite_replace(copy: Path, target: Path) -> None:
    """Replace the live database through the backup API: it takes the write lock, so a
    process writing at the same moment waits instead of seeing half a database."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _close_django_connections_to({"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)})
    src = sqlite3.connect(copy)
    dst = sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(
            _("The SQLite database %(path)s could not be replaced: %(error)s")
            % {"path": target, "error": exc}
        ) from exc
    finally:
        dst.close()
        src.close()
