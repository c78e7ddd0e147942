"""E-mail about petitions, through a real SMTP server in this process (aiosmtpd): the
author at every state change, signers who agreed when the answer is published; nothing
lost while the server is down and nothing sent twice when it is back.

Everything is real: the live hromada servers run their own jobs worker, which sends
through smtplib to the aiosmtpd server on a local port."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import closing
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from tests.auth.conftest import Live, make_live
from tests.participation.petitions.test_petitions import NEW, _session

from hromada.config import Settings


class Inbox:
    """What the SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[str]:
        return [str(m["Subject"]) for m in self.messages if m["To"] == address]


class Smtp:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def mail_servers(settings: Settings, smtp: Smtp) -> Iterator[Live]:
    yield from make_live(
        settings.replace(
            petition_threshold=2,
            petition_open_drafts=3,
            smtp_url=f"smtp://127.0.0.1:{smtp.port}",
            petition_signer_name="initials",  # and the signer list in another style
        )
    )


@pytest.fixture
def live(mail_servers: Live, city: Settings, smtp: Smtp) -> Live:
    mail_servers.reset()
    smtp.inbox.messages.clear()
    if smtp.controller is None:
        smtp.start()
    return mail_servers


def _wait_for(check: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("waited 30 s: " + getattr(check, "__doc__", "") or "")


def _email(client: httpx.Client, csrf: dict[str, str], on: bool) -> httpx.Response:
    return client.put("/api/v1/me/notifications", json={"email": on}, headers=csrf)


STAGES = ("перша", "друга", "третя")
OLENA, TARAS, IRYNA = (f"{k}@demo.hromada.example" for k in ("olena", "taras", "iryna"))


def test_the_author_and_agreeing_signers_get_mail(live: Live, smtp: Smtp) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    taras, taras_csrf = _session(live, "c-taras-1002")
    iryna, iryna_csrf = _session(live, "c-iryna-1003")
    with closing(olena), closing(taras), closing(iryna):
        # Off until the resident turns it on; on, it shows the provider's address.
        assert olena.get("/api/v1/me").json()["notifications"] == {"email": False, "address": OLENA}
        assert _email(olena, csrf, True).json() == {"email": True, "address": OLENA}
        assert _email(taras, taras_csrf, True).status_code == 200
        taras_id = taras.get("/api/v1/me").json()["id"]
        # Without the CSRF token nothing changes.
        assert iryna.put("/api/v1/me/notifications", json={"email": True}).status_code == 403
        assert iryna.get("/api/v1/me").json()["notifications"]["email"] is False

        number = olena.post("/api/v1/petitions", json=NEW, headers=csrf).json()["id"]
        assert olena.post(f"/api/v1/petitions/{number}/submit", headers=csrf).status_code == 200
        natalia, staff = _session(live, "c-natalia-1007")
        with closing(natalia):
            assert (
                natalia.post(
                    f"/api/v1/petitions/{number}/moderation",
                    json={"decision": "publish"},
                    headers=staff,
                ).status_code
                == 200
            )
        for client, token in ((taras, taras_csrf), (iryna, iryna_csrf)):
            assert (
                client.post(f"/api/v1/petitions/{number}/signatures", headers=token).status_code
                == 200
            )
        listed = taras.get(f"/api/v1/petitions/{number}/signatures").json()["items"]
        assert [s["name"] for s in listed] == ["Т. Б.", "І. М."]
        petro, petro_csrf = _session(live, "c-petro-1008")
        with closing(petro):
            assert (
                petro.post(
                    f"/api/v1/petitions/{number}/answer",
                    json={
                        "kind": "supported",
                        "text": "Доріжку облаштують навесні наступного року.",
                    },
                    headers=petro_csrf,
                ).status_code
                == 200
            )

    def all_arrived() -> bool:
        """four mails to the author and one to the signer who agreed"""
        return len(smtp.inbox.to(OLENA)) == 4 and len(smtp.inbox.to(TARAS)) == 1

    _wait_for(all_arrived)
    title = NEW["title"]
    assert sorted(smtp.inbox.to(OLENA)) == sorted(
        [
            f"Петицію «{title}» надіслано на модерацію",
            f"Петицію «{title}» оприлюднено: збір підписів триває",
            f"Петиція «{title}» набрала потрібну кількість підписів",
            f"Відповідь на петицію «{title}»",
        ]
    )
    assert smtp.inbox.to(TARAS) == [f"Відповідь на петицію «{title}», яку ви підписали"]
    assert smtp.inbox.to(IRYNA) == []  # signed, but never agreed to e-mail
    answer = next(m for m in smtp.inbox.messages if m["To"] == TARAS)
    body = answer.get_content()
    assert "підтримано" in body and "навесні" in body
    assert f"/api/v1/petitions/{number}\n" in body
    assert answer["Message-ID"] == f"<petition-{number}.signer.answered.{taras_id}@hromada.local>"
    time.sleep(2.5)  # the worker polls every second: nothing more comes
    assert len(smtp.inbox.messages) == 5


def test_nothing_lost_while_smtp_is_down_and_nothing_twice(live: Live, smtp: Smtp) -> None:
    smtp.stop()
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        assert _email(olena, csrf, True).status_code == 200
        numbers = []
        for n in range(3):
            body = {**NEW, "title": f"{NEW['title']}: {STAGES[n]} черга"}
            created = olena.post("/api/v1/petitions", json=body, headers=csrf)
            assert created.status_code == 201, created.text
            number = created.json()["id"]
            submitted = olena.post(f"/api/v1/petitions/{number}/submit", headers=csrf)
            assert submitted.status_code == 200  # the request never waits for mail
            numbers.append(number)
    time.sleep(3)  # the worker tries, fails and backs off
    assert smtp.inbox.messages == []
    smtp.start()

    def all_arrived() -> bool:
        """the three submission mails, after the server came back"""
        return len(smtp.inbox.to(OLENA)) == 3

    _wait_for(all_arrived)
    time.sleep(2.5)
    subjects = sorted(smtp.inbox.to(OLENA))
    assert subjects == sorted(
        f"Петицію «{NEW['title']}: {STAGES[n]} черга» надіслано на модерацію" for n in range(3)
    )
    ids = [m["Message-ID"] for m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 3


def test_turning_email_off_stops_mail_and_on_needs_an_address(live: Live, smtp: Smtp) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        assert _email(olena, csrf, True).status_code == 200
        assert _email(olena, csrf, False).json()["email"] is False
        number = olena.post("/api/v1/petitions", json=NEW, headers=csrf).json()["id"]
        assert olena.post(f"/api/v1/petitions/{number}/submit", headers=csrf).status_code == 200
        bad = olena.put("/api/v1/me/notifications", json={"email": "yes"}, headers=csrf)
        assert bad.status_code == 422 and bad.headers["content-type"].startswith(
            "application/problem+json"
        )
        extra = olena.put(
            "/api/v1/me/notifications", json={"email": True, "address": "x@evil.example"},
            headers=csrf,
        )  # fmt: skip
        assert extra.status_code == 422  # the address comes from the provider, never a client
    time.sleep(2.5)
    assert smtp.inbox.messages == []


@pytest.mark.parametrize(
    ("raw", "verified", "kept"),
    [
        ("olena@ukr.net", True, "olena@ukr.net"),
        (" olena@ukr.net ", None, "olena@ukr.net"),
        ("olena@ukr.net", False, None),  # the provider does not vouch for it
        ("olena@ukr.net\r\nBcc: all@city.example", True, None),  # header injection
        ("<olena@ukr.net>", True, None),
        ("olena", True, None),
        ("a" * 250 + "@ukr.net", True, None),
        (["olena@ukr.net"], True, None),
    ],
)
def test_only_a_vouched_plain_address_is_kept(
    raw: object, verified: object, kept: str | None
) -> None:
    from hromada.auth.identity import parse_email

    assert parse_email(raw, True if verified is None else verified) == kept
