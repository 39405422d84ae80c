"""Atomic file writes: write a sibling temporary file, fsync, then ``os.replace``.

A reader (or a crash) never sees a half-written file: it sees the old one or the new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from silkway.errors import SilkwayError
from silkway.interrupts import sigint_deferred


class OutputPathError(SilkwayError):
    """An output path that cannot be what it must be: a file where a folder is needed, or the reverse."""


def check_folder(path: str | os.PathLike[str], what: str = "output folder") -> Path:
    """``path`` can be (or become) a folder: it is not a file and no part of it is a file. Nothing is created."""
    folder = Path(path)
    for p in (folder, *folder.parents):
        try:
            if p.exists() and not p.is_dir():
                where = "is a file" if p == folder else f"is under {p}, which is a file"
                raise OutputPathError(f"{folder}: {where}; the {what} must be a folder")
        except OSError as exc:  # a name too long, a folder we may not enter
            raise OutputPathError(f"{folder}: cannot be used as the {what}: {exc.strerror or exc}") from None
        if p.exists():
            break
    return folder


def check_file(path: str | os.PathLike[str], what: str = "output file") -> Path:
    """``path`` can be (or become) a file: it is not a folder and its folder can exist. Nothing is created."""
    target = Path(path)
    if target.is_dir():
        raise OutputPathError(f"{target}: is a folder; the {what} must be a file (give a file name, e.g. inside it)")
    check_folder(target.parent, f"folder of the {what}")
    return target


def ensure_folder(path: str | os.PathLike[str], what: str = "output folder") -> Path:
    """:func:`check_folder`, then create it (and its parents)."""
    folder = check_folder(path, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"{folder}: cannot create the {what}: {exc.strerror or exc}") from None
    return folder


def _default_mode() -> int:
    """0o666 less the process umask: what ``open(path, "w")`` would give (mkstemp alone gives 0o600).

    The umask is read from /proc where possible: setting it to read it back is process-wide and
    would race with other threads creating files."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; Ctrl-C during the write takes effect once the file is in place
    (:func:`silkway.interrupts.sigint_deferred`), so no temporary file is left behind."""
    with sigint_deferred():
        return _write(path, data)


def _write(path: str | os.PathLike[str], data: bytes) -> Path:
    target = check_file(path)
    ensure_folder(target.parent, "folder of the output file")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))
