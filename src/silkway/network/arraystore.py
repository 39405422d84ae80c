"""Arrays derived from a cached dataset, kept in its cache entry: the compiled network and the planner's state graph of a
big dataset are computed by the first command and loaded by the later ones (issue 13: "validate and compile a dataset
into a binary cache").

A network read from (or just stored in) the dataset cache (:mod:`silkway.network.cache`) carries its entry folder
(:func:`attach`). Code that derives arrays from such a network asks :func:`load` for them under a name and a
fingerprint of the code that computes them; on a miss it computes them and hands them to
:func:`save`. A network that did not come from the cache, a snapshot of a dated one (``Network.at``: a new object) and
one changed with ``dataclasses.replace`` carry no entry: they always compute. So do networks under :data:`MIN_LINKS`
links, for which computing is quicker than reading files.

A set is a folder ``arrays/<name>-<fingerprint>`` of the entry: one ``.npy`` file per array and ``meta.json`` (small
values, and each file's size and modification time), written into a temporary folder and renamed into place, so it is
complete or absent. Loading memory-maps each file copy-on-write: pages are read when first touched, the arrays are
writable, nothing is written back. The checks are the dataset cache's for its big tables: size and modification time
against ``meta.json``, then numpy's own check of the header against the file's length; a set that fails is deleted and
recomputed. The entry's key already covers the dataset's bytes, silkway's version and the network package's code; the
fingerprint adds the code that derives the arrays. Storing a set deletes the same name's sets of other fingerprints
(older code: they would never be read again).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)
ATTR = "_silkway_cache_entry"  # the entry folder, in the network object's __dict__ (not pickled: Network.__getstate__)
MIN_LINKS = 50_000  # smaller networks compute their arrays faster than they would read them
FORMAT = 1


def attach(net: Any, folder: Path) -> None:
    """Mark ``net`` as the network stored in the dataset cache entry ``folder``."""
    vars(net)[ATTR] = folder


def entry_of(net: Any) -> Path | None:
    return vars(net).get(ATTR)  # type: ignore[no-any-return]


def applies(net: Any) -> bool:
    """Whether arrays derived from ``net`` are stored and loaded: it carries a cache entry and is big enough."""
    return entry_of(net) is not None and len(net.links) >= MIN_LINKS


def _folder(net: Any, name: str, fingerprint: str) -> Path | None:
    if "-" in fingerprint:  # the folder name is <name>-<fingerprint>; older sets are found by splitting at the last "-"
        raise ValueError(f"a stored set's fingerprint has no '-': {fingerprint!r}")
    if not applies(net):
        return None
    return entry_of(net) / "arrays" / f"{name}-{fingerprint}"  # type: ignore[operator]  # applies: not None


def load(net: Any, name: str, fingerprint: str) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The arrays and small values stored for ``net`` under ``name`` by code of ``fingerprint``, or None (none stored,
    the network carries no cache entry or is small, or the stored set failed a check: then it is deleted)."""
    folder = _folder(net, name, fingerprint)
    if folder is None or not folder.is_dir():
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("name") != name:
            raise ValueError("a foreign set")
        arrays = {}
        for key, info in meta["files"].items():
            path = folder / f"{key}.npy"
            st = path.stat()
            if (st.st_size, st.st_mtime_ns) != (info["bytes"], info["mtime_ns"]):
                raise ValueError(f"{path.name} changed since it was written")
            mapped = np.load(path, mmap_mode="c", allow_pickle=False)  # header checked against the file's length
            if mapped.dtype.str != info["dtype"] or list(mapped.shape) != info["shape"]:
                raise ValueError(f"{path.name} is not the array that was written")
            arrays[key] = np.asarray(mapped)  # a plain ndarray over the map (numba takes no memmap subclass)
        return arrays, meta["values"]
    except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged: recomputed, never trusted
        logger.warning("stored arrays %s are unreadable (%s); recomputing them", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def save(net: Any, name: str, fingerprint: str, arrays: Mapping[str, np.ndarray], values: Mapping[str, Any]) -> None:
    """Store ``arrays`` (numeric, any shape) and JSON ``values`` for ``net``; skipped silently when the network carries
    no cache entry or is small, or the folder cannot be written (read-only, disk full)."""
    final = _folder(net, name, fingerprint)
    if final is None or final.is_dir():
        return
    try:
        final.parent.mkdir(exist_ok=True)  # not the entry itself: one deleted meanwhile is not brought back half-made
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    except OSError:
        return
    try:
        files = {}
        for key, array in arrays.items():
            path = tmp / f"{key}.npy"
            np.save(path, np.ascontiguousarray(array), allow_pickle=False)
            st = path.stat()
            files[key] = {"bytes": st.st_size, "mtime_ns": st.st_mtime_ns, "dtype": array.dtype.str, "shape": list(array.shape)}
        meta = {"format": FORMAT, "name": name, "files": files, "values": dict(values)}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.replace(tmp, final)
        except OSError:  # another process stored the same set first
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    except BaseException:  # Ctrl-C while writing: no half-written folder is left behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        for old in final.parent.iterdir():  # the same arrays by older code (an upgrade): never read again
            if old.name.rsplit("-", 1)[0] == name and old != final and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
    except OSError:  # the folder went meanwhile: nothing to tidy
        pass
