"""Account mail (verification, password reset): one small interface, two senders chosen by
settings. With no smtp_url the console sender writes mail to the log in dev and test, so
sign-up works on a fresh machine; elsewhere it drops the mail with a warning, because a
log must not hold working reset links."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

from core.config import Environment, Settings
from core.errors import ProviderMisconfigured

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, mail: OutgoingMail) -> None: ...


class ConsoleMailer:
    def __init__(self, *, show_body: bool) -> None:
        self.show_body = show_body

    def send(self, mail: OutgoingMail) -> None:
        if self.show_body:
            log.info("mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
        else:
            log.warning("mail to %s not sent (%s): set RENAMER_SMTP_URL", mail.to, mail.subject)


class SmtpMailer:
    """smtplib, the standard library's client: smtp:// upgrades with STARTTLS when the server
    offers it, smtps:// is TLS from the start; credentials come from the URL."""

    def __init__(self, url: str, *, mail_from: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ProviderMisconfigured(
                "RENAMER_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465.",
                provider="smtp",
            )
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.mail_from = mail_from
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        if self.tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        return client

    def send(self, mail: OutgoingMail) -> None:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        with self._connect() as client:
            if self.username is not None:
                client.login(self.username, self.password or "")
            client.send_message(message)


def get_mailer(settings: Settings) -> Mailer:
    if settings.smtp_url is not None:
        return SmtpMailer(
            settings.smtp_url.get_secret_value(), mail_from=settings.mail_from, timeout=settings.smtp_timeout_seconds
        )
    return ConsoleMailer(show_body=settings.environment in (Environment.DEV, Environment.TEST))


def send_quietly(mailer: Mailer, mail: OutgoingMail) -> None:
    """For after the response: a mail server that is down must not turn a committed sign-up
    into an error; the person can ask for the mail again."""
    try:
        mailer.send(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail to %s (%s)", mail.to, mail.subject)
