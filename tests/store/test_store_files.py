"""Issue 12, item 11: database files private, and a start-up on a read-only data folder is
one line naming the path (it was a 550-line traceback and a 0-byte database).  The same on a
real full or read-only tmpfs, as root too: test_store_full_disk.py."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest


def test_database_and_wal_files_are_0600_in_a_0700_folder(tmp_path):
    from plexnav.store.db import Database

    path = tmp_path / "data" / "plexnav.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    for name in os.listdir(path.parent):
        assert stat.S_IMODE(os.stat(path.parent / name).st_mode) == 0o600, name


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_serve_on_a_read_only_folder_says_so_in_one_line(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEXNAV_")}
    env["PLEXNAV_DATA_DIR"] = str(folder)
    done = subprocess.run(
        [sys.executable, "-m", "plexnav.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"plexnav: cannot start: {folder}")
    assert "Traceback" not in done.stderr
    assert not (folder / "plexnav.sqlite3").exists()


def test_the_default_data_folder_is_created_private(tmp_path):
    """The folder plexnav makes for its database and secret is the owner's alone (0700)."""
    from plexnav.settings import Settings

    settings = Settings(data_dir=tmp_path / "fresh")
    settings.resolved_database_url()
    assert stat.S_IMODE(os.stat(tmp_path / "fresh").st_mode) == 0o700
    settings.resolved_secret_key()
    assert stat.S_IMODE(os.stat(tmp_path / "fresh").st_mode) == 0o700
