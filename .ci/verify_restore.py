"""The restore drill's comparison: every table of the restored database holds as many rows
as the original's, and every media and private file came back with the same bytes.

    python .ci/verify_restore.py --source-db URL --restored-db URL \\
        --source-media DIR --restored-media DIR --source-private DIR --restored-private DIR
"""

import argparse
import hashlib
import sys
from pathlib import Path

import psycopg
from psycopg import sql


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def files(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--source-db", "--restored-db"):
        parser.add_argument(name, required=True)
    for name in ("--source-media", "--restored-media", "--source-private", "--restored-private"):
        parser.add_argument(name, type=Path, required=True)
    args = parser.parse_args()
    source, restored = row_counts(args.source_db), row_counts(args.restored_db)
    problems = [
        f"{table}: {count} rows, restored {restored.get(table)}"
        for table, count in source.items()
        if restored.get(table) != count
    ]
    counted = {}
    for kind, before, after in (
        ("media", args.source_media, args.restored_media),
        ("private", args.source_private, args.restored_private),
    ):
        source_files, restored_files = files(before), files(after)
        counted[kind] = len(source_files)
        problems += [
            f"{kind} {name}: missing or different after the restore"
            for name, digest in source_files.items()
            if restored_files.get(name) != digest
        ]
    if problems or not counted["media"] + counted["private"]:
        print(
            "RESTORE DRILL FAILED:",
            *problems or ["no media or private files to compare"],
            sep="\n  ",
        )
        sys.exit(1)
    print(
        f"restored: {len(source)} tables, {sum(source.values())} rows, "
        f"{counted['media']} media files and {counted['private']} private files, all identical"
    )


if __name__ == "__main__":
    main()
