"""Where targets receive files: one adapter over fsspec for file stores (SFTP through sshfs, FTP,
S3 through s3fs, local folders, any other fsspec URL) and one over httpx for HTTP push. Each
writes a whole file or deletes one, and says which of its failures are worth another try."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import ftplib
import hashlib
import hmac
import io
import posixpath
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from syndicate import __version__
from syndicate.build.publish import fitting_name
from syndicate.deliver.options import RetryOptions, Target
from syndicate.formats.contract import url_path

SIGNATURE_HEADER = "X-Syndicate-Signature"
TIMESTAMP_HEADER = "X-Syndicate-Timestamp"
SHA256_HEADER = "X-Syndicate-Sha256"
VERSION_HEADER = "X-Syndicate-Version"
USER_AGENT = f"syndicate/{__version__}"
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "oss"})
"""Stores where an object appears whole when written and a rename is a copy: no temporary name."""
EXTRAS = {"sftp": ("sshfs", "sftp"), "s3": ("s3fs", "s3")}
"""Schemes whose fsspec implementation is an extra of syndicate: (module, extra)."""
TEMPORARY_PREFIX = "."
TEMPORARY_SUFFIX = ".syndicate-part"
"""A file is written as `.<name>.syndicate-part` beside its place, then renamed: a partner
never picks up half a file (hidden names are skipped by ingest scripts)."""
SLOWEST_RATE = 64 * 1024
"""Bytes a second an upload may not fall below: besides `retry.timeout`, a file may take a
second per 64 KiB of it (a 10 MB book 160 s more) before its upload is given up as stalled."""

_TRANSIENT_ERRNOS = frozenset(
    {
        errno.ETIMEDOUT,
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EPIPE,
        errno.EAGAIN,
    }
)
_TRANSIENT_NAMES = frozenset(
    {
        "ConnectionLost",  # asyncssh
        "EndpointConnectionError",  # botocore
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
        "FSTimeoutError",  # fsspec's async bridge
        "TransportError",  # httpx: timeouts, refused and dropped connections
    }
)


_interrupts = [0]
"""Ctrl-C and SIGTERM signals seen while `interrupts_noticed` is in force."""


@contextlib.contextmanager
def interrupts_noticed() -> Iterator[None]:
    """Count each Ctrl-C and SIGTERM as it arrives, then hand it to the handler in force
    (the command line's raises KeyboardInterrupt for both), so that a remote call can tell
    an interrupt a library swallowed (`FsspecRemote._call`). Only in the main thread, where
    signals are handled; a signal left to the system's default is left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    replaced: dict[signal.Signals, Any] = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if not callable(handler):
            continue

        def counting(signum: int, frame: Any, handler: Callable[..., Any] = handler) -> None:
            _interrupts[0] += 1
            handler(signum, frame)

        replaced[number] = signal.signal(number, counting)
    try:
        yield
    finally:
        for signum, previous in replaced.items():
            signal.signal(signum, previous)


class MissingExtra(Exception):
    """A target needs an optional part of syndicate that is not installed."""


class SettingsError(Exception):
    """A target's settings cannot work as they are (a key that cannot be read with its
    passphrase, a known_hosts file missing): trying again changes nothing until they are
    fixed; the message says which setting."""


class HttpStatusError(Exception):
    """An HTTP push answered with an error status. `retry_after`: the seconds a 429 or 503
    asked to wait (its `Retry-After`); `location`: where a redirect points (redirects are not
    followed: a push that moved is the operator's to change)."""

    def __init__(
        self,
        status: int,
        reason: str,
        *,
        retry_after: float | None = None,
        location: str | None = None,
    ) -> None:
        text = f"HTTP {status} {reason}".strip()
        if location:
            moved = status in (301, 308)
            text += f" to {location}" + ("; change the target's url to it" if moved else "")
        if retry_after is not None:
            text += f"; the server asks to wait {retry_after:g} s"
        super().__init__(text)
        self.status = status
        self.retry_after = retry_after


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """The seconds an HTTP `Retry-After` asks to wait: a number of seconds, or an HTTP date
    (RFC 9110, 10.2.3); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def asked_wait(exc: BaseException) -> float | None:
    """The wait the server asked for with the failure `exc`, if it asked."""
    for error in _chain(exc):
        if isinstance(error, HttpStatusError):
            return error.retry_after
    return None


def within(deadline: float, call: Callable[[], Any], cut: Callable[[], None]) -> Any:
    """`call()`, given up after `deadline` seconds: a blocking client (ftplib, httpx) bounds
    each read of a socket, not a whole request, and a server that trickles a byte a second
    would hold it for ever. The call runs in a helper thread; past the deadline `cut()` closes
    its connection (which ends the call where the socket allows it) and the run goes on. An
    interrupt (Ctrl-C, SIGTERM) is heard at once: the wait for the thread is interruptible."""
    outcome: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the caller, in its thread
            outcome.append((False, exc))

    helper = threading.Thread(target=run, name="syndicate-deliver-call", daemon=True)
    helper.start()
    helper.join(deadline)
    if not outcome:
        with contextlib.suppress(Exception):
            cut()
        raise TimeoutError(
            f"the server did not answer within {deadline:.0f} s (the connection stalled)"
        )
    done, value = outcome[0]
    if done:
        return value
    raise value


@dataclass(frozen=True, slots=True)
class FileMeta:
    media_type: str
    sha256: str
    version: int | None


class Remote(Protocol):
    """A connection to a target, opened on first use."""

    def put(self, path: str, data: bytes, meta: FileMeta) -> None:
        """Store `data` at `path` (relative to the target's URL), whole or not at all (a
        failed write under the file's own name that left part of it removes that part, when
        the server lets it: `PartRemoved`)."""

    def delete(self, path: str) -> None:
        """Remove `path`; a file already gone is not an error."""

    def discard(self, path: str) -> None:
        """Remove what an upload of `path` stopped midway left on the target, if anything."""

    def reset(self) -> None:
        """Drop the connection after a failure: the next call opens a new one."""

    def listing(self, folders: Sequence[str]) -> set[str] | None:
        """The files the target holds under `folders` (paths as in out/), or None when the
        protocol cannot list them (HTTP push)."""

    def close(self) -> None: ...


def open_remote(target: Target, secret: Callable[[str], str], retry: RetryOptions) -> Remote:
    """The target's remote. `secret(name)` reveals one of its credentials."""
    creds = target.credentials
    if target.is_http:
        return HttpRemote(
            target.url,
            token=secret("token") if creds.token else None,
            hmac_secret=secret("hmac_secret") if creds.hmac_secret else None,
            timeout=retry.timeout,
        )
    scheme = target.scheme
    if scheme in EXTRAS:
        module, extra = EXTRAS[scheme]
        try:
            import_module(module)
        except ImportError:
            raise MissingExtra(
                f"{scheme} targets need the {extra} extra: pip install 'syndicate[{extra}]'"
            ) from None
    options: dict[str, Any] = {}
    if scheme == "sftp":
        options = _sftp_options(target, secret, retry)
    elif scheme == "ftp":
        options = {"timeout": retry.timeout}
        if creds.password:
            options["password"] = secret("password")
    elif scheme == "s3":
        options = _s3_options(target, secret, retry)
    url = target.url
    if scheme in ("sftp", "ftp"):
        url, user = _login(url)
        if user is not None:
            options["username"] = user
    return FsspecRemote(
        url,
        options,
        store=scheme in OBJECT_STORES,
        rename=target.rename,
        typed=scheme == "s3",
        timeout=retry.timeout,
        local=scheme == "file",
        bounded_connect=scheme == "ftp",
        checked_size=scheme == "sftp",
    )


def _login(url: str) -> tuple[str, str | None]:
    """The URL without its user name, and the user name percent-decoded: a login holding
    `@`, `:` or `%` is written escaped, as RFC 3986 asks (`ftp://ycpress%40paper.example@host/`),
    and fsspec would log in with it as written. (A password is never in a target's URL.)"""
    parts = urlsplit(url)
    if not parts.username:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host)), unquote(parts.username)


def _sftp_options(
    target: Target, secret: Callable[[str], str], retry: RetryOptions
) -> dict[str, Any]:
    import asyncssh

    known_hosts = Path(target.known_hosts or "~/.ssh/known_hosts").expanduser()
    if not known_hosts.is_file():  # asyncssh would say only "No such file or directory"
        raise SettingsError(
            f"no known_hosts file at {known_hosts}: add the server's host key to it"
            " (see docs/delivery.md, Credentials), or name the file holding it in known_hosts"
        )
    options: dict[str, Any] = {
        # sshfs would trust any host key by default: the server's key must be known.
        "known_hosts": str(known_hosts),
        "connect_timeout": retry.timeout,
        "timeout": retry.timeout,
        # A connection gone silent (a dropped link, a stalled middlebox) is found within
        # one and a half timeouts (a call under way fails at its own deadline first), not
        # when the operating system gives up hours later.
        "keepalive_interval": max(retry.timeout / 2, 0.5),
        "keepalive_count_max": 3,
    }
    creds = target.credentials
    if creds.password:
        options["password"] = secret("password")
    if creds.private_key:
        passphrase = secret("passphrase") if creds.passphrase else None
        try:
            key = asyncssh.import_private_key(secret("private_key"), passphrase)
        except (asyncssh.KeyImportError, ValueError) as exc:
            given = (
                f"with credentials.passphrase ({creds.passphrase})"
                if creds.passphrase
                else "without a passphrase (credentials.passphrase is not set)"
            )
            raise SettingsError(
                f"the private key {creds.private_key} cannot be read {given}:"
                f" {str(exc).rstrip('.')}; check the key and its passphrase (an OpenSSH or"
                " PEM private key)"
            ) from None
        options["client_keys"] = [key]
    return options


def _s3_options(
    target: Target, secret: Callable[[str], str], retry: RetryOptions
) -> dict[str, Any]:
    creds = target.credentials
    client: dict[str, Any] = {}
    if target.endpoint_url:
        client["endpoint_url"] = target.endpoint_url
    if target.region:
        client["region_name"] = target.region
    options: dict[str, Any] = {
        "client_kwargs": client,
        # One attempt per call: syndicate's own policy does the retrying. (botocore's
        # `max_attempts` counts the tries after the first: 1 was one more, unseen and unwaited.)
        "config_kwargs": {
            "connect_timeout": retry.timeout,
            "read_timeout": retry.timeout,
            "retries": {"max_attempts": 0, "mode": "standard"},
        },
    }
    for name, key in (
        ("access_key_id", "key"),
        ("secret_access_key", "secret"),
        ("session_token", "token"),
    ):
        if getattr(creds, name):
            options[key] = secret(name)
    return options


class ShortWrite(Exception):
    """The server answered every write of a file with success and kept only part of it (an
    SFTP server on asyncssh whose disk filled: its short writes go unchecked). Said as out
    of space (`out_of_space`), with the advice every full disk has."""


class RenameRefused(Exception):
    """The server refused to rename a file just written under its temporary name."""


class PartRemoved(Exception):
    """A write straight under the file's own name (`rename: false`) failed once the server
    had taken some of it (a full disk midway, a short write, a transfer aborted), and what
    it held there was removed: a partner picking files up at once would have ingested half
    a file. Said in the failure's own words (its cause); see `part_removed`."""


class FsspecRemote:
    """A target reached through fsspec. Files are written under a temporary name and renamed
    (unless not `rename`: a drop box that refuses renames), except on object stores (`store`),
    where a written object appears whole (on S3 with its media type, `typed`). Every call
    has a deadline (`timeout`, and for an upload a second more per `SLOWEST_RATE` bytes): a
    connection that stalls midway fails, to be tried again, instead of hanging the run."""

    def __init__(
        self,
        url: str,
        options: dict[str, Any],
        *,
        store: bool,
        typed: bool,
        rename: bool = True,
        timeout: float = 30.0,
        local: bool = False,
        bounded_connect: bool = False,
        checked_size: bool = False,
    ) -> None:
        self.url = url
        self.checked_size = checked_size
        """SFTP: the size of each file written is checked before it takes its place (one
        round trip: a stat; an FTP server would be asked for its whole folder's listing)."""
        self.local = local
        """A folder of this machine: its calls are not bounded (no server to stall)."""
        self.bounded_connect = bounded_connect
        """A blocking client's connection (FTP's): made under the calls' deadline."""
        self.options = options
        self.store = store
        self.rename = rename and not store
        self.typed = typed
        self.timeout = timeout
        self._fs: Any = None
        self.root = ""
        self.folders: set[str] = set()
        """Folders known to exist on the target."""

    def _filesystem(self) -> Any:
        if self._fs is None:
            import fsspec
            from fsspec.exceptions import FSTimeoutError

            abandoned = threading.Event()

            def connect() -> tuple[Any, str]:
                found: tuple[Any, str] = fsspec.core.url_to_fs(
                    self.url, skip_instance_cache=True, **self.options
                )
                if abandoned.is_set():  # given up on, then made: closed, not left open
                    with contextlib.suppress(Exception):
                        found[0].ftp.close()
                return found

            try:
                # FTP's connection (its greeting and login) is bounded as its calls are; the
                # asynchronous clients' (SFTP, S3) bound their own.
                self._fs, root = (
                    within(self.timeout, connect, abandoned.set)
                    if self.bounded_connect
                    else connect()
                )
            except ImportError as exc:  # another fsspec scheme whose package is missing
                raise MissingExtra(str(exc)) from None
            except FSTimeoutError as exc:  # sshfs's connection, bounded by `timeout`
                raise TimeoutError(
                    f"no connection to the server within {self.timeout:g} s"
                ) from exc
            # A URL's path is percent-encoded (`Shared%20Drive`, `Caf%C3%A9`); fsspec keeps it
            # as written, and would make a folder named `Shared%20Drive`.
            self.root = unquote(root).rstrip("/")
            if self.typed:
                self._fs.retries = 1  # s3fs's own retries: ours apply
        return self._fs

    def _call(
        self,
        name: str | Callable[..., Any],
        *args: Any,
        size: int = 0,
        whole: bool = True,
        **kwargs: Any,
    ) -> Any:
        """`fs.<name>(*args, **kwargs)` (or `name(*args, **kwargs)`, a call of its own on
        the connection, a coroutine function run as an asynchronous fs's are), with an
        interrupt that arrived during it raised even if the library swallowed it (fsspec's
        `exists`, which FTP's `makedirs` and `mkdir` call, takes any exception,
        KeyboardInterrupt included, for "no": a SIGTERM while the server was silent was lost,
        and the run went on). See `_bounded_call`."""
        seen = _interrupts[0]
        try:
            result = self._bounded_call(name, *args, size=size, whole=whole, **kwargs)
        except Exception:
            if _interrupts[0] == seen:
                raise
            result = None  # what the library made of the interrupt is not its cause
        if _interrupts[0] != seen:
            raise KeyboardInterrupt
        return result

    def _bounded_call(
        self,
        name: str | Callable[..., Any],
        *args: Any,
        size: int = 0,
        whole: bool = True,
        **kwargs: Any,
    ) -> Any:
        """`fs.<name>(*args, **kwargs)`, given up after the timeout (and a second per
        `SLOWEST_RATE` of the `size` bytes it sends). An asynchronous file system (sshfs,
        s3fs) bounds only its connection or a read, not the writing of a body nor an answer
        that never comes: its coroutine runs under a deadline, and when it passes the call is
        given up and its connection cut (SSH; an HTTP request is dropped with its session).
        A blocking one's (FTP's) calls run under the same deadline in a helper thread
        (`within`): its sockets bound each read, and a server trickling a byte a second would
        hold a call for ever. A local folder's calls are made as they are."""
        fs = self._filesystem()
        method = getattr(fs, name) if isinstance(name, str) else name
        coroutine = (
            getattr(fs, f"_{name}", None)
            if isinstance(name, str) and getattr(fs, "async_impl", False)
            else name
            if asyncio.iscoroutinefunction(name)
            else None
        )
        if coroutine is None:
            if self.local or not whole:
                return method(*args, **kwargs)
            return within(
                self.timeout + size / SLOWEST_RATE, lambda: method(*args, **kwargs), self._cut
            )
        if not whole:
            # A listing of a large archive is many requests (SFTP a round trip a folder, S3 a
            # page of 1,000 keys): no one deadline fits it. Each request is bounded by the
            # connection's own (SSH keepalives find a silent link; botocore times out a read).
            return method(*args, **kwargs)
        deadline = self.timeout + size / SLOWEST_RATE
        abandoned = threading.Event()

        async def bounded() -> Any:
            try:
                return await coroutine(*args, **kwargs)
            except BaseException:
                if abandoned.is_set():  # given up on: how it ended is nobody's to hear
                    return None
                raise

        future = asyncio.run_coroutine_threadsafe(bounded(), fs.loop)
        try:
            return future.result(timeout=deadline)
        except TimeoutError:
            if future.done():  # the call's own timeout (asyncssh's, aiohttp's)
                raise
            abandoned.set()
            self._abort()  # the stalled connection is cut: the call then ends
            raise TimeoutError(
                f"the server did not answer within {deadline:.0f} s (the connection stalled)"
            ) from None

    def _place(self, path: str) -> str:
        self._filesystem()  # (connected first: the root is known once it is)
        return f"{self.root}/{path}" if self.root else path

    def put(self, path: str, data: bytes, meta: FileMeta) -> None:
        final = self._place(path)
        folder = posixpath.dirname(final)
        size = len(data)
        if self.store:
            typed: dict[str, Any] = {"ContentType": meta.media_type} if self.typed else {}
            self._call("pipe_file", final, data, size=size, **typed)
            return
        if folder and folder not in self.folders:
            self._makedirs(folder)
        target = final if not self.rename else _temporary(final)
        begun = threading.Event()
        try:
            self._write(target, data, begun)
        except Exception as exc:
            if _permission(exc):
                raise PermissionError(
                    errno.EACCES, f"permission denied writing in {folder or '/'} on the server"
                ) from exc
            if begun.is_set() and not unreachable(exc) and self._part_removed(target):
                raise PartRemoved(describe(exc)) from exc
            raise
        if self.checked_size:
            # A server may answer every write with success and keep only what fit on its
            # disk (asyncssh's leaves a short write unchecked): half a file must not take
            # the whole one's place, nor be recorded as delivered.
            kept = self._call("info", target).get("size")
            if isinstance(kept, int) and kept != size:
                short = ShortWrite(
                    f"the server kept {kept} of {size} bytes of the file, saying nothing of"
                    " the rest"
                )
                if self._part_removed(target):
                    raise PartRemoved(describe(short)) from short
                raise short
        if not self.rename:
            return
        temporary = target
        try:
            self._call("mv", temporary, final)
        except Exception as exc:
            if transient(exc):
                raise
            try:
                # Servers that refuse to rename onto an existing file (some FTP servers):
                # remove the old one first.
                if not self._holds(final):
                    raise
                self._call("rm_file", final)
                self._call("mv", temporary, final)
            except Exception as again:
                if transient(again):
                    raise
                with contextlib.suppress(Exception):  # not left on the partner's server
                    self._call("rm_file", temporary)
                raise RenameRefused(
                    f"{describe(again)}: the server refuses to rename a file written under a"
                    " temporary name; if it never renames (an upload-only drop box), set"
                    " rename: false on this target"
                ) from again

    def _write(self, path: str, data: bytes, begun: threading.Event) -> None:
        """Write `data` at `path`, whole; `begun` is set once the server may hold part of
        it: on FTP once it took a first block (a STOR refused outright leaves the file it
        would have replaced as it was), on SFTP once it opened the file (see
        `_opened_then_written`), in a local folder as the write is asked for (what refuses
        it at its opening is a permission, said as such, or a file that is not there).
        fsspec's FTP writes a file of 64 KiB or more (its block size: a photo, a book) as
        STOR, then `REST <offset>` and STOR for each further block, which many servers
        refuse (ProFTPD by default: "Append/Restart not permitted"): on FTP the file goes as
        one plain STOR of its bytes."""
        fs = self._filesystem()
        ftp = getattr(fs, "ftp", None)
        if getattr(fs, "async_impl", False):  # SFTP
            self._call(_opened_then_written, fs, path, data, begun, size=len(data))
            return
        if not isinstance(ftp, ftplib.FTP):
            begun.set()
            self._call("pipe_file", path, data, size=len(data))
            return
        where = fs._strip_protocol(path)
        self._call(lambda: _store(ftp, f"STOR {where}", data, begun), size=len(data))
        fs.invalidate_cache(posixpath.dirname(where))

    def _part_removed(self, written: str) -> bool:
        """With `rename: false`, after a write that failed midway: remove what the server
        holds of it under its own name (`written`), which a partner picking files up at once
        would ingest half; whether it was removed (a part under a temporary name is removed
        by `discard`, once, after the tries; one the server will not remove stays)."""
        if self.rename:
            return False
        try:
            self._call("rm_file", written)
        except Exception:  # not there (nothing was left), or refused: the failure is said
            return False
        return True

    def _makedirs(self, folder: str) -> None:
        """Make `folder` on the target. sshfs says a folder it may not create "No such file"
        (asyncssh's makedirs stops at the first parent it cannot stat nor make): when the
        folder is still not there, it is said as the permission it is."""
        try:
            self._call("makedirs", folder, exist_ok=True)
        except FileNotFoundError as exc:
            if transient(exc):
                raise
            raise PermissionError(
                errno.EACCES,
                f"cannot create the folder {folder} on the server (permission denied, or a"
                " folder above it missing)",
            ) from exc
        except Exception as exc:
            if not _permission(exc):
                raise
            raise PermissionError(
                errno.EACCES, f"permission denied creating the folder {folder} on the server"
            ) from exc
        self.folders.add(folder)

    def discard(self, path: str) -> None:
        """Remove what an upload of `path` stopped midway left: its temporary file."""
        if not self.rename:
            return
        try:
            self._call("rm_file", _temporary(self._place(path)))
        except Exception as exc:  # gone already (FTP says so with a 550): nothing to clear
            if transient(exc):
                raise

    def delete(self, path: str) -> None:
        final = self._place(path)
        try:
            self._call("rm_file", final)
        except FileNotFoundError:
            pass
        except Exception as exc:
            # FTP answers the deletion of a file already gone (a partner's ingest took it)
            # with the 550 it also refuses with: a file not there is deleted.
            if transient(exc) or self._holds(final):
                raise
        if not self.store:
            self._prune(posixpath.dirname(final))

    def _holds(self, path: str) -> bool:
        """Whether the target holds a file at `path`. (fsspec's `exists` takes any failure,
        an interrupt included, for "no".)"""
        fs = self._filesystem()
        fs.invalidate_cache(posixpath.dirname(path))
        try:
            self._call("info", path)
        except FileNotFoundError:
            return False
        return True

    def _prune(self, folder: str) -> None:
        """Remove `folder` and the folders above it, up to the target's own, while they are
        empty (a killed story's `html/media/<slug>/`): the target then holds what out/ does.
        A folder that is not empty, or that the server will not remove, stays."""
        fs = self._filesystem()
        root = self.root.rstrip("/")
        while folder and folder != root and folder.startswith(f"{root}/" if root else ""):
            try:
                fs.invalidate_cache(folder)  # (a listing cached before the deletion)
                if self._call("ls", folder, detail=False):
                    return
                # fsspec makes no blocking `rmdir` of an asynchronous file system's `_rmdir`
                # (sshfs): its `rmdir` would be the base class's, which does nothing; `_call`
                # runs the coroutine.
                self._call("rmdir", folder)
            except Exception as exc:
                if transient(exc):
                    raise
                return
            self.folders.discard(folder)
            folder = posixpath.dirname(folder)

    def reset(self) -> None:
        self._abort()
        self.close()

    def _abort(self) -> None:
        """Cut an SSH connection at once (one that stalled would keep a cancelled call's
        clean-up waiting for ever); a new one is opened by the next call."""
        fs = self._fs
        client = getattr(fs, "_client", None)
        if client is not None and hasattr(client, "abort"):
            with contextlib.suppress(Exception):
                fs.loop.call_soon_threadsafe(client.abort)

    def _cut(self) -> None:
        """Cut a blocking client's stalled connection (FTP's control connection: the server
        ends its transfer with it) and forget it: the next call opens another."""
        fs, self._fs = self._fs, None
        self.folders.clear()
        control = getattr(getattr(fs, "ftp", None), "sock", None)
        if control is not None:
            with contextlib.suppress(OSError):
                control.shutdown(socket.SHUT_RDWR)

    def listing(self, folders: Sequence[str]) -> set[str]:
        """The files under `folders`, syndicate's temporary files among them (see
        `is_temporary`), other hidden files left out."""
        self._filesystem()
        root = self.root.strip("/")
        found: set[str] = set()
        for folder in folders:
            try:
                paths = self._call("find", self._place(folder), whole=False)
            except FileNotFoundError:
                continue
            for path in paths:
                rel = str(path).strip("/")
                rel = rel[len(root) + 1 :] if root and rel.startswith(f"{root}/") else rel
                name = posixpath.basename(rel)
                if not name.startswith(TEMPORARY_PREFIX) or is_temporary(rel):
                    found.add(rel)
        return found

    def close(self) -> None:
        fs, self._fs = self._fs, None
        self.folders.clear()
        if fs is not None and hasattr(fs, "ftp"):
            with contextlib.suppress(OSError, EOFError):  # the connection is already gone
                fs.ftp.close()


async def _opened_then_written(fs: Any, path: str, data: bytes, begun: threading.Event) -> None:
    """sshfs's `pipe_file`, its errors said alike, with `begun` set once the server opened
    the file for writing (and emptied the version there): an open it refuses with other words
    than a permission's (SSH_FX_FAILURE: a drop box that will not overwrite a file, a
    Windows server whose file the partner's ingest holds open) left that version whole, which
    must not be removed as the part of a write."""
    from sshfs.utils import wrap_exceptions  # (an optional extra: here only when in use)

    async def write() -> None:
        async with fs._pool.get() as channel, channel.open(path, "wb") as file:
            begun.set()
            await file.write(data)

    await wrap_exceptions(write)()
    fs.invalidate_cache(path)


REPLY_WAIT = 5.0
"""Seconds an FTP server that cut an upload's data connection is given to say why."""


def _store(ftp: ftplib.FTP, command: str, data: bytes, begun: threading.Event) -> None:
    """`ftp.storbinary(command, data)`, with the server's reply heard when it cuts the data
    connection midway: a server whose disk fills (or that refuses the file for another
    reason) closes it while the file is still being sent, and says why on the control
    connection, which ftplib, failing at the reset, never reads. That reply is the failure
    (`426 No space left on device`, `451 Failure writing to local file`); a connection cut
    by the network, with no reply, is the reset it was. `begun` is set once a block of the
    file was sent (the server opened the file for it)."""
    cut: OSError | None = None
    try:
        ftp.storbinary(command, io.BytesIO(data), callback=lambda _block: begun.set())
    except ftplib.Error:
        raise
    except OSError as exc:
        cut = exc
    if cut is None:
        return
    reply: ftplib.Error | None = None
    control = ftp.sock
    try:
        if control is not None:
            control.settimeout(min(REPLY_WAIT, ftp.timeout or REPLY_WAIT))
        ftp.getresp()
    except ftplib.Error as said:  # (raised here, out of the reset's handling: not its context)
        reply = said
    except (OSError, EOFError):
        pass
    finally:
        if control is not None:
            with contextlib.suppress(OSError):
                control.settimeout(ftp.timeout)
    if reply is None:
        raise cut
    raise reply


def _permission(exc: BaseException) -> bool:
    """Whether the server refused for a permission (SFTP's SSH_FX_PERMISSION_DENIED, an
    OS's EACCES or EPERM)."""
    for error in _chain(exc):
        if isinstance(error, PermissionError):
            return True
        if type(error).__name__ == "SFTPPermissionDenied":
            return True
    return False


_NO_SPACE = ("no space left", "disk quota exceeded", "disk full", "storage allocation")
"""How servers word a full disk or a quota reached (ENOSPC, EDQUOT, FTP 552)."""


def out_of_space(exc: BaseException) -> bool:
    """Whether the server refused for want of space: a full disk or a quota reached (ENOSPC
    or EDQUOT, SFTP's no-space and quota codes, FTP's 452 and 552, HTTP's 507, or words
    saying so, or an SFTP server that kept only part of a file: `ShortWrite`)."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if type(error).__name__ in ("SFTPNoSpaceOnFilesystem", "SFTPQuotaExceeded"):
            return True
        if isinstance(error, HttpStatusError) and error.status == 507:  # Insufficient Storage
            return True
        if isinstance(error, ShortWrite):  # a disk that filled, answering success all along
            return True
        text = str(error).strip()
        if isinstance(error, ftplib.Error) and text[:3] in ("452", "552"):
            return True
        if any(words in text.lower() for words in _NO_SPACE):
            return True
    return False


def part_removed(exc: BaseException) -> bool:
    """Whether the failure removed the part of a file a write under its own name left
    (`PartRemoved`): the target no longer holds that file, in any version."""
    return any(isinstance(error, PartRemoved) for error in _chain(exc))


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` is the connection's failure (timed out, stalled, lost, refused) rather
    than the server's answer: a server that did not answer is not asked again at once."""
    return any(
        isinstance(error, (TimeoutError, ConnectionError, EOFError)) for error in _chain(exc)
    )


def is_temporary(path: str) -> bool:
    """Whether `path` is the name an upload is written under (`_temporary`)."""
    name = posixpath.basename(path)
    return (
        name.startswith(TEMPORARY_PREFIX)
        and name.endswith(TEMPORARY_SUFFIX)
        and len(name) > len(TEMPORARY_PREFIX) + len(TEMPORARY_SUFFIX)
    )


def _temporary(final: str) -> str:
    """The temporary name a file is written under beside its place."""
    folder, name = posixpath.split(final)
    name = fitting_name(name, len(TEMPORARY_PREFIX) + len(TEMPORARY_SUFFIX))
    return posixpath.join(folder, f"{TEMPORARY_PREFIX}{name}{TEMPORARY_SUFFIX}")


class HttpRemote:
    """A target receiving files by HTTP: `PUT <url><path>` with the file as body, `DELETE
    <url><path>` for a file gone from out/. With a secret, each request carries the
    HMAC-SHA256 of `METHOD\\nPATH\\nTIMESTAMP\\nSHA256` (see `sign`)."""

    def __init__(
        self, url: str, *, token: str | None, hmac_secret: str | None, timeout: float
    ) -> None:

        self.base = url if url.endswith("/") else url + "/"
        self.token = token
        self.secret = hmac_secret
        self.timeout = timeout
        self.client = self._client()

    def _client(self) -> Any:
        import httpx

        return httpx.Client(
            timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )

    def _cut(self) -> None:
        """Drop a stalled request's client (its connection closed); the next has its own."""
        stalled, self.client = self.client, self._client()
        with contextlib.suppress(Exception):
            stalled.close()

    def put(self, path: str, data: bytes, meta: FileMeta) -> None:
        headers = {"Content-Type": meta.media_type}
        if meta.version is not None:
            headers[VERSION_HEADER] = str(meta.version)
        self._send("PUT", path, data, headers)

    def delete(self, path: str) -> None:
        self._send("DELETE", path, b"", {}, gone_ok=True)

    def discard(self, path: str) -> None:
        pass  # a PUT is one request: the receiver keeps a whole body or nothing

    def _send(
        self,
        method: str,
        path: str,
        data: bytes,
        headers: dict[str, str],
        *,
        gone_ok: bool = False,
    ) -> None:
        url = self.base + url_path(path)  # as every format links to the file
        sha = hashlib.sha256(data).hexdigest()
        stamp = str(int(time.time()))
        headers |= {SHA256_HEADER: sha, TIMESTAMP_HEADER: stamp}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        client = self.client
        request = client.build_request(method, url, content=data, headers=headers)
        if self.secret is not None:
            # The path exactly as sent: httpx percent-encodes what the target's url holds
            # beyond ASCII (`/ingest/Café/` goes as `/ingest/Caf%C3%A9/`).
            sent = request.url.raw_path.decode("ascii").partition("?")[0]
            signature = sign(self.secret, method, sent, stamp, sha)
            request.headers[SIGNATURE_HEADER] = f"sha256={signature}"
        # httpx's timeout bounds each read and write, not the request: under a deadline
        # (`timeout`, a second more per `SLOWEST_RATE` bytes), as every protocol's call.
        response = within(
            self.timeout + len(data) / SLOWEST_RATE, lambda: client.send(request), self._cut
        )
        if response.is_success or (gone_ok and response.status_code in (404, 410)):
            return
        status = response.status_code
        raise HttpStatusError(
            status,
            response.reason_phrase,
            retry_after=retry_after(response.headers.get("Retry-After"))
            if status in (429, 503)
            else None,
            location=response.headers.get("Location") if 300 <= status < 400 else None,
        )

    def reset(self) -> None:
        pass  # httpx opens a new connection when the old one is gone

    def listing(self, folders: Sequence[str]) -> None:
        return None  # an endpoint takes files; it does not say what it holds

    def close(self) -> None:
        self.client.close()


def sign(secret: str, method: str, path: str, timestamp: str, sha256: str) -> str:
    """The hex HMAC-SHA256 of one request, as the receiver recomputes it: the method, the
    URL's path as sent (percent-encoded), the timestamp header and the body's SHA-256, each
    followed by a line feed but the last."""
    message = f"{method}\n{path}\n{timestamp}\n{sha256}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def transient(exc: BaseException) -> bool:
    """Whether another try may succeed: a timeout, a lost or refused connection, a server
    error (HTTP 5xx, 408, 429; FTP 4xx). A refusal (HTTP 4xx, FTP 5xx, a wrong password, a
    permission, a missing folder) will not change by trying again; nor will a host name the
    name service says does not exist (a typo in a url is said at once, not after a minute of
    tries), while its "try again later" is tried again."""
    if _unknown_host(exc) is not None:
        return False
    for error in _chain(exc):
        if isinstance(error, HttpStatusError):
            return error.status >= 500 or error.status in (408, 425, 429)
        if isinstance(error, ftplib.error_temp):
            return True
        if isinstance(error, ftplib.Error):
            return False
        if isinstance(error, (TimeoutError, ConnectionError, EOFError)):
            return True
        if isinstance(error, socket.gaierror):  # the name server did not answer
            return error.errno == socket.EAI_AGAIN
        if isinstance(error, OSError) and error.errno in _TRANSIENT_ERRNOS:
            return True
        status = _boto_status(error)
        if status is not None:
            return status >= 500 or status in (408, 429)
        if type(error).__name__ == "LocalProtocolError":  # httpx: a request it cannot send
            return False
        if any(cls.__name__ in _TRANSIENT_NAMES for cls in type(error).__mro__):
            return True
    return False


_REFUSED_KEYS = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
)
"""S3's answers to keys it does not take (an unknown key id, a wrong secret, a bad token)."""


def login_refused(exc: BaseException) -> Literal["login", "host key"] | None:
    """Whether the failure is the server refusing the login ("login": FTP's 530, SSH's
    permission denied, S3 refusing the keys, an HTTP push's 401) or SSH not trusting the
    server's host key ("host key"): the target's settings, not a file, are at fault."""
    for error in _chain(exc):
        names = {cls.__name__ for cls in type(error).__mro__}
        if "HostKeyNotVerifiable" in names:
            return "host key"
        if "PermissionDenied" in names:  # asyncssh's: the authentication failed
            return "login"
        if isinstance(error, ftplib.error_perm) and str(error).startswith("530"):
            return "login"
        if isinstance(error, HttpStatusError) and error.status == 401:  # a push's token, HMAC
            return "login"
        response = getattr(error, "response", None)
        if isinstance(response, dict) and response.get("Error", {}).get("Code") in _REFUSED_KEYS:
            return "login"
    return None


def describe(exc: BaseException) -> str:
    """A failure in a few words, without a traceback."""
    unknown = _unknown_host(exc)
    if unknown is not None:
        return (
            f"host name not found ({unknown.strerror}); check its spelling, and that this"
            " machine is online"
        )
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if _timed_out(exc):
        return "the connection timed out: the server did not answer in time"
    if type(exc).__name__ in _LIBRARY_TIMEOUTS:  # (the same stall as our deadline's, said alike)
        return f"the server did not answer within retry.timeout ({str(exc).strip()})"
    if type(exc).__name__ == "SFTPFailure" and str(exc).strip() in ("Failure", ""):
        # SSH_FX_FAILURE, all OpenSSH's sftp-server says of a full disk or a refused write
        return (
            "the server failed the request without saying why (SFTP Failure): it may be out"
            " of space or refused the write"
        )
    if isinstance(exc, EOFError) or (
        not str(exc).strip() and any(isinstance(e, EOFError) for e in _chain(exc))
    ):
        return "the server closed the connection"
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ftplib.Error):
        return f"FTP {text}"
    return text.splitlines()[0]


_LIBRARY_TIMEOUTS = frozenset({"ReadTimeoutError", "ConnectTimeoutError"})
"""botocore's own timeouts (`retry.timeout` is its read and connect timeout): a stalled
connection that botocore gives up on before the call's deadline (`FsspecRemote._call`) does."""

_TIMED_OUT_SOCKET = ("cannot read from timed out object", "cannot write to timed out object")
"""What a socket file says when used again after its timeout (ftplib, after a stall)."""


def _timed_out(exc: BaseException) -> bool:
    """A timeout with no words of its own: fsspec's FSTimeoutError, asyncio's, a socket's
    "timed out", a socket file used after one, or httpx's (an HTTP push target or a WebSub
    hub that never answers; not a TimeoutError, and said "timed out")."""
    text = str(exc).strip()
    if isinstance(exc, TimeoutError) and text in ("", "timed out"):
        return True
    if any(cls.__name__ == "TimeoutException" for cls in type(exc).__mro__):
        return True
    return isinstance(exc, OSError) and text in _TIMED_OUT_SOCKET


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it was raised from (libraries wrap each other's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _unknown_host(exc: BaseException) -> socket.gaierror | None:
    """The name service's answer that a host name does not resolve, if that is the failure
    (each library wraps it its own way: httpx, aiohttp under s3fs, asyncssh, ftplib). Its
    "temporary failure" (EAI_AGAIN: no answer from the name server) is not one."""
    for error in _chain(exc):
        if isinstance(error, socket.gaierror) and error.errno != socket.EAI_AGAIN:
            return error
    return None


def _boto_status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return status if isinstance(status, int) else None
    return None
