"""Atomic file writes: a temp file in the same folder, flushed and fsync'd, then renamed over the target,
so a crash or a kill mid-save leaves the old file intact. The target's permissions are kept. A kill between
the temp file's creation and the rename leaves the temp file behind: the next save (or open) in that folder
removes this app's temp files that no running save can still own (``remove_stale_temps``).

Reading is bounded too (``read_regular_file``): only a regular file is read, and its size is checked before
and while reading, so a named pipe cannot hang the app nor a device (/dev/zero) fill its memory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import stat
import sys
import tempfile
import time

TEMP_PREFIX = ".gdplay-"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 10 * 60  # no save takes this long: an older temp file is a killed save's, whoever made it
# a temp file's name says which process on which machine writes it (.gdplay-<host>-<pid>-<random>.tmp), so a
# killed save's file is known at once as long as that process is gone (a folder shared between machines
# holds other hosts' files: only the age rule touches those)
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_OWNED = re.compile(r"^\.gdplay-([0-9a-f]{8})-(\d+)-.*\.tmp$")


class NotARegularFile(OSError):
    """The path is a folder, a named pipe, a device or a socket; ``kind`` says which, in words."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"it is {kind}, not a file")
        self.filename, self.kind = path, kind
        self.strerror = f"it is {kind}, not a file"


class FileTooLarge(OSError):
    """The file is larger than the reader's limit (``size`` bytes, or more when the size grew while read)."""

    def __init__(self, path: str, size: int) -> None:
        super().__init__(f"{path} is {size} bytes")
        self.filename, self.size = path, size


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``; NotARegularFile, FileTooLarge
    or the OSError of the open otherwise. The type and size are checked before opening (opening a named
    pipe would wait for a writer), again on the open file (it may have been swapped meanwhile), and the
    read stops one byte past the limit (a file that grows while read)."""
    name = os.fspath(path)
    st = os.stat(name)
    kind = _kind(st.st_mode)
    if kind:
        raise NotARegularFile(name, kind)
    if st.st_size > max_bytes:
        raise FileTooLarge(name, st.st_size)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(name, flags)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        kind = _kind(st.st_mode)
        if kind:
            raise NotARegularFile(name, kind)
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(name, max(len(data), st.st_size))
    return data


def _process_gone(pid: int) -> bool:
    """True when no process ``pid`` runs on this machine (POSIX; elsewhere unknown, so False)."""
    if sys.platform == "win32" or pid <= 0:
        return False  # os.kill(pid, 0) would send Ctrl+C on Windows
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def remove_stale_temps(folder: str | os.PathLike[str], older_than: float = STALE_SECONDS) -> int:
    """Delete this app's temp files in ``folder`` that a killed save left: those whose writing process (on
    this machine) is gone, and any older than ``older_than`` seconds. Returns how many. Never raises:
    cleaning up is a courtesy, and a folder that cannot be listed is simply left as it is."""
    removed = 0
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not (entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX)):
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(st.st_mode):
                    continue
                owner = _OWNED.match(entry.name)
                gone = owner is not None and owner[1] == _HOST and _process_gone(int(owner[2]))
                if gone or now - st.st_mtime > older_than:
                    os.unlink(entry.path)
                    removed += 1
    return removed


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically, with the permissions ``mode`` (an autosave's 0o600), or by
    default those of the file it replaces (a new file: what the umask allows)."""
    path = os.fspath(path)
    target = os.path.realpath(path)  # write through a symlink, keeping the link
    folder = os.path.dirname(target) or "."
    remove_stale_temps(folder)
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{_HOST}-{os.getpid()}-", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600; keep the file's own permissions
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def atomic_write_text(path: str | os.PathLike[str], text: str, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)
