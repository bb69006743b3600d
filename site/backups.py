"""Backups that restore: the database, the media and the private files (household
leaflet PDFs, progress reports: ``STORAGES["private"]``) in one archive, checked on the
way back in, optionally encrypted. docs/operations.md, "Backups", says how often and how
long to keep them.

An archive is a tar file holding ``manifest.json`` (Signpost's version, when, the
database's vendor, the migrations it had, each member's SHA-256), the database
(``pg_dump``'s compressed custom format on PostgreSQL; a copy made with SQLite's backup API
in development), ``media.tar.gz`` and ``private.tar.gz``. The database is dumped first, from
one snapshot, then the files: every file a row names was written before the snapshot, so it is in the archive
(files added meanwhile are harmless extras). The archive is written under a temporary name
and renamed when complete, so a failed backup leaves nothing that looks like a backup.

With ``SIGNPOST_BACKUP_KEY`` set (32 random bytes, URL-safe base64: ``manage.py backup
--new-key`` makes one) the archive is encrypted with AES-256-GCM in 1 MiB chunks, each
sealed with its position and whether it is the last (the STREAM construction), so a
changed, reordered or cut-off archive is refused.

:func:`backup_create` and :func:`backup_restore` are what the management commands call.
"""

import base64
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from . import __version__

FORMAT = 1
MAGIC = b"SIGNPOST-BACKUP-AES256GCM-1\n"
CHUNK = 1024 * 1024
DATABASE_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_MEMBER = "media.tar.gz"
PRIVATE_MEMBER = "private.tar.gz"
MANIFEST_FIELDS = (
    "created_at",
    "signpost",
    "database.vendor",
    "database.member",
    "media.member",
    "sha256",
)


class BackupError(Exception):
    """A backup that cannot be made or restored, with the reason in words."""


# --- keys and encryption -------------------------------------------------------------------


def backup_key_new() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def backup_key() -> bytes | None:
    """SIGNPOST_BACKUP_KEY, decoded; None when backups are not to be encrypted."""
    value = os.environ.get("SIGNPOST_BACKUP_KEY", "").strip()
    if not value:
        return None
    try:
        key = base64.urlsafe_b64decode(value)
    except ValueError as error:
        raise ImproperlyConfigured("SIGNPOST_BACKUP_KEY is not URL-safe base64.") from error
    if len(key) != 32:
        raise ImproperlyConfigured("SIGNPOST_BACKUP_KEY must hold 32 bytes (base64).")
    return key


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


def encrypt_file(source: Path, target, key: bytes) -> None:
    aead, prefix = AESGCM(key), secrets.token_bytes(7)
    target.write(MAGIC + prefix)
    with source.open("rb") as plain:
        chunk, counter = plain.read(CHUNK), 0
        while True:
            following = plain.read(CHUNK)
            last = not following
            sealed = aead.encrypt(_nonce(prefix, counter, last), chunk, MAGIC)
            target.write(struct.pack(">I", len(sealed)) + sealed)
            if last:
                return
            chunk, counter = following, counter + 1


def decrypt_file(source: Path, target, key: bytes) -> None:
    aead = AESGCM(key)
    with source.open("rb") as sealed_file:
        if sealed_file.read(len(MAGIC)) != MAGIC:
            raise BackupError("This is not an encrypted Signpost backup.")
        prefix, counter = sealed_file.read(7), 0
        while True:
            header = sealed_file.read(4)
            if len(header) < 4:
                raise BackupError("The backup is cut short: its last part is missing.")
            sealed = sealed_file.read(struct.unpack(">I", header)[0])
            last = sealed_file.peek(1) == b""
            try:
                target.write(aead.decrypt(_nonce(prefix, counter, last), sealed, MAGIC))
            except Exception as error:
                raise BackupError(
                    "The backup cannot be decrypted: a wrong SIGNPOST_BACKUP_KEY, or the "
                    "file was changed or cut short."
                ) from error
            if last:
                return
            counter += 1


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


# --- the database ----------------------------------------------------------------------------


def _postgres_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or "", "PGCONNECT_TIMEOUT": "10"}
    args = ["--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def database_dump(target: Path) -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        args, env = _postgres_env()
        _run(["pg_dump", "--format=custom", "--compress=6", "--file", str(target), *args], env)
    elif vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
    else:
        raise BackupError(f"Backups know PostgreSQL and SQLite, not {vendor}.")
    return vendor


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def database_load(source: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup holds a {vendor} database; this install uses {connection.vendor}."
        )
    if vendor == "postgresql":
        args, env = _postgres_env()
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(source)],
            env,
        )
    else:
        connection.close()
        shutil.copyfile(source, settings.DATABASES["default"]["NAME"])


# --- the archive -----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _folder_pack(folder: Path | None, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        if folder is not None and folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
                    count += 1
    return count


def private_root() -> Path | None:
    """The private files' folder, when they are kept in one (an operator's object storage
    is backed up by its own means: docs/operations.md)."""
    location = getattr(storages["private"], "location", None)
    return Path(location) if location else None


def _applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def backup_create(directory: Path, *, key: bytes | None = None, now=None) -> Path:
    """Write one archive of the database and media into ``directory`` and return its
    path: ``signpost-<when>.tar``, or ``.tar.enc`` when encrypted."""
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    name = f"signpost-{now:%Y%m%dT%H%M%SZ}.tar" + (".enc" if key else "")
    final = directory / name
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        work = Path(work)
        vendor = connection.vendor
        database = work / DATABASE_MEMBER.get(vendor, "database")
        database_dump(database)
        media_files = _folder_pack(Path(settings.MEDIA_ROOT), work / MEDIA_MEMBER)
        private_files = _folder_pack(private_root(), work / PRIVATE_MEMBER)
        manifest = {
            "format": FORMAT,
            "signpost": __version__,
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "member": database.name},
            "media": {"member": MEDIA_MEMBER, "files": media_files},
            "private": {"member": PRIVATE_MEMBER, "files": private_files},
            "migrations": _applied_migrations(),
            "sha256": {
                p.name: _sha256(p) for p in (database, work / MEDIA_MEMBER, work / PRIVATE_MEMBER)
            },
        }
        tar_path = work / "archive.tar"
        with tarfile.open(tar_path, "w") as archive:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(now.timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.add(database, arcname=database.name)
            archive.add(work / MEDIA_MEMBER, arcname=MEDIA_MEMBER)
            archive.add(work / PRIVATE_MEMBER, arcname=PRIVATE_MEMBER)
        partial = directory / f".{name}.partial"
        if key:
            with partial.open("wb") as target:
                encrypt_file(tar_path, target, key)
        else:
            shutil.move(tar_path, partial)
        os.chmod(partial, 0o600)
        partial.replace(final)
    return final


def _tar_read_through(path: Path, part: str) -> int:
    """Read every file of a packed folder to its end, so a damaged part is found before
    anything is loaded; return how many files it holds."""
    count = 0
    try:
        with tarfile.open(path) as packed:
            for member in packed:
                if member.isfile():
                    with packed.extractfile(member) as file:
                        while file.read(CHUNK):
                            pass
                    count += 1
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(f"The {part} in the backup cannot be read: it is damaged.") from error
    return count


def _manifest_read(members: Path) -> dict:
    try:
        manifest = json.loads((members / "manifest.json").read_text())
    except FileNotFoundError as error:
        raise BackupError(
            "The backup has no manifest.json: it is not a Signpost backup, or it is cut short."
        ) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError("The backup's manifest.json cannot be read: it is damaged.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise BackupError(f"Unknown backup format {found!r}.")
    for path in MANIFEST_FIELDS:
        value = manifest
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value in (None, ""):
            raise BackupError(f"The backup's manifest.json has no {path}: it is damaged.")
    if not isinstance(manifest["sha256"], dict):
        raise BackupError("The backup's manifest.json has no sha256 table: it is damaged.")
    return manifest


def backup_check(archive_path: Path, work: Path, *, key: bytes | None = None) -> dict:
    """Open the archive into ``work`` and check all of it before anything is loaded: it
    reads to its end, every part the manifest names is there and matches its SHA-256,
    the packed folders read through, and private files have somewhere to go. Returns the
    manifest, with ``members`` (where the parts are) and each folder's file count."""
    plain = work / "archive.tar"
    if is_encrypted(archive_path):
        if key is None:
            raise BackupError("The backup is encrypted: set SIGNPOST_BACKUP_KEY.")
        with plain.open("wb") as target:
            decrypt_file(archive_path, target, key)
    else:
        plain = archive_path
    members = work / "members"
    try:
        with tarfile.open(plain) as archive:
            archive.extractall(members, filter="data")
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise BackupError(
            "The backup cannot be read to its end: it is cut short, damaged, or not a "
            "Signpost backup."
        ) from error
    manifest = _manifest_read(members)
    parts = {manifest["database"]["member"], manifest["media"]["member"]}
    if "private" in manifest:
        parts.add(manifest["private"]["member"])
    for member in sorted(parts | set(manifest["sha256"])):
        if not isinstance(member, str) or Path(member).name != member or member in {".", ".."}:
            raise BackupError(f"The manifest names a part {member!r} no backup has.")
        if not (members / member).is_file():
            raise BackupError(f"The backup has no {member}: it is incomplete or cut short.")
        if member not in manifest["sha256"]:
            raise BackupError(f"The manifest gives no checksum for {member}: it is damaged.")
        if _sha256(members / member) != manifest["sha256"][member]:
            raise BackupError(f"{member} does not match the manifest: the backup is damaged.")
    counts = {"media": _tar_read_through(members / manifest["media"]["member"], "media")}
    if "private" in manifest:
        counts["private"] = _tar_read_through(
            members / manifest["private"]["member"], "private files"
        )
        if counts["private"] and private_root() is None:
            raise BackupError(
                "The backup holds private files but this install keeps none in a folder: "
                "copy them into its private storage by hand (docs/operations.md)."
            )
    return {**manifest, "members": members, "counts": counts}


def backup_restore(archive_path: Path, *, key: bytes | None = None) -> dict:
    """Restore an archive into this install, which must be empty (no tables, no media, no
    private files): check all of the archive first (:func:`backup_check`), then load the
    database and unpack the files. Returns the manifest."""
    media, private = Path(settings.MEDIA_ROOT), private_root()
    if not database_is_empty():
        raise BackupError("The database is not empty: restore only into a new, empty one.")
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"The media folder {media} is not empty: restore into an empty one.")
    if private is not None and private.is_dir() and any(private.iterdir()):
        raise BackupError(
            f"The private files' folder {private} is not empty: restore into an empty one."
        )
    with tempfile.TemporaryDirectory(prefix="signpost-restore-") as work:
        checked = backup_check(archive_path, Path(work), key=key)
        members, counts = checked.pop("members"), checked.pop("counts")
        database_load(members / checked["database"]["member"], checked["database"]["vendor"])
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(members / checked["media"]["member"]) as media_archive:
            media_archive.extractall(media, filter="data")
        # An empty private part restores anywhere, with or without a private folder.
        if counts.get("private"):
            private.mkdir(parents=True, exist_ok=True)
            with tarfile.open(members / checked["private"]["member"]) as private_archive:
                private_archive.extractall(private, filter="data")
    return checked


def backups_prune(directory: Path, *, keep_days: int, now=None) -> list[Path]:
    """Delete archives in ``directory`` older than ``keep_days``; return what went."""
    now = now or datetime.datetime.now(datetime.UTC)
    removed = []
    for path in directory.glob("signpost-*.tar*"):
        stamp = path.name.removeprefix("signpost-").split(".", 1)[0]
        try:
            made = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
        if now - made > datetime.timedelta(days=keep_days):
            path.unlink()
            removed.append(path)
    return removed
