"""Backups: the database and media together, restored into an empty install by a separate
process; encryption refuses a wrong key, a changed byte and a cut-off file; restore
refuses an install that is not empty; old archives are pruned."""

import datetime
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from signpost import backups

from newsletters.models import Subscriber

ROOT = Path(__file__).resolve().parent.parent
KEY = bytes(range(32))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(backups, "CHUNK", 64)


def sealed(tmp_path, data: bytes, key=KEY) -> Path:
    plain = tmp_path / "plain"
    plain.write_bytes(data)
    target = tmp_path / "sealed"
    with target.open("wb") as out:
        backups.encrypt_file(plain, out, key)
    return target


def opened(path: Path, key=KEY) -> bytes:
    out = io.BytesIO()
    backups.decrypt_file(path, out, key)
    return out.getvalue()


def test_an_encrypted_archive_opens_with_its_key_only(tmp_path, small_chunks):
    data = os.urandom(1000)
    path = sealed(tmp_path, data)
    assert data not in path.read_bytes() and opened(path) == data
    with pytest.raises(backups.BackupError, match="cannot be decrypted"):
        opened(path, key=bytes(32))


def test_a_changed_byte_or_a_cut_off_archive_is_refused(tmp_path, small_chunks):
    path = sealed(tmp_path, os.urandom(1000))
    whole = path.read_bytes()
    changed = bytearray(whole)
    changed[len(whole) // 2] ^= 1
    path.write_bytes(bytes(changed))
    with pytest.raises(backups.BackupError):
        opened(path)
    # Cut after a whole chunk: every remaining chunk is genuine, but the last is missing.
    chunk = 4 + 64 + 16
    header = len(backups.MAGIC) + 7
    path.write_bytes(whole[: header + 3 * chunk])
    with pytest.raises(backups.BackupError):
        opened(path)


def test_the_key_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("SIGNPOST_BACKUP_KEY", raising=False)
    assert backups.backup_key() is None
    new = backups.backup_key_new()
    monkeypatch.setenv("SIGNPOST_BACKUP_KEY", new)
    assert len(backups.backup_key()) == 32
    monkeypatch.setenv("SIGNPOST_BACKUP_KEY", "c2hvcnQ=")
    with pytest.raises(Exception, match="32 bytes"):
        backups.backup_key()


@pytest.mark.django_db
def test_restore_refuses_an_install_that_is_not_empty(tmp_path, settings):
    archive = tmp_path / "signpost-x.tar"
    archive.write_bytes(b"")
    with pytest.raises(backups.BackupError, match="database is not empty"):
        backups.backup_restore(archive)


def test_old_archives_are_pruned(tmp_path):
    now = datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC)
    for days in (1, 34, 36, 400):
        made = now - datetime.timedelta(days=days)
        (tmp_path / f"signpost-{made:%Y%m%dT%H%M%SZ}.tar.enc").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    removed = backups.backups_prune(tmp_path, keep_days=35, now=now)
    assert len(removed) == 2
    assert len(list(tmp_path.glob("signpost-*"))) == 2 and (tmp_path / "notes.txt").exists()


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_install_in_another_process(
    tmp_path, settings, monkeypatch
):
    media = tmp_path / "media"
    (media / "print_runs").mkdir(parents=True)
    (media / "print_runs" / "run-1.pdf").write_bytes(b"%PDF-1.7 leaflets")
    settings.MEDIA_ROOT = media
    private = tmp_path / "private"
    (private / "household").mkdir(parents=True)
    (private / "household" / "codes-1.pdf").write_bytes(b"%PDF-1.7 household codes")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "signpost.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
    }
    Subscriber.objects.create(email="resident@example.org", postcode="HB1 5QT")
    monkeypatch.setenv("SIGNPOST_BACKUP_KEY", backups.backup_key_new())
    archive = backups.backup_create(tmp_path / "backups", key=backups.backup_key())
    assert archive.name.endswith(".tar.enc") and b"resident@" not in archive.read_bytes()
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [archive.name]

    fresh = f"{settings.DATABASES['default']['NAME']}_restore"
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
    admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
            "DATABASE_URL": database_url(fresh),
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
            "SIGNPOST_VAR_DIR": str(tmp_path / "var"),
            "SIGNPOST_PRIVATE_ROOT": str(tmp_path / "restored-private"),
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", str(archive)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "1 media files and 1 private files" in done.stdout
        restored = tmp_path / "restored-media" / "print_runs" / "run-1.pdf"
        assert restored.read_bytes() == b"%PDF-1.7 leaflets"
        codes = tmp_path / "restored-private" / "household" / "codes-1.pdf"
        assert codes.read_bytes() == b"%PDF-1.7 household codes"
        with psycopg.connect(database_url(fresh)) as db:
            rows = db.execute("SELECT email FROM newsletters_subscriber").fetchall()
        assert rows == [("resident@example.org",)]
        # Restoring again over what is there now is refused.
        again = subprocess.run(
            [sys.executable, "manage.py", "restore", str(archive)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


# --- Damaged archives: refused, with the reason, before anything is loaded ---------------


def archive_make(
    tmp_path, *, media=None, private=None, leave_out=(), damage=None, name="signpost-x.tar"
) -> Path:
    """A backup archive as ``backup_create`` writes one (the database part a stand-in:
    loading it is watched, not done), with a part left out or damaged if asked."""
    parts = tmp_path / "parts"
    parts.mkdir(exist_ok=True)

    def pack(target: Path, files: dict[str, bytes]) -> None:
        with tarfile.open(target, "w:gz") as packed:
            for file_name, body in files.items():
                info = tarfile.TarInfo(file_name)
                info.size = len(body)
                packed.addfile(info, io.BytesIO(body))

    (parts / "database.pgdump").write_bytes(b"PGDMP stand-in")
    pack(parts / backups.MEDIA_MEMBER, media or {})
    pack(parts / backups.PRIVATE_MEMBER, private or {})
    if damage:
        damage(parts)
    names = ["database.pgdump", backups.MEDIA_MEMBER, backups.PRIVATE_MEMBER]
    manifest = {
        "format": backups.FORMAT,
        "signpost": "test",
        "created_at": "2026-12-01T02:00:00+00:00",
        "database": {"vendor": "postgresql", "member": "database.pgdump"},
        "media": {"member": backups.MEDIA_MEMBER, "files": len(media or {})},
        "private": {"member": backups.PRIVATE_MEMBER, "files": len(private or {})},
        "migrations": {},
        "sha256": {n: backups._sha256(parts / n) for n in names},
    }
    archive = tmp_path / name
    with tarfile.open(archive, "w") as out:
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        out.addfile(info, io.BytesIO(body))
        for n in names:
            if n not in leave_out:
                out.add(parts / n, arcname=n)
    return archive


@pytest.fixture
def empty_install(tmp_path, settings, monkeypatch):
    """An install with nothing in it yet; loading the database is recorded, not done."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    install = {"private": tmp_path / "private", "loaded": []}
    monkeypatch.setattr(backups, "database_is_empty", lambda: True)
    monkeypatch.setattr(backups, "private_root", lambda: install["private"])
    monkeypatch.setattr(
        backups, "database_load", lambda path, vendor: install["loaded"].append(vendor)
    )
    return install


def restore_refused(archive: Path, install) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive))
    assert install["loaded"] == []
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.iterdir())
    return str(refused.value)


MEDIA = {"original_images/raid.jpg": os.urandom(40_000)}


def test_a_cut_archive_is_refused_before_anything_is_loaded(tmp_path, empty_install):
    archive = archive_make(tmp_path, media=MEDIA)
    whole = archive.read_bytes()
    archive.write_bytes(whole[: len(whole) // 2])
    assert "cut short" in restore_refused(archive, empty_install)


def test_what_is_not_a_backup_at_all_is_refused_in_words(tmp_path, empty_install):
    archive = tmp_path / "signpost-x.tar"
    archive.write_bytes(os.urandom(5000))
    assert "not a Signpost backup" in restore_refused(archive, empty_install)


def test_an_archive_missing_a_part_is_refused(tmp_path, empty_install):
    archive = archive_make(tmp_path, media=MEDIA, leave_out=[backups.PRIVATE_MEMBER])
    message = restore_refused(archive, empty_install)
    assert "has no private.tar.gz" in message


def test_a_damaged_packed_folder_is_refused_before_the_database_is_loaded(tmp_path, empty_install):
    def cut_media(parts):
        media = parts / backups.MEDIA_MEMBER
        media.write_bytes(media.read_bytes()[:2000])  # the checksum is taken after

    archive = archive_make(tmp_path, media=MEDIA, damage=cut_media)
    assert "media in the backup cannot be read" in restore_refused(archive, empty_install)


def test_private_files_with_nowhere_to_go_are_refused_before_anything_is_loaded(
    tmp_path, empty_install
):
    empty_install["private"] = None
    archive = archive_make(tmp_path, media=MEDIA, private={"leaflets/run-1.pdf": b"%PDF-1.7"})
    assert "holds private files" in restore_refused(archive, empty_install)


def test_an_empty_private_part_restores_without_a_private_folder(tmp_path, empty_install):
    empty_install["private"] = None
    archive = archive_make(tmp_path, media=MEDIA, private={})
    manifest = backups.backup_restore(archive)
    assert empty_install["loaded"] == ["postgresql"]
    restored = Path(settings.MEDIA_ROOT) / "original_images" / "raid.jpg"
    assert restored.read_bytes() == MEDIA["original_images/raid.jpg"]
    assert manifest["private"]["files"] == 0


def test_private_files_restore_into_the_private_folder(tmp_path, empty_install):
    archive = archive_make(tmp_path, media=MEDIA, private={"leaflets/run-1.pdf": b"%PDF-1.7"})
    backups.backup_restore(archive)
    assert (empty_install["private"] / "leaflets" / "run-1.pdf").read_bytes() == b"%PDF-1.7"
