"""An upstream platform that assigns items by mail, configured by `config/upstream.toml`.

Items arrive in a mailbox read over IMAP; acknowledging one moves its mail to another mailbox, so
whatever is left in the first is new (a person may have opened a mail in a mail client: "unseen"
would lose it). The answer goes back over SMTP as a reply to the sender, threaded on the item's
Message-ID, which is the item's upstream id.

Chinese mailers label GBK text gb2312, send GB18030, or put raw 8-bit bytes in headers; all of it is
read with GB18030, the superset. imaplib and smtplib block, so every call runs in a thread.
Connection failures and timeouts are `UpstreamUnavailable`; a refused login or command is
`UpstreamRefused`, because retrying it will not help.
"""

import asyncio
import base64
import imaplib
import re
import smtplib
import ssl
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from types import TracebackType
from typing import Any, NoReturn, Self
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from workers.upstream.adapter import (
    Answer,
    Fetched,
    Receipt,
    Rejected,
    UpstreamItem,
    UpstreamRefused,
    UpstreamUnavailable,
    accept,
)
from workers.upstream_policy import EmailPlatform

# An id of a mail without a Message-ID: the mailbox's UIDVALIDITY and the mail's UID.
_UID_ID = re.compile(r"(\d+):(\d+)")
# A mobile number, else a landline with its area code.
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_GB = {"gb2312", "gbk", "x-gbk", "cp936", "euc-cn", "gb18030"}


def _text(data: bytes, charset: str | None) -> str:
    """`data` in its declared charset, else UTF-8, else GB18030 (undeclared Chinese mail)."""
    declared = None if charset is None else ("gb18030" if charset.lower() in _GB else charset)
    for candidate in (declared, "utf-8", "gb18030"):
        if candidate is None:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _header(message: Message, name: str) -> str | None:
    """The header decoded (RFC 2047 words and raw 8-bit bytes alike) and unfolded."""
    value = message.get(name)
    if value is None:
        return None
    decoded = "".join(
        _text(part, charset) if isinstance(part, bytes) else part for part, charset in decode_header(value)
    )
    return " ".join(decoded.split()) or None


class _Stripper(HTMLParser):
    """The text of an HTML body, one line per block."""

    _BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _strip_html(markup: str) -> str:
    stripper = _Stripper()
    stripper.feed(markup)
    stripper.close()
    lines = (" ".join(line.split()) for line in "".join(stripper.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _body(message: Message) -> str | None:
    """The text/plain part, else the text of the text/html one; attachments are not the body."""
    found: dict[str, str] = {}
    for part in message.walk():
        kind = part.get_content_type()
        if part.is_multipart() or part.get_content_disposition() == "attachment" or kind in found:
            continue
        payload = part.get_payload(decode=True)
        if kind in ("text/plain", "text/html") and isinstance(payload, bytes):
            found[kind] = _text(payload, part.get_content_charset())
    plain = found.get("text/plain", "").strip()
    if plain:
        return plain
    return _strip_html(found["text/html"]) if "text/html" in found else None


def _tagged(subject: str, brackets: Collection[str]) -> tuple[str | None, str]:
    """The tag that opens `subject` ("【投诉】路灯不亮" → "投诉") and the rest, the title."""
    for pair in brackets:
        end = subject.find(pair[1], 1)
        if subject.startswith(pair[0]) and end > 1:
            return subject[1:end].strip(), subject[end + 1 :].strip()
    return None, subject


def _mailbox(name: str) -> str:
    """`name` as an IMAP mailbox argument: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    encoded: list[str] = []
    wide: list[str] = []

    def shift() -> None:
        if wide:
            utf16 = base64.b64encode("".join(wide).encode("utf-16-be")).decode("ascii")
            encoded.append("&" + utf16.rstrip("=").replace("/", ",") + "-")
            wide.clear()

    for char in name:
        if " " <= char <= "~":
            shift()
            encoded.append("&-" if char == "&" else char)
        else:
            wide.append(char)
    shift()
    return _quoted("".join(encoded))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(response: tuple[str, list[Any]], what: str) -> list[Any]:
    typ, data = response
    if typ != "OK":
        said = b" ".join(part for part in data if isinstance(part, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what}: {typ} {said}".strip())
    return data


def _said(error: imaplib.IMAP4.error) -> str:
    """The server's words: imaplib passes them on as bytes."""
    said = error.args[0] if error.args else ""
    return said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)


def _uids(data: list[Any]) -> list[str]:
    return [uid.decode("ascii") for uid in (data[0] or b"").split()]


class EmailUpstream:
    """`UpstreamPlatform` over IMAP and SMTP. Every call opens its own connections (there are a few
    fetches a day), so closing has nothing to release; it is an async context manager like the
    other platforms."""

    def __init__(
        self, key: str, policy: EmailPlatform, categories: Collection[str], password: SecretStr
    ) -> None:
        self._key = key
        self._policy = policy
        self._categories = frozenset(categories)
        self._timezone = ZoneInfo(policy.timezone)
        self._password = password

    @property
    def name(self) -> str:
        return self._key

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None

    async def fetch_new(self) -> Fetched:
        return await asyncio.to_thread(self._fetch_new)

    async def acknowledge(self, upstream_id: str) -> None:
        await asyncio.to_thread(self._acknowledge, upstream_id)

    async def post_answer(self, upstream_id: str, answer: Answer) -> Receipt:
        original = await asyncio.to_thread(self._original, upstream_id)
        reply = self._reply(upstream_id, original, answer)
        await asyncio.to_thread(self._send, reply)
        receipt_id = str(reply["Message-ID"]).strip("<>")
        return Receipt(
            upstream_id=upstream_id,
            receipt_id=receipt_id,
            raw={"message_id": receipt_id, "to": str(reply["To"])},
        )

    # IMAP

    @contextmanager
    def _imap(self, operation: str) -> Iterator[imaplib.IMAP4]:
        """A logged-in connection; IMAP errors inside become the caller's Upstream errors."""
        policy = self._policy
        where = f"{policy.imap_host}:{policy.imap_port}"
        try:
            if policy.imap_security == "ssl":
                context = ssl.create_default_context()
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    policy.imap_host, policy.imap_port, ssl_context=context, timeout=policy.timeout_s
                )
            else:
                imap = imaplib.IMAP4(policy.imap_host, policy.imap_port, timeout=policy.timeout_s)
        except (OSError, imaplib.IMAP4.error) as error:
            raise UpstreamUnavailable(
                self._key, operation, f"IMAP server {where}: {type(error).__name__}: {error}"
            ) from error
        try:
            if policy.imap_security == "starttls":
                imap.starttls(ssl.create_default_context())
            try:
                imap.login(policy.username, self._password.get_secret_value())
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as error:
                refusal = f"IMAP server {where} refused the login: {_said(error)}"
                raise UpstreamRefused(self._key, operation, None, refusal) from error
            yield imap
        except (OSError, imaplib.IMAP4.abort) as error:
            raise UpstreamUnavailable(
                self._key, operation, f"IMAP server {where}: {type(error).__name__}: {error}"
            ) from error
        except imaplib.IMAP4.error as error:
            raise UpstreamRefused(
                self._key, operation, None, f"IMAP server {where}: {_said(error)}"
            ) from error
        finally:
            # The connection is gone either way.
            with suppress(OSError, imaplib.IMAP4.error):
                imap.logout()

    def _select(self, imap: imaplib.IMAP4, mailbox: str, *, readonly: bool) -> str | None:
        """Select `mailbox`; its UIDVALIDITY, or None when there is no such mailbox."""
        typ, _ = imap.select(_mailbox(mailbox), readonly=readonly)
        if typ != "OK":
            return None
        _, validity = imap.response("UIDVALIDITY")
        return validity[0].decode("ascii") if validity and validity[0] else ""

    def _fetch_new(self) -> Fetched:
        mailbox = self._policy.mailbox
        with self._imap("fetch_new") as imap:
            validity = self._select(imap, mailbox, readonly=True)
            if validity is None:
                raise imaplib.IMAP4.error(f"there is no mailbox {mailbox!r}")
            uids = _uids(_ok(imap.uid("SEARCH", "ALL"), "search"))
            if not uids:
                return Fetched()
            data = _ok(imap.uid("FETCH", ",".join(uids), "(UID BODY.PEEK[])"), "fetch")
        items: list[UpstreamItem] = []
        rejected: list[Rejected] = []
        for part in data:
            # Each message is (b"1 (UID 7 BODY[] {size}", source), followed by b")".
            if not isinstance(part, tuple):
                continue
            found = re.search(rb"UID (\d+)", part[0])
            uid = found.group(1).decode("ascii") if found else ""
            outcome = self._parse(f"{validity}:{uid}", part[1])
            if isinstance(outcome, UpstreamItem):
                items.append(outcome)
            else:
                rejected.append(outcome)
        return Fetched(items=tuple(items), rejected=tuple(rejected))

    def _find(self, imap: imaplib.IMAP4, upstream_id: str, validity: str) -> list[str]:
        """The UIDs of the item's mails in the selected mailbox (a mail sent twice is one item)."""
        by_uid = _UID_ID.fullmatch(upstream_id)
        if by_uid is not None:
            if by_uid.group(1) != validity:
                return []
            return _uids(_ok(imap.uid("SEARCH", "UID", by_uid.group(2)), "search"))
        criteria = ("HEADER", "Message-ID", _quoted(f"<{upstream_id}>"))
        return _uids(_ok(imap.uid("SEARCH", *criteria), "search"))

    def _acknowledge(self, upstream_id: str) -> None:
        mailbox, processed = self._policy.mailbox, self._policy.processed_mailbox
        with self._imap("acknowledge") as imap:
            validity = self._select(imap, mailbox, readonly=False)
            if validity is None:
                raise imaplib.IMAP4.error(f"there is no mailbox {mailbox!r}")
            uids = self._find(imap, upstream_id, validity)
            if not uids:
                # Acknowledged before (a retried job) if it is in the processed mailbox already.
                moved = self._select(imap, processed, readonly=True)
                if moved is None or not self._find(imap, upstream_id, moved):
                    raise imaplib.IMAP4.error(f"no mail {upstream_id} in {mailbox!r} or {processed!r}")
                return
            if not _ok(imap.list('""', _mailbox(processed)), "list")[0]:
                _ok(imap.create(_mailbox(processed)), f"create {processed!r}")
                _ok(imap.subscribe(_mailbox(processed)), f"subscribe {processed!r}")
            # The capabilities after login, which are the ones that count.
            capabilities = set(_ok(imap.capability(), "capability")[-1].decode("ascii").upper().split())
            which = ",".join(uids)
            if "MOVE" in capabilities:
                _ok(imap.uid("MOVE", which, _mailbox(processed)), f"move to {processed!r}")
                return
            _ok(imap.uid("COPY", which, _mailbox(processed)), f"copy to {processed!r}")
            _ok(imap.uid("STORE", which, "+FLAGS.SILENT", r"(\Deleted)"), "flag deleted")
            # Without UIDPLUS, EXPUNGE also removes whatever else someone flagged deleted.
            _ok(imap.uid("EXPUNGE", which) if "UIDPLUS" in capabilities else imap.expunge(), "expunge")

    def _original(self, upstream_id: str) -> Message:
        """The headers of the item's mail, in the processed mailbox or, not acknowledged yet, the
        mailbox."""
        with self._imap("post_answer") as imap:
            for mailbox in (self._policy.processed_mailbox, self._policy.mailbox):
                validity = self._select(imap, mailbox, readonly=True)
                uids = [] if validity is None else self._find(imap, upstream_id, validity)
                if uids:
                    data = _ok(imap.uid("FETCH", uids[0], "(BODY.PEEK[HEADER])"), "fetch")
                    return message_from_bytes(next(part[1] for part in data if isinstance(part, tuple)))
            # A mail without a Message-ID gets a new UID when it is moved: it cannot be found again.
            why = " (it has no Message-ID: answer it by hand)" if _UID_ID.fullmatch(upstream_id) else ""
            raise imaplib.IMAP4.error(
                f"no mail {upstream_id} to answer in {self._policy.processed_mailbox!r} "
                f"or {self._policy.mailbox!r}{why}"
            )

    def _parse(self, uid_id: str, source: bytes) -> UpstreamItem | Rejected:
        message = message_from_bytes(source)
        message_id = (_header(message, "Message-ID") or "").strip().strip("<>")
        subject = _header(message, "Subject") or ""
        tag, title = _tagged(subject, self._policy.subject_tags)
        category = self._policy.default_category if tag is None else self._policy.categories.get(tag, tag)
        sender_name, sender = parseaddr(_header(message, "From") or "")
        content = _body(message)
        phone = _PHONE.search(content or "")
        date = _header(message, "Date")
        fields: dict[str, object] = {
            "upstream_id": message_id or uid_id,
            "received_at": self._received_at(date),
            "title": title,
            "content": content,
            "category": category,
            "appellant_name": sender_name,
            "appellant_phone": phone.group(1) if phone else None,
        }
        raw = {
            "mailbox": self._policy.mailbox,
            "uid": uid_id,
            "message_id": message_id or None,
            "from": sender or None,
            "reply_to": parseaddr(_header(message, "Reply-To") or "")[1] or None,
            "subject": subject,
            "date": date,
            "body": content,
        }
        return accept(self._key, fields, raw, self._categories, self._timezone)

    def _received_at(self, date: str | None) -> datetime | str | None:
        """The Date header as a date-time, in the platform's zone when it says -0000; a malformed one
        is passed on as it is, for `accept` to reject naming it."""
        if date is None:
            return None
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return date
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=self._timezone)

    # SMTP

    def _reply(self, upstream_id: str, original: Message, answer: Answer) -> EmailMessage:
        policy = self._policy
        _, title = _tagged(_header(original, "Subject") or "", policy.subject_tags)
        to = parseaddr(_header(original, "Reply-To") or _header(original, "From") or "")[1]
        if not to:
            raise UpstreamRefused(self._key, "post_answer", None, f"mail {upstream_id} has no sender")
        reply = EmailMessage()
        reply["From"] = policy.from_address
        reply["To"] = to
        reply["Subject"] = f"答复：{title}"
        reply["Date"] = format_datetime(answer.answered_at)
        # Named by the answer's key, so the same answer sent twice is one message to the mailbox.
        reply["Message-ID"] = f"<{answer.key}@{policy.from_address.rpartition('@')[2]}>"
        if _UID_ID.fullmatch(upstream_id) is None:
            reply["In-Reply-To"] = f"<{upstream_id}>"
            reply["References"] = " ".join(
                filter(None, [_header(original, "References"), f"<{upstream_id}>"])
            )
        answered = answer.answered_at.astimezone(self._timezone).strftime("%Y-%m-%d %H:%M")
        reply.set_content(f"{answer.text}\n\n{answer.unit}\n{answered}\n", charset="utf-8")
        return reply

    def _send(self, reply: EmailMessage) -> None:
        policy = self._policy
        where = f"SMTP server {policy.smtp_host}:{policy.smtp_port}"
        try:
            smtp = (
                smtplib.SMTP_SSL(
                    policy.smtp_host,
                    policy.smtp_port,
                    timeout=policy.timeout_s,
                    context=ssl.create_default_context(),
                )
                if policy.smtp_security == "ssl"
                else smtplib.SMTP(policy.smtp_host, policy.smtp_port, timeout=policy.timeout_s)
            )
            with smtp:
                if policy.smtp_security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo_or_helo_if_needed()
                # A relay that offers no login (on this machine) takes the mail without one.
                if smtp.has_extn("auth"):
                    smtp.login(policy.username, self._password.get_secret_value())
                smtp.send_message(reply)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            self._smtp_refusal(where, max(codes), f"recipient refused: {error.recipients}", error)
        except smtplib.SMTPResponseException as error:
            said = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
            self._smtp_refusal(where, error.smtp_code, said or str(error.smtp_error), error)
        except (OSError, smtplib.SMTPException) as error:
            raise UpstreamUnavailable(
                self._key, "post_answer", f"{where}: {type(error).__name__}: {error}"
            ) from error

    def _smtp_refusal(self, where: str, code: int, message: str, error: Exception) -> NoReturn:
        # 4xx is "try again later"; 5xx will not change by retrying.
        if 400 <= code < 500:
            raise UpstreamUnavailable(self._key, "post_answer", f"{where}: {code} {message}") from error
        raise UpstreamRefused(self._key, "post_answer", code, f"{where}: {message}") from error
