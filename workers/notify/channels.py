"""Sending: email through an SMTP server, text messages through an HTTP SMS gateway.

Both are blocking and run in the job's thread (see `workers.notifications`). A failure raises
`DeliveryError` with a message that names the server but no recipient or text, since it becomes
the job's error message and a recipient may be an appellant.
"""

import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

import httpx

from workers.ledger.service import Outgoing
from workers.notification_policy import Channel
from workers.settings import Settings


class DeliveryError(Exception):
    pass


class Sender(Protocol):
    def send(self, message: Outgoing) -> None: ...


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None and settings.smtp_from is not None  # see `senders`
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._tls = settings.smtp_tls
        self._user = settings.smtp_user
        self._password = settings.smtp_password
        self._from = settings.smtp_from
        self._timeout = settings.notify_timeout_s

    def send(self, message: Outgoing) -> None:
        email = EmailMessage()
        email["From"] = self._from
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.text)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._tls:
                    smtp.starttls(context=ssl.create_default_context())
                if self._user is not None and self._password is not None:
                    smtp.login(self._user, self._password.get_secret_value())
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            # The exception's text may quote the refused recipients.
            raise DeliveryError(
                f"SMTP server {self._host}:{self._port} did not take the email: {type(error).__name__}"
            ) from None


class SmsGateway:
    """POSTs `{"to": phone, "text": text}` as JSON to the gateway, with the token as a bearer token;
    any 2xx answer counts as accepted."""

    def __init__(self, settings: Settings) -> None:
        assert settings.sms_endpoint is not None  # see `senders`
        self._endpoint = settings.sms_endpoint
        token = settings.sms_token
        self._headers = {} if token is None else {"Authorization": f"Bearer {token.get_secret_value()}"}
        self._timeout = settings.notify_timeout_s

    def send(self, message: Outgoing) -> None:
        try:
            answer = httpx.post(
                self._endpoint,
                json={"to": message.to, "text": message.text},
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise DeliveryError(f"SMS gateway {self._endpoint} unreachable: {type(error).__name__}") from None
        if not answer.is_success:
            raise DeliveryError(f"SMS gateway {self._endpoint} answered {answer.status_code}")


def senders(settings: Settings) -> dict[Channel, Sender]:
    """The channels this worker can send on: those whose settings are given."""
    configured: dict[Channel, Sender] = {}
    if settings.smtp_host is not None:
        configured[Channel.EMAIL] = SmtpSender(settings)
    if settings.sms_endpoint is not None:
        configured[Channel.SMS] = SmsGateway(settings)
    return configured
