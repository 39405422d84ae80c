"""One policy for every file silkway reads on a user's behalf.

- Regular files only: a device (``/dev/zero``), a FIFO or a socket is refused before a byte is read, so a
  read can neither grow without bound nor block forever (the file is opened non-blocking and checked with
  ``fstat`` on the open descriptor, so the check and the read see the same file).
- Symlinks are resolved. A file found *inside* a folder (a dataset table, a dataset's ``demand.csv``, a
  scenario's ``extends:`` or ``demand.file``) must resolve inside that folder: ``within`` names it. A file
  the user names directly (``--demand f.csv``, ``silkway scenario validate f.yaml``) may be a link anywhere.
- A size cap per kind of file (:data:`MAX_BYTES`); a larger file is refused with its size and the cap.

Errors are :class:`UnsafeFile` (a :class:`~silkway.errors.SilkwayError`) whose ``reason`` reads after the
file's name ("is a FIFO, not a regular file"); callers wrap it into their own located error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from silkway.errors import SilkwayError

MB = 1 << 20
#: The largest file of each kind silkway reads (bytes). The embedded dataset is 0.14 MB in all.
MAX_BYTES: dict[str, int] = {
    "table": 256 * MB,  # one CSV table of a dataset
    "manifest": 1 * MB,
    "demand": 64 * MB,
    "scenario": 1 * MB,
    "observed": 4 * MB,  # observed KPI counts of `calibrate --observed`
    "observations": 64 * MB,
    "geojson": 256 * MB,  # a GeoJSON export `silkway import` reads (an OpenStreetMap extract)
    "result": 64 * MB,  # an invest result (invest.json) `silkway report --invest` reads  # the nowcast's observation file (about 0.8 million rows; the shipped example is 0.5 MB)
}

_KIND_OF_MODE = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                 (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


class UnsafeFile(SilkwayError):
    """A file silkway refuses to read (or cannot): ``reason`` says why, without the file's name."""

    def __init__(self, path: str | os.PathLike[str], reason: str, missing: bool = False):
        self.path, self.reason, self.missing = str(path), reason, missing
        super().__init__(f"{path}: {reason}")


def read_bytes(path: str | os.PathLike[str], kind: str, within: str | os.PathLike[str] | None = None) -> bytes:
    """The content of ``path`` under the policy above; :class:`UnsafeFile` otherwise (including a missing file,
    with ``missing=True``)."""
    cap = MAX_BYTES[kind]
    real = checked_path(path, within)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UnsafeFile(path, "file not found", missing=True) from None
    except OSError as exc:
        raise UnsafeFile(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = next((name for test, name in _KIND_OF_MODE if test(st.st_mode)), "not a regular file")
            raise UnsafeFile(path, f"is {what}, not a regular file")
        if st.st_size > cap:
            raise UnsafeFile(path, too_large(st.st_size, cap))
        chunks, total = [], 0
        while chunk := os.read(fd, min(cap + 1 - total, 1 << 20) or 1):
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:  # the file grew while we read it
                raise UnsafeFile(path, too_large(total, cap))
        return b"".join(chunks)
    except OSError as exc:
        raise UnsafeFile(path, f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], kind: str, within: str | os.PathLike[str] | None = None) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a BOM is dropped); undecodable bytes are an :class:`UnsafeFile`."""
    data = read_bytes(path, kind, within)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsafeFile(path, f"is not UTF-8 text (byte {exc.start})") from None


def checked_path(path: str | os.PathLike[str], within: str | os.PathLike[str] | None = None) -> Path:
    """``path`` with symlinks resolved; with ``within``, refused unless it resolves inside that folder."""
    try:
        real = Path(os.path.realpath(path))
        if within is not None:
            root = Path(os.path.realpath(within))
            if real != root and root not in real.parents:
                raise UnsafeFile(path, f"is a link that leads out of its folder {within} (to {real}); "
                                       "copy the file into the folder or name it directly")
    except (OSError, ValueError) as exc:  # a loop of links, a NUL byte, a name too long
        raise UnsafeFile(path, f"cannot be opened: {getattr(exc, 'strerror', None) or exc}") from None
    return real


def too_large(size: int, cap: int) -> str:
    return f"is {size / MB:,.1f} MB, more than the {cap / MB:,.0f} MB silkway reads for this kind of file"
