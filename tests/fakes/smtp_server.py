"""A minimal SMTP server on 127.0.0.1 for tests: it speaks just enough of RFC 5321 (EHLO,
AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for the standard library's smtplib client, and
keeps every message it receives. Hand-written because aiosmtpd is not installed; a thread per
connection (socketserver) is plenty for a test."""

from __future__ import annotations

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage
    login: str | None


@dataclass
class _State:
    inbox: list[ReceivedMail] = field(default_factory=list)
    received: threading.Condition = field(default_factory=threading.Condition)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        sender, recipients, login = "", [], None
        self._reply("220 fake-smtp ready")
        while raw := self.rfile.readline():
            line = raw.decode().rstrip("\r\n")
            verb, _, argument = line.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-fake-smtp\r\n250 AUTH PLAIN\r\n")
            elif verb == "AUTH":
                _, _, encoded = argument.partition(" ")
                login = base64.b64decode(encoded).split(b"\0")[1].decode()
                self._reply("235 ok")
            elif verb == "MAIL":
                sender = argument.partition(":")[2].strip("<> ")
                self._reply("250 ok")
            elif verb == "RCPT":
                recipients.append(argument.partition(":")[2].strip("<> "))
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with .")
                body = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk[1:] if chunk.startswith(b"..") else chunk  # undo dot-stuffing
                message = message_from_bytes(bytes(body), policy=policy.default)
                with self.server.state.received:
                    self.server.state.inbox.append(ReceivedMail(sender, recipients, message, login))
                    self.server.state.received.notify_all()
                sender, recipients = "", []
                self._reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 ok")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State


class FakeSmtpServer:
    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def inbox(self) -> list[ReceivedMail]:
        return self._server.state.inbox

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        with self._server.state.received:
            self._server.state.received.wait_for(lambda: len(self.inbox) >= count, timeout=timeout)
        return list(self.inbox)

    def __enter__(self) -> FakeSmtpServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
