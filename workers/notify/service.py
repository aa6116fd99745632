"""The notifier: compose a job's messages, queue them with its receipt, deliver what is undelivered
(see the package's docstring for the order and its guarantees)."""

import logging
from collections.abc import Mapping

from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.notification_policy import Audience, Channel, NotificationPolicy
from workers.notify.channels import Sender
from workers.notify.compose import NotificationRequest, Templates, compose

logger = logging.getLogger(__name__)
# The setting that enables each channel, for the warning about a channel the policy uses in vain.
_ENABLED_BY = {Channel.EMAIL: "MINSHENG_SMTP_HOST", Channel.SMS: "MINSHENG_SMS_ENDPOINT"}


class Notifier:
    def __init__(
        self,
        ledger: Ledger,
        policy: NotificationPolicy,
        senders: Mapping[Channel, Sender],
        templates: Templates | None = None,
    ) -> None:
        self._ledger = ledger
        self._policy = policy
        self._senders = senders
        self._templates = templates or Templates(policy)
        rules = [rule for event in policy.events.values() for rule in event.recipients]
        used = {channel for rule in rules for channel in rule.channels}
        for channel in sorted(used & _ENABLED_BY.keys() - senders.keys()):
            logger.warning("no %s is sent: %s is not set", channel, _ENABLED_BY[channel])

    def notify(self, job_key: int, request: NotificationRequest) -> None:
        # Read as the appellant reads it, so that messages to the appellant can address them;
        # `compose` masks it for everyone else.
        case = (
            None
            if request.case_number is None
            else self._ledger.view_case(request.case_number, Viewer(Audience.APPELLANT))
        )
        composed = compose(
            self._policy, self._templates, request, case, channels={Channel.INBOX, *self._senders}
        )
        self._ledger.queue_notifications(
            job_key, request, request.case_number, composed.posts, composed.messages
        )
        for queued in self._ledger.undelivered(job_key):
            self._senders[Channel(queued.message.channel)].send(queued.message)
            self._ledger.mark_delivered(queued.id)
