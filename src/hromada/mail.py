"""Sending one e-mail through the configured SMTP server (``HROMADA_SMTP_URL``).

The standard library's ``smtplib`` in a thread: a message is a few kilobytes, sent
from the jobs worker, never on a request's path. Who gets what, and the retries,
belong to the callers (the jobs queue retries a send that raised).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from hromada.config import Settings

TIMEOUT = 30.0


class MailNotConfigured(RuntimeError):
    """No SMTP server is set: the message waits until one is."""


def message(
    settings: Settings, *, to: str, subject: str, body: str, message_id: str
) -> EmailMessage:
    """A plain-text UTF-8 message. ``message_id`` is fixed by the caller, so a message sent
    twice (a worker that died after the server accepted it) is one message to the
    recipient's mail system."""
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def _send(settings: Settings, mail: EmailMessage) -> None:
    parts = urlsplit(settings.smtp_url)
    host, port = parts.hostname or "", parts.port or 25
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, port, timeout=TIMEOUT)
    with client:
        if parts.scheme == "smtp":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(mail)


async def send(settings: Settings, mail: EmailMessage) -> None:
    """Hand the message to the SMTP server; raises when it is not accepted."""
    if not settings.smtp_url:
        raise MailNotConfigured("HROMADA_SMTP_URL is not set: the message stays queued")
    await asyncio.to_thread(_send, settings, mail)
