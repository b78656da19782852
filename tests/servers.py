"""Real servers on loopback for the delivery tests: FTP (pyftpdlib), SFTP (asyncssh), S3 (moto's
server, behind a WSGI layer that logs and can fail requests), an HTTP receiver that checks
HMAC-SHA256 signatures, and a WebSub hub. Each records what reached it (`events`: ("put",
path) when a file is in place under its name, ("delete", path)) and can be told to fail the
next requests (`fail`)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import hmac
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, unquote

USER = "ycpress"
PASSWORD = "s3cret-Passw0rd"
BUCKET = "partner-bucket"
TEMPORARY_SUFFIX = ".syndicate-part"


def free_port() -> int:
    """A loopback port nothing listens on (for a target that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Faults:
    """What a server does to the next uploads: fail `fail` of them (with a transient error,
    or with `status` for HTTP), or answer every upload with a full disk."""

    fail: int = 0
    status: int = 500
    retry_after: str | None = None
    """HTTP: the `Retry-After` of the failures' answers."""
    no_rename: bool = False
    """FTP: refuse every rename (an upload-only drop box)."""
    no_listing: bool = False
    """S3: refuse every listing, as a key allowed PutObject and not ListBucket does."""
    disk_full: bool = False
    disk_room: int | None = None
    """FTP: the bytes of each file the disk takes before it fills (a large file fails midway,
    the small ones go)."""
    generic_failure: bool = False
    """SFTP: a full disk said as OpenSSH's sftp-server says it: `Failure`, no more."""
    short_write: int | None = None
    """SFTP: keep at most this many bytes of each file written and answer every write with
    success, as an SFTP server on asyncssh does when its disk fills (a short write, unchecked)."""
    read_only: bool = False
    """SFTP: refuse to create a folder or write a file (permission denied)."""
    dropped_at: int | None = None
    """SFTP: keep at most this many bytes of each file written, then drop the connection (a
    link lost midway through a file)."""
    refused_open: str | None = None
    """SFTP: refuse to open a file for writing with this `Failure` (a drop box that will not
    overwrite a file, a file the partner's ingest holds open), deletions still allowed."""
    no_delete: bool = False
    """HTTP: answer every DELETE with 405 Method Not Allowed (an ingest that takes PUT only)."""
    block_at: int | None = None
    """HTTP: hold the n-th upload (1-based) until `release` is set, then drop it unanswered
    (the client was killed meanwhile)."""
    blocked: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def take_failure(self) -> bool:
        if self.fail > 0:
            self.fail -= 1
            return True
        return False


class Server:
    """What the tests read of every server."""

    url: str
    root: Path

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.faults = Faults()
        self.lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Shut the server down."""

    def log(self, op: str, path: str) -> None:
        with self.lock:
            self.events.append((op, path))

    def files(self) -> dict[str, bytes]:
        """Every file the server holds under the target's folder, by relative path."""
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }

    def puts(self) -> list[str]:
        return [path for op, path in self.events if op == "put"]

    def rel(self, local: str | bytes) -> str:
        path = Path(os.fsdecode(local))
        return path.resolve().relative_to(self.root.resolve()).as_posix()


# A connection that stalls ---------------------------------------------------------------------


def accepted(listener: socket.socket, closing: threading.Event) -> Iterator[socket.socket]:
    """Each connection `listener` accepts, until `closing` is set or the listener is closed."""
    while not closing.is_set():
        try:
            client, _ = listener.accept()
        except OSError:
            return
        yield client


class TricklingServer:
    """A TCP server on loopback that answers every connection one byte at a time, a byte
    every `pause` seconds, for ever: an FTP greeting (`220-...`) or an HTTP answer that never
    ends. A client bounding each read of its socket (ftplib, httpx) waits for ever."""

    def __init__(self, opening: bytes, pause: float = 0.5) -> None:
        self.opening = opening
        self.pause = pause
        self.closing = threading.Event()
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self.listener.close()

    def _accept(self) -> None:
        for client in accepted(self.listener, self.closing):
            self.connections += 1
            threading.Thread(target=self._trickle, args=(client,), daemon=True).start()

    def _trickle(self, client: socket.socket) -> None:
        with client, contextlib.suppress(OSError):
            client.settimeout(0.05)  # (an HTTP request's bytes read, never answered)
            for index in itertools.count():
                if self.closing.is_set():
                    return
                with contextlib.suppress(TimeoutError):
                    client.recv(65536)
                byte = self.opening[index : index + 1] or b"w"
                client.sendall(byte)
                time.sleep(self.pause)


class StallingProxy:
    """A TCP proxy on loopback to `port` that can stall a connection: nothing more goes
    through it either way, and it stays open, silent, as a link whose far end stopped
    answering. Once `stall_after` bytes went to the server (over every connection), the
    connection carrying the next ones stalls, and the later ones pass; with `stall_every`,
    every connection stalls at its first byte. `stalled` is set at the first stall."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.stall_after: int | None = None
        self.stall_every = False
        self.stalled = threading.Event()
        self.carried = 0
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        for client in accepted(self.listener, self.closing):
            server = socket.create_connection(("127.0.0.1", self.upstream))
            for sock in (client, server):  # (small packets at once, as without the proxy)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.sockets += [client, server]
            gate = threading.Event()  # set: this connection is stalled
            for source, sink, upstream in ((client, server, True), (server, client, False)):
                threading.Thread(
                    target=self._pump, args=(source, sink, gate, upstream), daemon=True
                ).start()

    def _pump(
        self, source: socket.socket, sink: socket.socket, gate: threading.Event, upstream: bool
    ) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if upstream:
                    with self.lock:
                        before = self.carried
                        self.carried += len(data)
                        limit = self.stall_after
                        if self.stall_every or (
                            limit is not None and before <= limit < self.carried
                        ):
                            gate.set()
                            self.stalled.set()
                if gate.is_set():  # held: nothing goes on, the connection stays open
                    self.closing.wait()
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def stop(self) -> None:
        self.closing.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.close()


# FTP -----------------------------------------------------------------------------------------


class FtpServer(Server):
    def __init__(self, home: Path) -> None:
        super().__init__()
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.filesystems import AbstractedFS
        from pyftpdlib.handlers import DTPHandler, FTPHandler
        from pyftpdlib.servers import FTPServer

        self.root = home / "incoming"
        self.root.mkdir(parents=True)
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, PASSWORD, str(home), perm="elradfmwMT")
        server = self

        class FullDisk:
            def __init__(self, real: Any, room: int = 0) -> None:
                self.real = real
                self.name = real.name
                self.closed = False
                self.room = room

            def write(self, data: bytes) -> int:
                if len(data) > self.room:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                self.room -= len(data)
                return int(self.real.write(data))

            def close(self) -> None:
                self.closed = True
                self.real.close()

        class Filesystem(AbstractedFS):  # type: ignore[misc]
            def open(self, filename: str, mode: str) -> Any:
                handle = super().open(filename, mode)
                if "w" not in mode:
                    return handle
                if server.faults.disk_room is not None:
                    return FullDisk(handle, server.faults.disk_room)
                return FullDisk(handle) if server.faults.disk_full else handle

        class Transfer(DTPHandler):  # type: ignore[misc]
            def handle_error(self) -> None:
                # pyftpdlib means to answer a write that failed with the system's words, and
                # says "426 None; ..." (the errno it reads is its wrapper's): said as meant.
                if not server.faults.disk_full and server.faults.disk_room is None:
                    super().handle_error()
                    return
                words = "426 No space left on device; transfer aborted."
                self._resp = (words, logging.getLogger("pyftpdlib").warning)
                self.close()

        class Handler(FTPHandler):  # type: ignore[misc]
            abstracted_fs = Filesystem
            dtp_handler = Transfer

            def ftp_STOR(self, file: str, mode: str = "w") -> Any:
                if server.faults.take_failure():
                    self.respond("451 Requested action aborted: local error in processing.")
                    return None
                return super().ftp_STOR(file, mode)

            def ftp_RNTO(self, path: str) -> Any:
                if server.faults.no_rename:
                    self.respond("550 Rename not allowed.")
                    return None
                result = super().ftp_RNTO(path)
                server.log("put", server.rel(path))
                return result

            def ftp_DELE(self, path: str) -> Any:
                result = super().ftp_DELE(path)
                server.log("delete", server.rel(path))
                return result

        Handler.authorizer = authorizer
        Handler.passive_ports = None
        self.server = FTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.address[1]
        self.url = f"ftp://{USER}@127.0.0.1:{self.port}/incoming/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"timeout": 0.05, "handle_exit": False}
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.close_all()
        self.thread.join(10)


# SFTP ----------------------------------------------------------------------------------------


class SftpServer(Server):
    def __init__(self, home: Path) -> None:
        super().__init__()
        import asyncssh

        self.root = home / "incoming"
        self.root.mkdir(parents=True)
        self.key = asyncssh.generate_private_key("ssh-ed25519")
        self.authorized: Any = None
        """A client key the server lets in (besides the password), when set."""
        server = self

        class Auth(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                return username == USER and password == PASSWORD

            def public_key_auth_supported(self) -> bool:
                return server.authorized is not None

            def validate_public_key(self, username: str, key: Any) -> bool:
                return (
                    username == USER
                    and server.authorized is not None
                    and (key.export_public_key() == server.authorized.export_public_key())
                )

        class Sftp(asyncssh.SFTPServer):
            def __init__(self, chan: Any) -> None:
                super().__init__(chan, chroot=os.fsencode(home))

            def open(self, path: bytes, pflags: int, attrs: Any) -> Any:
                if pflags & asyncssh.FXF_WRITE and server.faults.read_only:
                    raise asyncssh.SFTPPermissionDenied("Permission denied")
                if pflags & asyncssh.FXF_WRITE and server.faults.refused_open is not None:
                    raise asyncssh.SFTPFailure(server.faults.refused_open)
                if pflags & asyncssh.FXF_WRITE and server.faults.take_failure():
                    self.connection.abort()  # the connection drops: a transient failure
                    raise asyncssh.SFTPConnectionLost("connection dropped by the test")
                return super().open(path, pflags, attrs)

            def write(self, file_obj: Any, offset: int, data: bytes) -> Any:
                if server.faults.disk_full:
                    raise asyncssh.SFTPFailure("No space left on device")
                if server.faults.generic_failure:
                    raise asyncssh.SFTPFailure("Failure")
                dropped = server.faults.dropped_at
                if dropped is not None and offset + len(data) > dropped:
                    super().write(file_obj, offset, data[: max(0, dropped - offset)])
                    self.connection.abort()
                    raise asyncssh.SFTPConnectionLost("connection dropped by the test")
                kept = server.faults.short_write
                if kept is not None:  # the rest is lost, and success answered all the same
                    data = data[: max(0, kept - offset)]
                return super().write(file_obj, offset, data)

            def mkdir(self, path: bytes, attrs: Any) -> None:
                # (a folder already there is said so first, as a POSIX mkdir does)
                if server.faults.read_only and not os.path.isdir(self.map_path(path)):
                    raise asyncssh.SFTPPermissionDenied("Permission denied")
                super().mkdir(path, attrs)

            def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
                super().posix_rename(oldpath, newpath)
                server.log("put", server.rel(self.map_path(newpath)))

            def remove(self, path: bytes) -> None:
                super().remove(path)
                server.log("delete", server.rel(self.map_path(path)))

        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def start() -> None:
            self.acceptor = await asyncssh.listen(
                "127.0.0.1",
                0,
                server_factory=Auth,
                server_host_keys=[self.key],
                sftp_factory=Sftp,
                allow_scp=False,
            )
            self.port = self.acceptor.sockets[0].getsockname()[1]
            started.set()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        started.wait(10)
        self.url = f"sftp://{USER}@127.0.0.1:{self.port}/incoming/"
        self.known_hosts = home.parent / f"known_hosts-{self.port}"
        public = self.key.export_public_key().decode().strip()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {public}\n")

    def stop(self) -> None:
        def close() -> None:
            self.acceptor.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(close)
        self.thread.join(10)


# S3 ------------------------------------------------------------------------------------------


class S3Server(Server):
    """moto's S3 in server mode, behind a WSGI layer that logs object writes and deletions,
    answers `503 SlowDown` to the uploads it is told to fail, and, as AWS does, `403
    InvalidAccessKeyId` to requests signed with another access key than `ACCESS_KEY` (moto
    itself takes any)."""

    ACCESS_KEY = "testing"

    def __init__(self, home: Path) -> None:
        super().__init__()
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        self.root = home
        app = DomainDispatcherApplication(create_backend_app)
        server = self

        def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            method, path = environ["REQUEST_METHOD"], unquote(environ["PATH_INFO"])
            signed = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2]
            if signed.partition("/")[0] != server.ACCESS_KEY:
                body = (
                    b"<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you"
                    b" provided does not exist in our records.</Message></Error>"
                )
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [body]
            key = path.removeprefix(f"/{BUCKET}/")
            if server.faults.no_listing and method == "GET" and path.rstrip("/") == f"/{BUCKET}":
                body = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [body]
            writes = method == "PUT" and key != path and key
            if writes and server.faults.take_failure():
                body = b"<Error><Code>SlowDown</Code><Message>Slow down</Message></Error>"
                start_response("503 Slow Down", [("Content-Type", "application/xml")])
                return [body]
            result = app(environ, start_response)
            if writes:
                server.log("put", key.removeprefix("ycpress/"))
            elif method == "DELETE" and key != path:
                server.log("delete", key.removeprefix("ycpress/"))
            return result

        self.server = make_server("127.0.0.1", 0, logged, True, request_handler=MotoRequestHandler)
        self.port = self.server.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.url = f"s3://{BUCKET}/ycpress/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        client = self.client()
        client.create_bucket(Bucket=BUCKET)
        # moto keeps its buckets for the whole process: each server starts with an empty one
        listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        for item in listed:
            client.delete_object(Bucket=BUCKET, Key=item["Key"])

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def files(self) -> dict[str, bytes]:
        client = self.client()
        found: dict[str, bytes] = {}
        listing = client.list_objects_v2(Bucket=BUCKET, Prefix="ycpress/")
        for item in listing.get("Contents", []):
            body = client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            found[item["Key"].removeprefix("ycpress/")] = body
        return found

    def media_type(self, path: str) -> str:
        head = self.client().head_object(Bucket=BUCKET, Key=f"ycpress/{path}")
        return str(head["ContentType"])

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)


# HTTP ----------------------------------------------------------------------------------------


class HttpReceiver(Server):
    """Takes `PUT /ingest/<path>` and `DELETE /ingest/<path>`, storing files under `root`, and
    checks each request's signature with `secret` and its bearer `token` (401 when wrong)."""

    def __init__(self, home: Path, secret: str | None = None, token: str | None = None) -> None:
        super().__init__()
        self.root = home / "received"
        self.root.mkdir(parents=True)
        self.secret = secret
        self.token = token
        self.verified = 0
        self.requests = 0
        self.clock_ahead = 0.0
        """Seconds the receiver's clock is ahead of this machine's (or this one's went back)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_PUT(self) -> None:
                self.handle_file("PUT")

            def do_DELETE(self) -> None:
                self.handle_file("DELETE")

            def handle_file(self, method: str) -> None:
                with receiver.lock:
                    receiver.requests += 1
                    number = receiver.requests
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                faults = receiver.faults
                if faults.block_at == number:  # held, then dropped unanswered and unstored
                    faults.blocked.set()
                    faults.release.wait(60)
                    self.close_connection = True
                    return None
                if faults.take_failure():
                    return self.answer(faults.status, wait=faults.retry_after)
                if faults.disk_full:
                    return self.answer(507)
                if faults.no_delete and method == "DELETE":
                    return self.answer(405, "Method Not Allowed")
                problem = receiver.check(method, self.path, self.headers, body)
                if problem:
                    return self.answer(401, problem)
                rel = unquote(self.path).removeprefix("/ingest/")
                target = receiver.root / rel
                if method == "PUT":
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(body)
                    receiver.log("put", rel)
                    return self.answer(201)
                if not target.exists():
                    return self.answer(404)
                target.unlink()
                receiver.log("delete", rel)
                return self.answer(204)

            def answer(self, status: int, text: str = "", wait: str | None = None) -> None:
                data = text.encode()
                self.send_response(status)
                if wait is not None:
                    self.send_header("Retry-After", wait)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/ingest/"
        self.headers: list[dict[str, str]] = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def check(self, method: str, path: str, headers: Any, body: bytes) -> str:
        """What is wrong with a request's token, digest or signature ('' when nothing)."""
        self.headers.append(dict(headers))
        if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
            return "bad token"
        sha = hashlib.sha256(body).hexdigest()
        if headers.get("X-Syndicate-Sha256") != sha:
            return "bad digest"
        if self.secret is None:
            return ""
        stamp = headers.get("X-Syndicate-Timestamp", "")
        if not stamp.isdigit() or abs(time.time() + self.clock_ahead - int(stamp)) > 300:
            return "stale timestamp"
        message = f"{method}\n{path}\n{stamp}\n{sha}".encode()
        expected = "sha256=" + hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("X-Syndicate-Signature", ""), expected):
            return "bad signature"
        self.verified += 1
        return ""

    def stop(self) -> None:
        self.faults.release.set()
        self.server.shutdown()
        self.thread.join(10)


class Hub(Server):
    """A WebSub hub: records each publish ping (the topic) and answers 204, or fails as told."""

    def __init__(self) -> None:
        super().__init__()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                status = 204
                if hub.faults.take_failure():
                    status = hub.faults.status
                elif form.get("hub.mode") == ["publish"] and len(form.get("hub.url", [])) == 1:
                    hub.log("ping", form["hub.url"][0])
                else:
                    status = 400
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def pings(self) -> list[str]:
        return [topic for op, topic in self.events if op == "ping"]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
