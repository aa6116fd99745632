"""Identifiers that diagrams, workers, tests and the command line share.

A job type, message name or error code typed by hand in two places drifts apart silently: the
diagram keeps creating jobs that no worker subscribes to. Everything that names something in
`bpmn/` is therefore spelled once here, and `tests/unit/bpmn` checks the diagrams against it.
"""

from typing import Final


class ProcessId:
    HOTLINE_TICKET: Final = "hotline-ticket"
    ONLINE_MESSAGE: Final = "online-message"
    DEPUTY_SUGGESTION: Final = "deputy-suggestion"
    FORUM_POST: Final = "forum-post"
    PERIODIC_REPORT: Final = "periodic-report"
    # Called by the processes above (call activities).
    UNIT_HANDLING: Final = "unit-handling"
    REVIEW_CHAIN: Final = "review-chain"


class JobType:
    CLASSIFY_TICKET: Final = "minsheng.classify-ticket"
    DISPATCH_TICKET: Final = "minsheng.dispatch-ticket"
    # Deadlines on the working-day calendar (workers/deadlines.py).
    COMPUTE_DEADLINE: Final = "minsheng.compute-deadline"
    DECIDE_EXTENSION: Final = "minsheng.decide-extension"
    # The case ledger (台账): one job type opens a case, one records any event of its life, so a
    # diagram records a new step with a task header rather than a new worker.
    LEDGER_REGISTER: Final = "minsheng.ledger.register"
    LEDGER_RECORD: Final = "minsheng.ledger.record"
    # Notifications (workers/notifications.py): one job type for every event, named by a task header.
    NOTIFY: Final = "minsheng.notify"
    # Bulletins (workers/reporting.py): compile one for a period and publish its files.
    COMPILE_BULLETIN: Final = "minsheng.compile-bulletin"
    # Review and instruction chains (workers/review_chains.py): who signs off, in order, from config.
    REVIEW_CHAIN: Final = "minsheng.review-chain"


class TaskHeader:
    """Custom headers (`zeebe:taskHeaders`) that workers read."""

    # Which event a `minsheng.ledger.record` task records: transition, details, deadline, reminder,
    # return, extension, escalation, reply, satisfaction or archive (workers/ledger/events.py).
    LEDGER_EVENT: Final = "ledgerEvent"
    # Which event a `minsheng.notify` task tells of: dispatched, reminder, overdue, escalated,
    # returned, extension-decided, reply, survey or bulletin-published (workers/notification_policy.py).
    NOTIFICATION_EVENT: Final = "notificationEvent"
    # Which kind of period a `minsheng.compile-bulletin` task reports on when no variable says:
    # weekly, monthly, quarterly or yearly (workers/reports/periods.py).
    REPORT_PERIOD: Final = "reportPeriod"
    # Which chain of `config/review_chains.toml` a `minsheng.review-chain` task reads, when the
    # variable of that name does not say.
    REVIEW_CHAIN: Final = "reviewChain"


class HotlineTicket:
    """Element ids of `bpmn/hotline-ticket.bpmn`, for process tests and the console."""

    TICKET_RECEIVED: Final = "TicketReceivedStartEvent"
    CLASSIFY_TICKET: Final = "ClassifyTicketTask"
    CATEGORY_GATEWAY: Final = "CategoryGateway"
    SIMPLE_TRACK: Final = "SimpleTrackEvent"
    STANDARD_TRACK: Final = "StandardTrackEvent"
    TRACKS_JOINED: Final = "TracksJoinedGateway"
    DISPATCH_TICKET: Final = "DispatchTicketTask"
    TICKET_DISPATCHED: Final = "TicketDispatchedEndEvent"
