"""Identifiers that diagrams, workers, tests and the command line share.

A job type, message name or error code typed by hand in two places drifts apart silently: the
diagram keeps creating jobs that no worker subscribes to. Everything that names something in
`bpmn/` is therefore spelled once here, and `tests/unit/bpmn` checks the diagrams against it.
"""

from typing import Final


class ProcessId:
    HOTLINE_TICKET: Final = "hotline-ticket"


class JobType:
    CLASSIFY_TICKET: Final = "minsheng.classify-ticket"
    DISPATCH_TICKET: Final = "minsheng.dispatch-ticket"


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
