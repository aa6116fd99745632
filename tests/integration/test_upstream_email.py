"""The email upstream adapter against a real IMAP server (dovecot, tests/integration/imap_server.py)
and a real SMTP server (aiosmtpd): mails in UTF-8 and GBK become items, malformed ones are rejected
with their reasons, acknowledging moves a mail out of the inbox, and the answer is a threaded reply.
"""

import base64
import re
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from imap_server import Dovecot, ImapServer, dovecot, dovecot_without_move, imap_server  # noqa: F401 (fixtures)
from pydantic import SecretStr
from test_notification_worker import Mailbox, mailbox  # noqa: F401 (a fixture)

from workers.settings import Settings
from workers.upstream.adapter import Answer, UpstreamRefused, UpstreamUnavailable
from workers.upstream.email import EmailUpstream
from workers.upstream.platforms import open_platform
from workers.upstream_policy import EmailPlatform, known_categories, load_upstream_policy

CONFIG = Path(__file__).resolve().parents[2] / "config"
KEY = "email-referral"
SHANGHAI = timezone(timedelta(hours=8))
# What answer_key gives for some answer; these tests only carry it.
ANSWER_KEY = "9f2c" * 16
PROCESSED = "Minsheng/已受理"
# The processed mailbox's name as IMAP spells it (modified UTF-7), for the test's own look-ups.
PROCESSED_ON_THE_WIRE = '"Minsheng/&XfJT13QG-"'


def words(text: str, charset: str) -> str:
    """`text` as an RFC 2047 encoded word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


UTF8_MAIL = (
    f"From: {words('王女士', 'utf-8')} <wang@example.cn>\r\n"
    "To: 12345@example.gov.cn\r\n"
    f"Subject: {words('【投诉类】小区路灯不亮', 'utf-8')}\r\n"
    "Date: Thu, 26 Nov 2026 09:30:00 +0800\r\n"
    "Message-ID: <utf8-1@example.cn>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    + base64.encodebytes("幸福小区三号楼前的路灯坏了两周，联系电话 13800000000。".encode()).decode("ascii")
).encode("ascii")

HTML = "<html><style>p {color: red}</style><body><p>请问社保卡丢失后到哪里补办？</p><p>李喆</p></body></html>"
# GBK as Chinese mailers send it: labelled gb2312 though it has a GBK-only character (喆), a raw
# 8-bit display name, and only an HTML part.
GBK_MAIL = (
    b"From: " + "李喆".encode("gbk") + b" <li@example.cn>\r\n"
    b"To: 12345@example.gov.cn\r\n"
    + f"Subject: {words('[咨询] 社保卡补办地点', 'gbk').replace('gbk', 'gb2312')}\r\n".encode("ascii")
    + b"Date: Thu, 26 Nov 2026 10:00:00 -0000\r\n"
    b"Message-ID: <gbk-2@example.cn>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/html; charset=gb2312\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n" + HTML.encode("gbk") + b"\r\n--b1--\r\n"
)


def mail(subject: str, message_id: str | None, date: str = "Thu, 26 Nov 2026 11:00:00 +0800") -> bytes:
    header = f"Message-ID: <{message_id}>\r\n" if message_id else ""
    return (
        f"From: sender@example.cn\r\nSubject: {words(subject, 'utf-8')}\r\nDate: {date}\r\n{header}"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes("正文内容".encode()).decode("ascii")
    ).encode("ascii")


def policy(server: ImapServer, smtp_port: int = 25, **changes: object) -> EmailPlatform:
    shipped = load_upstream_policy(CONFIG).platforms[KEY]
    assert isinstance(shipped, EmailPlatform), f"{KEY} in config/upstream.toml is not an email platform"
    return shipped.model_copy(
        update={
            "enabled": True,
            "imap_host": server.host,
            "imap_port": server.port,
            "imap_security": "none",
            "username": server.user,
            "processed_mailbox": PROCESSED,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "smtp_security": "none",
            **changes,
        }
    )


def upstream(
    server: ImapServer, smtp_port: int = 25, password: str | None = None, **changes: object
) -> EmailUpstream:
    return EmailUpstream(
        KEY,
        policy(server, smtp_port, **changes),
        known_categories(CONFIG),
        SecretStr(server.password if password is None else password),
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_mails_in_utf8_and_gbk_become_items(imap_server: ImapServer) -> None:  # noqa: F811
    imap_server.append(UTF8_MAIL)
    imap_server.append(GBK_MAIL)
    fetched = await upstream(imap_server).fetch_new()
    assert fetched.rejected == (), f"well-formed mails were rejected: {fetched.rejected}"
    by_id = {item.upstream_id: item for item in fetched.items}
    assert set(by_id) == {"utf8-1@example.cn", "gbk-2@example.cn"}, f"items: {list(by_id)}"
    wang = by_id["utf8-1@example.cn"]
    assert (wang.platform, wang.title, wang.category) == (KEY, "小区路灯不亮", "投诉"), (
        f"the tag 【投诉类】 must become the category 投诉 and leave the title: {wang}"
    )
    assert wang.content == "幸福小区三号楼前的路灯坏了两周，联系电话 13800000000。"
    assert (wang.appellant_name, wang.appellant_phone) == ("王女士", "13800000000")
    assert wang.received_at == datetime(2026, 11, 26, 9, 30, tzinfo=SHANGHAI)
    assert wang.raw["from"] == "wang@example.cn"
    li = by_id["gbk-2@example.cn"]
    assert (li.title, li.category, li.appellant_name) == ("社保卡补办地点", "咨询", "李喆"), (
        f"GBK labelled gb2312 must be read with GB18030: {li}"
    )
    assert li.content == "请问社保卡丢失后到哪里补办？\n李喆", f"the HTML body, stripped: {li.content!r}"
    assert li.appellant_phone is None
    # -0000 says the zone is unknown: the platform's own.
    assert li.received_at == datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
    assert imap_server.count("INBOX") == 2, "fetching must leave the mails where they are"


async def test_mails_that_do_not_fit_are_rejected_with_their_reasons(imap_server: ImapServer) -> None:  # noqa: F811
    imap_server.append(mail("小区路灯不亮", "no-tag@example.cn"))
    imap_server.append(mail("【灌水】随便说说", "unknown@example.cn"))
    imap_server.append(mail("【建议】多种树", "bad-date@example.cn", date="next Tuesday"))
    imap_server.append(mail("【投诉】", "no-title@example.cn"))
    fetched = await upstream(imap_server).fetch_new()
    known = ", ".join(sorted(known_categories(CONFIG)))
    assert fetched.items == (), f"none of these mails may start a process: {fetched.items}"
    reasons = {rejected.upstream_id: rejected.reasons for rejected in fetched.rejected}
    assert reasons == {
        "no-tag@example.cn": ("category: is required",),
        "unknown@example.cn": (f"category: unknown category '灌水' (known: {known})",),
        "bad-date@example.cn": ("received_at: is not a date-time: 'next Tuesday'",),
        "no-title@example.cn": ("title: must not be blank",),
    }, f"reasons: {reasons}"
    raw: Any = fetched.rejected[0].raw
    assert raw["from"] == "sender@example.cn" and raw["subject"] == "小区路灯不亮", (
        f"a rejected mail keeps what arrived, for the person who looks at it: {raw}"
    )


async def test_a_default_category_files_untagged_mails(imap_server: ImapServer) -> None:  # noqa: F811
    imap_server.append(mail("小区路灯不亮", "no-tag@example.cn"))
    fetched = await upstream(imap_server, default_category="其他").fetch_new()
    assert [(item.title, item.category) for item in fetched.items] == [("小区路灯不亮", "其他")]


async def test_acknowledging_moves_the_mail_so_the_next_fetch_does_not_see_it(
    imap_server: ImapServer,  # noqa: F811
) -> None:
    imap_server.append(UTF8_MAIL)
    imap_server.append(mail("【咨询】没有编号的邮件", None))
    platform = upstream(imap_server)
    first = await platform.fetch_new()
    ids = sorted(item.upstream_id for item in first.items)
    assert len(ids) == 2 and ids[1] == "utf8-1@example.cn", f"items: {ids}"
    # A mail without a Message-ID is known by the inbox's UIDVALIDITY and its UID.
    assert ids[0].replace(":", "").isdigit(), f"expected UIDVALIDITY:UID, got {ids[0]!r}"
    assert imap_server.count(PROCESSED_ON_THE_WIRE) is None, (
        "the processed mailbox exists before any acknowledgement"
    )
    for upstream_id in ids:
        await platform.acknowledge(upstream_id)
    second = await platform.fetch_new()
    assert second.items == () and second.rejected == (), f"acknowledged mails came back: {second}"
    assert imap_server.count("INBOX") == 0
    assert imap_server.count(PROCESSED_ON_THE_WIRE) == 2, f"the mails are not in {PROCESSED}"
    # A retried job acknowledges again: the mail is already where it belongs.
    await platform.acknowledge("utf8-1@example.cn")
    with pytest.raises(
        UpstreamRefused, match=re.escape("no mail nobody@example.cn in 'INBOX' or 'Minsheng/已受理'")
    ):
        await platform.acknowledge("nobody@example.cn")


async def test_without_move_acknowledging_copies_and_expunges_only_that_mail(
    dovecot_without_move: Dovecot,  # noqa: F811
) -> None:
    server = dovecot_without_move.new_user()
    server.append(UTF8_MAIL)
    server.append(GBK_MAIL)
    await upstream(server).acknowledge("utf8-1@example.cn")
    remaining = await upstream(server).fetch_new()
    assert [item.upstream_id for item in remaining.items] == ["gbk-2@example.cn"], (
        f"only the acknowledged mail may leave the inbox: {remaining}"
    )
    assert server.count(PROCESSED_ON_THE_WIRE) == 1, f"the mail was not copied to {PROCESSED}"


async def test_the_answer_is_a_threaded_reply_to_the_sender(
    imap_server: ImapServer,  # noqa: F811
    mailbox: tuple[Mailbox, int],  # noqa: F811
) -> None:
    box, smtp_port = mailbox
    imap_server.append(UTF8_MAIL)
    platform = upstream(imap_server, smtp_port)
    await platform.acknowledge("utf8-1@example.cn")
    answered_at = datetime(2026, 11, 30, 16, 5, tzinfo=SHANGHAI)
    answer = Answer(
        text="路灯已于11月28日修复。", answered_at=answered_at, unit="市城市管理局", key=ANSWER_KEY
    )
    receipt = await platform.post_answer("utf8-1@example.cn", answer)
    assert len(box.messages) == 1, f"the SMTP server received {len(box.messages)} mails"
    reply = box.messages[0]
    assert isinstance(reply, EmailMessage), "the SMTP test server parses with the default policy"
    assert reply["To"] == "wang@example.cn"
    assert reply["From"] == "12345@example.gov.cn"
    assert reply["Subject"] == "答复：小区路灯不亮"
    assert reply["In-Reply-To"] == "<utf8-1@example.cn>"
    assert reply["References"] == "<utf8-1@example.cn>"
    body = reply.get_content()
    assert "路灯已于11月28日修复。" in body and "市城市管理局" in body and "2026-11-30 16:05" in body, body
    assert receipt.upstream_id == "utf8-1@example.cn"
    assert f"<{receipt.receipt_id}>" == reply["Message-ID"], "the receipt is the reply's Message-ID"
    assert reply["Message-ID"] == f"<{ANSWER_KEY}@example.gov.cn>", (
        "the same answer sent again should be the same message: its Message-ID is the answer's key"
    )


async def test_an_answer_to_a_mail_that_is_not_there_is_refused(
    imap_server: ImapServer,  # noqa: F811
    mailbox: tuple[Mailbox, int],  # noqa: F811
) -> None:
    box, smtp_port = mailbox
    answer = Answer(
        text="答复", answered_at=datetime(2026, 11, 30, tzinfo=SHANGHAI), unit="市政府", key=ANSWER_KEY
    )
    with pytest.raises(UpstreamRefused, match=re.escape("no mail missing@example.cn to answer")):
        await upstream(imap_server, smtp_port).post_answer("missing@example.cn", answer)
    assert box.messages == []


class Refusing:
    """An SMTP server that knows no such recipient."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 no such user"


@pytest.fixture
def refusing_smtp() -> Iterator[int]:
    port = closed_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


async def test_smtp_refusal_and_absence_are_told_apart(imap_server: ImapServer, refusing_smtp: int) -> None:  # noqa: F811
    imap_server.append(UTF8_MAIL)
    answer = Answer(
        text="答复", answered_at=datetime(2026, 11, 30, tzinfo=SHANGHAI), unit="市政府", key=ANSWER_KEY
    )
    with pytest.raises(UpstreamRefused, match="550") as refused:
        await upstream(imap_server, refusing_smtp).post_answer("utf8-1@example.cn", answer)
    assert refused.value.status == 550
    with pytest.raises(
        UpstreamUnavailable, match=re.escape("post_answer: unavailable: SMTP server 127.0.0.1")
    ):
        await upstream(imap_server, closed_port()).post_answer("utf8-1@example.cn", answer)


async def test_an_unreachable_or_silent_imap_server_is_unavailable(imap_server: ImapServer) -> None:  # noqa: F811
    with pytest.raises(
        UpstreamUnavailable, match=r"fetch_new: unavailable: IMAP server 127\.0\.0\.1:.*Connection"
    ):
        await upstream(imap_server, imap_port=closed_port()).fetch_new()
    # A server that takes the connection and never greets: the timeout, not a hang.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(UpstreamUnavailable, match=r"acknowledge: unavailable: .*timed out"):
            await upstream(imap_server, imap_port=silent.getsockname()[1], timeout_s=0.5).acknowledge("x@y")


async def test_a_mailbox_that_is_not_there_is_refused(imap_server: ImapServer) -> None:  # noqa: F811
    with pytest.raises(UpstreamRefused, match=re.escape("no mailbox 'Archive'")):
        await upstream(imap_server, mailbox="Archive").fetch_new()


async def test_open_platform_picks_the_adapter_by_kind_with_its_secret(imap_server: ImapServer) -> None:  # noqa: F811
    imap_server.append(UTF8_MAIL)
    shipped = load_upstream_policy(CONFIG)
    platforms = dict(shipped.platforms) | {KEY: policy(imap_server)}
    local = shipped.model_copy(update={"platforms": platforms})
    categories = known_categories(CONFIG)
    settings = Settings(upstream_secrets={KEY: SecretStr(imap_server.password)})
    async with open_platform(KEY, local, categories, settings) as platform:
        assert isinstance(platform, EmailUpstream)
        fetched = await platform.fetch_new()
    assert [item.upstream_id for item in fetched.items] == ["utf8-1@example.cn"]
    async with open_platform("provincial-hotline", local, categories, settings) as http:
        assert http.name == "provincial-hotline" and not isinstance(http, EmailUpstream)
    with pytest.raises(UpstreamRefused, match="no password: set it in MINSHENG_UPSTREAM_SECRETS"):
        async with open_platform(KEY, local, categories, Settings()):
            pass


# Last of the module: after a failed login, dovecot slows down further logins from the address.
async def test_a_wrong_password_is_refused(imap_server: ImapServer) -> None:  # noqa: F811
    with pytest.raises(
        UpstreamRefused, match=re.escape("refused the login: [AUTHENTICATIONFAILED]")
    ) as refused:
        await upstream(imap_server, password="wrong-password").fetch_new()
    # IMAP has no refusal numbers: none is made up.
    assert refused.value.status is None
    assert "fetch_new: refused: IMAP server" in str(refused.value), str(refused.value)
