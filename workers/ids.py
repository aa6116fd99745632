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
    # The other channels of the communication circular [seed 003 §一, 四, 七, 八, 十, 十一].
    MEETING_ATTENDANCE: Final = "meeting-attendance"
    WEIBO_RELEASE: Final = "weibo-release"
    ONLINE_INTERVIEW: Final = "online-interview"
    ONLINE_SURVEY: Final = "online-survey"
    LEADER_RECEPTION: Final = "leader-reception"
    RADIO_HOTLINE: Final = "radio-hotline"
    # Called by the processes above (call activities).
    UNIT_HANDLING: Final = "unit-handling"
    REVIEW_CHAIN: Final = "review-chain"
    # The knowledge base (知识库): an entry's review, publication and yearly review [seed 002 五].
    KNOWLEDGE_ENTRY: Final = "knowledge-entry"
    # Fetches the upstream platforms' items on a timer and starts their processes.
    UPSTREAM_FETCH: Final = "upstream-fetch"


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
    # Dates before an event (a meeting, an interview, a broadcast) on the working-day calendar.
    COMPUTE_SCHEDULE: Final = "minsheng.compute-schedule"
    # Online interviews (workers/interviews.py): the portal's interviews of a month, from the ledger.
    INTERVIEW_MONTH_COUNT: Final = "minsheng.interview.month-count"
    # Leader receptions (workers/receptions.py): the leader of an earlier visit, the month's
    # reception schedule checked against config/receptions.toml.
    RECEPTION_ORIGINAL_LEADER: Final = "minsheng.reception.original-leader"
    RECEPTION_PLAN_MONTH: Final = "minsheng.reception.plan-month"
    # The knowledge base (workers/knowledge_tasks.py): an entry's changes of status and wording,
    # each recorded in its version history, and when its yearly review is due.
    KNOWLEDGE_SUBMIT: Final = "minsheng.knowledge.submit"
    KNOWLEDGE_APPROVE: Final = "minsheng.knowledge.approve"
    KNOWLEDGE_REJECT: Final = "minsheng.knowledge.reject"
    KNOWLEDGE_REVISE: Final = "minsheng.knowledge.revise"
    KNOWLEDGE_PUBLISH: Final = "minsheng.knowledge.publish"
    KNOWLEDGE_REVIEW_AT: Final = "minsheng.knowledge.review-at"
    KNOWLEDGE_EXPIRE: Final = "minsheng.knowledge.expire"
    KNOWLEDGE_WITHDRAW: Final = "minsheng.knowledge.withdraw"
    # Upstream platforms (workers/upstream_tasks.py): which to fetch from today, one platform's
    # fetch (starting a process per new item), and an answer posted back to the item's platform.
    UPSTREAM_PLATFORMS: Final = "minsheng.upstream.platforms"
    UPSTREAM_FETCH: Final = "minsheng.upstream.fetch"
    UPSTREAM_POST_ANSWER: Final = "minsheng.upstream.post-answer"


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
    # Which table of `[schedules]` in `config/deadlines.toml` a `minsheng.compute-schedule` task
    # computes: the dates due before the event at `eventAt`.
    SCHEDULE: Final = "schedule"


class HotlineTicket:
    """Element ids of `bpmn/hotline-ticket.bpmn`, for process tests and the console."""

    TICKET_RECEIVED: Final = "TicketReceivedStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    CLASSIFY_TICKET: Final = "ClassifyTicketTask"
    INTAKE_JOIN: Final = "IntakeJoinGateway"
    INTAKE: Final = "IntakeTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    DIRECT_ANSWER_GATEWAY: Final = "DirectAnswerGateway"
    RECORD_DIRECT_REPLY: Final = "RecordDirectReplyTask"
    RECORD_DIRECT_ANSWER: Final = "RecordDirectAnswerTask"
    DISPATCH_JOIN: Final = "DispatchJoinGateway"
    DISPATCH_TICKET: Final = "DispatchTicketTask"
    RECORD_DISPATCHED: Final = "RecordDispatchedTask"
    UNIT_HANDLING_JOIN: Final = "UnitHandlingJoinGateway"
    UNIT_HANDLING: Final = "UnitHandlingCallActivity"
    HANDLING_OUTCOME_GATEWAY: Final = "HandlingOutcomeGateway"
    REDISPATCH: Final = "RedispatchTask"
    RETURN_DECISION_GATEWAY: Final = "ReturnDecisionGateway"
    RECORD_REDISPATCH: Final = "RecordRedispatchTask"
    # A return refused as groundless (无正当理由拒不受理) escalates to supervision [seed 002 五].
    RECORD_RETURN_REFUSED: Final = "RecordReturnRefusedTask"
    NOTIFY_RETURN_REFUSED: Final = "NotifyReturnRefusedTask"
    RETURN_SUPERVISION: Final = "ReturnSupervisionTask"
    RECORD_REPLY: Final = "RecordReplyTask"
    NOTIFY_REPLY: Final = "NotifyReplyTask"
    NOTIFY_SURVEY: Final = "NotifySurveyTask"
    CALLBACK: Final = "CallbackTask"
    RECORD_SATISFACTION: Final = "RecordSatisfactionTask"
    SATISFIED_GATEWAY: Final = "SatisfiedGateway"
    ON_SITE_CHECK: Final = "OnSiteCheckTask"
    RECORD_ON_SITE_CHECK: Final = "RecordOnSiteCheckTask"
    RECHECK_GATEWAY: Final = "RecheckGateway"
    # A re-handling the on-site check decides is supervision's 督办 [seed 002 五].
    RECORD_RECHECK_ESCALATION: Final = "RecordRecheckEscalationTask"
    NOTIFY_RECHECK_ESCALATED: Final = "NotifyRecheckEscalatedTask"
    CLOSE_JOIN: Final = "CloseJoinGateway"
    RECORD_CLOSED: Final = "RecordClosedTask"
    ARCHIVE_CASE: Final = "ArchiveCaseTask"
    CASE_CLOSED: Final = "CaseClosedEndEvent"
    UPSTREAM_ANSWER_GATEWAY: Final = "UpstreamAnswerGateway"
    POST_UPSTREAM_ANSWER: Final = "PostUpstreamAnswerTask"
    UPSTREAM_ANSWER_JOIN: Final = "UpstreamAnswerJoinGateway"


class UnitHandling:
    """Element ids of `bpmn/unit-handling.bpmn` (承办单位办理, called by the case processes)."""

    STARTED: Final = "UnitHandlingStartEvent"
    COMPUTE_DEADLINE: Final = "ComputeDeadlineTask"
    RECORD_DEADLINE: Final = "RecordDeadlineTask"
    NOTIFY_DISPATCHED: Final = "NotifyDispatchedTask"
    SIGN_FOR: Final = "SignForTask"
    SIGN_FOR_GATEWAY: Final = "SignForGateway"
    RECORD_SIGNED: Final = "RecordSignedTask"
    RETURN_REQUEST: Final = "ReturnRequestTask"
    RECORD_RETURN: Final = "RecordReturnTask"
    NOTIFY_RETURNED: Final = "NotifyReturnedTask"
    RETURNED: Final = "ReturnedEndEvent"
    HANDLING: Final = "HandlingSubProcess"
    CO_HANDLING_GATEWAY: Final = "CoHandlingGateway"
    CO_HANDLING: Final = "CoHandlingTask"
    HANDLING_REPLY: Final = "HandlingReplyTask"
    REPLY_OR_EXTENSION_GATEWAY: Final = "ReplyOrExtensionGateway"
    HANDLING_REPLIED: Final = "HandlingRepliedEndEvent"
    # Co-units the lead reports as not cooperating are escalated to supervision [seed 002 五].
    CO_UNIT_SUPERVISION: Final = "CoUnitSupervisionSubProcess"
    RECORD_CO_UNIT_ESCALATION: Final = "RecordCoUnitEscalationTask"
    NOTIFY_CO_UNIT_ESCALATED: Final = "NotifyCoUnitEscalatedTask"
    CO_UNIT_SUPERVISION_TASK: Final = "CoUnitSupervisionTask"
    NOTIFY_CO_UNIT_URGED: Final = "NotifyCoUnitUrgedTask"
    CO_HANDLING_AGAIN: Final = "CoHandlingAgainTask"
    MERGE_CO_OPINIONS: Final = "MergeCoOpinionsTask"
    EXTENSION_REQUEST: Final = "ExtensionRequestTask"
    DECIDE_EXTENSION: Final = "DecideExtensionTask"
    EXTENSION_ALLOWED_GATEWAY: Final = "ExtensionAllowedGateway"
    EXTENSION_APPROVAL: Final = "ExtensionApprovalTask"
    EXTENSION_APPROVED_GATEWAY: Final = "ExtensionApprovedGateway"
    EXTENSION_APPROVED: Final = "ExtensionApprovedEndEvent"
    RECORD_EXTENSION_REFUSED: Final = "RecordExtensionRefusedTask"
    NOTIFY_EXTENSION_REFUSED: Final = "NotifyExtensionRefusedTask"
    REMINDER_TIMER: Final = "ReminderTimerStartEvent"
    RECORD_REMINDER: Final = "RecordReminderTask"
    NOTIFY_REMINDER: Final = "NotifyReminderTask"
    DUE_TIMER: Final = "DueTimerStartEvent"
    RECORD_OVERDUE_REMINDER: Final = "RecordOverdueReminderTask"
    NOTIFY_OVERDUE: Final = "NotifyOverdueTask"
    COMPUTE_ESCALATION_DEADLINE: Final = "ComputeEscalationDeadlineTask"
    ESCALATION_TIMER: Final = "EscalationTimerEvent"
    RECORD_ESCALATION: Final = "RecordEscalationTask"
    NOTIFY_ESCALATED: Final = "NotifyEscalatedTask"
    SUPERVISION: Final = "SupervisionTask"
    HANDLING_OUTCOME_GATEWAY: Final = "HandlingOutcomeGateway"
    RECORD_HANDLED: Final = "RecordHandledTask"
    HANDLED: Final = "HandledEndEvent"
    RECORD_EXTENSION_APPROVED: Final = "RecordExtensionApprovedTask"
    NOTIFY_EXTENSION_APPROVED: Final = "NotifyExtensionApprovedTask"


class ReviewChain:
    """Element ids of `bpmn/review-chain.bpmn` (逐级审签), for process tests and the console."""

    REVIEW_REQUESTED: Final = "ReviewRequestedStartEvent"
    LOAD_REVIEWERS: Final = "LoadReviewersTask"
    DEADLINE_GATEWAY: Final = "DeadlineGateway"
    SEND_FOR_REVIEW: Final = "SendForReviewTask"
    COMPUTE_REVIEW_DEADLINE: Final = "ComputeReviewDeadlineTask"
    WATCH_SPLIT: Final = "WatchSplitGateway"
    REVIEW_JOIN: Final = "ReviewJoinGateway"
    REVIEW_STEPS: Final = "ReviewStepsTask"
    REVIEW_RESULT: Final = "ReviewResultEvent"
    REVIEW_FINISHED: Final = "ReviewFinishedEndEvent"
    REVIEW_DUE_TIMER: Final = "ReviewDueTimerEvent"
    NOTIFY_REVIEW_OVERDUE: Final = "NotifyReviewOverdueTask"
    REVIEW_OVERDUE: Final = "ReviewOverdueEndEvent"


class ForumPost:
    """Element ids of `bpmn/forum-post.bpmn`, for process tests and the console."""

    POST_RECEIVED: Final = "PostReceivedStartEvent"
    REGISTER_POST: Final = "RegisterPostTask"
    CLASSIFY_POST: Final = "ClassifyPostTask"
    UNIT_KNOWN: Final = "UnitKnownGateway"
    ASSIGN_UNIT: Final = "AssignUnitTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    COMPUTE_FIRST_RESPONSE_DUE: Final = "ComputeFirstResponseDueTask"
    COMPUTE_REPLY_DUE: Final = "ComputeReplyDueTask"
    COMPUTE_NAMING_DUE: Final = "ComputeNamingDueTask"
    RECORD_DEADLINE: Final = "RecordDeadlineTask"
    RECORD_DISPATCHED: Final = "RecordDispatchedTask"
    NOTIFY_DISPATCHED: Final = "NotifyDispatchedTask"
    HANDLING: Final = "HandlingSubProcess"
    FIRST_RESPONSE: Final = "FirstResponseTask"
    FIRST_RESPONSE_DUE_TIMER: Final = "FirstResponseDueTimerEvent"
    NOTIFY_FIRST_RESPONSE_LATE: Final = "NotifyFirstResponseLateTask"
    RECORD_FIRST_RESPONSE: Final = "RecordFirstResponseTask"
    REPLY: Final = "ReplyTask"
    REPLY_OR_EXPLANATION: Final = "ReplyOrExplanationGateway"
    RECORD_EXPLANATION: Final = "RecordExplanationTask"
    RECORD_REPLY: Final = "RecordReplyTask"
    NOTIFY_REPLY: Final = "NotifyReplyTask"
    REPLY_DUE_TIMER: Final = "ReplyDueTimerEvent"
    NOTIFY_NOTICE: Final = "NotifyNoticeTask"
    NO_NOTICE: Final = "NoNoticeEndEvent"
    NAMING_DUE_TIMER: Final = "NamingDueTimerEvent"
    NOTIFY_NAMING: Final = "NotifyNamingTask"
    NOTIFY_REPLY_OVERDUE: Final = "NotifyReplyOverdueTask"
    ARCHIVE: Final = "ArchiveTask"
    POST_CLOSED: Final = "PostClosedEndEvent"


class DeputySuggestion:
    """Element ids of `bpmn/deputy-suggestion.bpmn`, for process tests and the console."""

    ASSIGNED: Final = "SuggestionAssignedStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    LEAD_UNIT_NAMED: Final = "LeadUnitNamedGateway"
    DESIGNATE_LEAD: Final = "DesignateLeadTask"
    DISPATCH: Final = "DispatchTask"
    COMPUTE_DEADLINE: Final = "ComputeDeadlineTask"
    RECORD_ASSIGNMENT: Final = "RecordAssignmentTask"
    RECORD_DEADLINE: Final = "RecordDeadlineTask"
    NOTIFY_ASSIGNED: Final = "NotifyAssignedTask"
    COMPUTE_RETURN_DEADLINE: Final = "ComputeReturnDeadlineTask"
    # The return window (退回期): 签收, or 申请退回 until the 退回 limit closes it.
    RETURN_WINDOW: Final = "ReturnWindowSubProcess"
    SIGN_FOR: Final = "SignForTask"
    SIGN_ACTION: Final = "SignActionGateway"
    RETURN_REQUEST: Final = "ReturnRequestTask"
    RETURN_WINDOW_CLOSED: Final = "ReturnWindowClosedEvent"
    RETURN_REQUESTED: Final = "ReturnRequestedGateway"
    RECORD_RETURN: Final = "RecordReturnTask"
    RETURN_REVIEW: Final = "ReturnReviewTask"
    RETURN_APPROVED: Final = "ReturnApprovedGateway"
    RECORD_REASSIGNMENT: Final = "RecordReassignmentTask"
    RECORD_HANDLING: Final = "RecordHandlingTask"
    COMPUTE_CO_OPINION_DEADLINE: Final = "ComputeCoOpinionDeadlineTask"
    # Handling and answering (办理答复), with the reminder and overdue timers on its border.
    HANDLING: Final = "HandlingSubProcess"
    ANSWER_ROUND: Final = "AnswerRoundGateway"
    CONTACT_DEPUTY: Final = "ContactDeputyTask"
    # One instance per co-handling unit (parallel multi-instance over `coUnits`).
    CO_HANDLING: Final = "CoHandlingSubProcess"
    CO_OPINION: Final = "CoOpinionTask"
    CO_OPINION_OVERDUE: Final = "CoOpinionOverdueEvent"
    RECORD_CO_REMINDER: Final = "RecordCoReminderTask"
    NOTIFY_CO_UNITS: Final = "NotifyCoUnitsTask"
    COMBINED_REPLY: Final = "CombinedReplyTask"
    CO_OPINIONS_AGREE: Final = "CoordinationGateway"
    COORDINATION: Final = "CoordinationTask"
    REVIEW: Final = "ReviewCallActivity"
    REVIEW_APPROVED: Final = "ReviewApprovedGateway"
    PROVINCIAL: Final = "ProvincialGateway"
    UNIT_REPLIES: Final = "UnitRepliesEvent"
    GOVERNMENT_REPLY: Final = "GovernmentReplyTask"
    REPLY_REMINDER: Final = "ReplyReminderEvent"
    RECORD_REMINDER: Final = "RecordReminderTask"
    NOTIFY_REMINDER: Final = "NotifyReminderTask"
    REPLY_OVERDUE: Final = "ReplyOverdueEvent"
    RECORD_OVERDUE: Final = "RecordOverdueTask"
    NOTIFY_OVERDUE: Final = "NotifyOverdueTask"
    # After the answer: send, copy, feedback, answer again or follow promises up, archive.
    RECORD_REPLY: Final = "RecordReplyTask"
    NOTIFY_DEPUTY: Final = "NotifyDeputyTask"
    COPY_REPLY: Final = "CopyReplyTask"
    DEPUTY_FEEDBACK: Final = "DeputyFeedbackTask"
    RECORD_SATISFACTION: Final = "RecordSatisfactionTask"
    SATISFIED: Final = "SatisfiedGateway"
    REDISPATCH: Final = "RedispatchTask"
    COMPUTE_SECOND_DEADLINE: Final = "ComputeSecondDeadlineTask"
    RECORD_SECOND_DEADLINE: Final = "RecordSecondDeadlineTask"
    PROMISE: Final = "PromiseGateway"
    FOLLOW_UP_TIMER: Final = "FollowUpTimerEvent"
    PROMISE_FOLLOW_UP: Final = "PromiseFollowUpTask"
    RECORD_FOLLOW_UP: Final = "RecordFollowUpTask"
    PROMISE_DONE: Final = "PromiseDoneGateway"
    NOTIFY_PROMISE_DONE: Final = "NotifyPromiseDoneTask"
    RECORD_CLOSED: Final = "RecordClosedTask"
    ARCHIVE: Final = "ArchiveTask"
    CLOSED: Final = "SuggestionClosedEndEvent"


class PeriodicReport:
    """Element ids of `bpmn/periodic-report.bpmn`, for process tests and the console."""

    WEEKLY_TIMER: Final = "WeeklyTimerStartEvent"
    MONTHLY_TIMER: Final = "MonthlyTimerStartEvent"
    MONTHLY_CHANNELS_TIMER: Final = "MonthlyChannelsTimerStartEvent"
    QUARTERLY_TIMER: Final = "QuarterlyTimerStartEvent"
    YEARLY_TIMER: Final = "YearlyTimerStartEvent"
    COMPILE_BULLETIN: Final = "CompileBulletinTask"
    PUBLISH_BULLETIN: Final = "PublishBulletinTask"
    BULLETIN_PUBLISHED: Final = "BulletinPublishedEndEvent"
    EXPRESS_ISSUE: Final = "ExpressIssueStartEvent"
    COMPILE_EXPRESS_ISSUE: Final = "CompileExpressIssueTask"
    SELECT_EXPRESS_ITEMS: Final = "SelectExpressItemsTask"
    EXPRESS_ITEMS: Final = "ExpressItemsSubProcess"
    DISPATCH_ITEM: Final = "DispatchItemTask"
    NOTIFY_ITEM_DISPATCHED: Final = "NotifyItemDispatchedTask"
    EXPRESS_ANSWER: Final = "ExpressAnswerTask"
    ITEM_DUE_TIMER: Final = "ItemDueTimerEvent"
    NOTIFY_ITEM_OVERDUE: Final = "NotifyItemOverdueTask"
    RECORD_ITEM_ANSWERED: Final = "RecordItemAnsweredTask"
    PUBLISH_EXPRESS_RESULTS: Final = "PublishExpressResultsTask"
    EXPRESS_ISSUE_CLOSED: Final = "ExpressIssueClosedEndEvent"


class OnlineMessage:
    """Element ids of `bpmn/online-message.bpmn` (省长热线与网上留言), for process tests and the console."""

    MESSAGE_RECEIVED: Final = "MessageReceivedStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    CLASSIFY_MESSAGE: Final = "ClassifyMessageTask"
    RECORD_CLASSIFICATION: Final = "RecordClassificationTask"
    ACCEPTED_GATEWAY: Final = "AcceptedGateway"
    ACCEPT_JOIN_GATEWAY: Final = "AcceptJoinGateway"
    COMPUTE_OPINION_DEADLINE: Final = "ComputeOpinionDeadlineTask"
    OPINION_JOIN_GATEWAY: Final = "OpinionJoinGateway"
    HANDLING_OPINION: Final = "HandlingOpinionTask"
    OPINION_DUE_TIMER: Final = "OpinionDueTimerEvent"
    RECORD_OPINION_REMINDER: Final = "RecordOpinionReminderTask"
    NOTIFY_OPINION_REMINDER: Final = "NotifyOpinionReminderTask"
    OPINION_REMINDER: Final = "OpinionReminderEndEvent"
    RECORD_OPINION: Final = "RecordOpinionTask"
    INSTRUCTION_GATEWAY: Final = "InstructionGateway"
    LOAD_INSTRUCTION_CHAIN: Final = "LoadInstructionChainTask"
    NOTIFY_INSTRUCTION_REQUESTED: Final = "NotifyInstructionRequestedTask"
    LEADER_INSTRUCTION: Final = "LeaderInstructionTask"
    RECORD_INSTRUCTION: Final = "RecordInstructionTask"
    INSTRUCTION_JOIN_GATEWAY: Final = "InstructionJoinGateway"
    DISPATCH: Final = "DispatchTask"
    RECORD_DISPATCHED: Final = "RecordDispatchedTask"
    UNIT_HANDLING: Final = "UnitHandlingCallActivity"
    HANDLING_OUTCOME_GATEWAY: Final = "HandlingOutcomeGateway"
    RECORD_UNIT_REPLY: Final = "RecordUnitReplyTask"
    DRAFT_JOIN_GATEWAY: Final = "DraftJoinGateway"
    REPLY_DRAFT: Final = "ReplyDraftTask"
    GOVERNMENT_REVIEW: Final = "GovernmentReviewCallActivity"
    REVIEW_APPROVED_GATEWAY: Final = "ReviewApprovedGateway"
    FROM_ABOVE_GATEWAY: Final = "FromAboveGateway"
    UPWARD_REPORT: Final = "UpwardReportTask"
    RECORD_UPWARD_REPORT: Final = "RecordUpwardReportTask"
    RECORD_GOVERNMENT_REPLY: Final = "RecordGovernmentReplyTask"
    NOTIFY_REPLY: Final = "NotifyReplyTask"
    PUBLISH_GATEWAY: Final = "PublishGateway"
    RECORD_PUBLISHED: Final = "RecordPublishedTask"
    PUBLISH_JOIN_GATEWAY: Final = "PublishJoinGateway"
    REPLY_JOIN_GATEWAY: Final = "ReplyJoinGateway"
    CALLBACK: Final = "CallbackTask"
    RECORD_SATISFACTION: Final = "RecordSatisfactionTask"
    SATISFIED_GATEWAY: Final = "SatisfiedGateway"
    RECORD_EFFICIENCY_REVIEW: Final = "RecordEfficiencyReviewTask"
    CLOSE_JOIN_GATEWAY: Final = "CloseJoinGateway"
    RECORD_COMPLETED: Final = "RecordCompletedTask"
    ARCHIVE_CASE: Final = "ArchiveCaseTask"
    CASE_CLOSED: Final = "CaseClosedEndEvent"
    ACCEPTANCE_REVIEW: Final = "AcceptanceReviewTask"
    CONFIRM_NOT_ACCEPTED_GATEWAY: Final = "ConfirmNotAcceptedGateway"
    RECORD_NOT_ACCEPTED: Final = "RecordNotAcceptedTask"
    CLOSE_NOT_ACCEPTED: Final = "CloseNotAcceptedTask"
    NOTIFY_NOT_ACCEPTED: Final = "NotifyNotAcceptedTask"
    NOT_ACCEPTED: Final = "NotAcceptedEndEvent"
    UPSTREAM_ANSWER_GATEWAY: Final = "UpstreamAnswerGateway"
    POST_UPSTREAM_ANSWER: Final = "PostUpstreamAnswerTask"
    UPSTREAM_ANSWER_JOIN: Final = "UpstreamAnswerJoinGateway"


class UpstreamFetch:
    """Element ids of `bpmn/upstream-fetch.bpmn` (上级平台交办件定时下载), for process tests."""

    TIMER_STARTED: Final = "FetchTimerStartEvent"
    PLATFORMS: Final = "PlatformsTask"
    FETCH: Final = "FetchTask"
    FETCHED: Final = "FetchedEndEvent"


class MeetingAttendance:
    """Element ids of `bpmn/meeting-attendance.bpmn` (邀请公民列席市政府常务会议), for process
    tests and the console."""

    MEETING_SCHEDULED: Final = "MeetingScheduledStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    COMPUTE_SCHEDULE: Final = "ComputeScheduleTask"
    RECORD_PREVIEW_DEADLINE: Final = "RecordPreviewDeadlineTask"
    # Before the meeting (会前): opinions are taken until it starts.
    BEFORE_MEETING: Final = "BeforeMeetingSubProcess"
    OPINION_RECEIVED: Final = "OpinionReceivedStartEvent"
    RECORD_OPINION: Final = "RecordOpinionTask"
    # Preview and selection (预告与列选): sign-ups are taken until the office selects.
    SIGN_UP_PHASE: Final = "SignUpSubProcess"
    PUBLISH_PREVIEW: Final = "PublishPreviewTask"
    PREVIEW_DUE_TIMER: Final = "PreviewDueTimerEvent"
    RECORD_PREVIEW_LATE: Final = "RecordPreviewLateTask"
    NOTIFY_PREVIEW_LATE: Final = "NotifyPreviewLateTask"
    RECORD_PREVIEW: Final = "RecordPreviewTask"
    RECORD_PREVIEWED: Final = "RecordPreviewedTask"
    SELECT_ATTENDEES: Final = "SelectAttendeesTask"
    ATTENDEE_LIMIT_GATEWAY: Final = "AttendeeLimitGateway"
    SELECTION_REFUSED: Final = "SelectionRefusedEvent"
    RECORD_ATTENDEES: Final = "RecordAttendeesTask"
    SIGN_UP_RECEIVED: Final = "SignUpReceivedStartEvent"
    RECORD_SIGN_UP: Final = "RecordSignUpTask"
    # The meeting goes ahead at its time even when the office has not selected anyone.
    SELECTION_MISSED_TIMER: Final = "SelectionMissedTimerEvent"
    RECORD_SELECTION_MISSED: Final = "RecordSelectionMissedTask"
    MEETING_STARTS: Final = "MeetingStartsTimerEvent"
    # The meeting and after (会后反馈).
    MEETING_RECORD: Final = "MeetingRecordTask"
    RECORD_MEETING_HELD: Final = "RecordMeetingHeldTask"
    RECORD_HELD: Final = "RecordHeldTask"
    PUBLISH_RECORDINGS: Final = "PublishRecordingsTask"
    RECORD_RECORDINGS: Final = "RecordRecordingsPublishedTask"
    COMPUTE_REPLY_DEADLINE: Final = "ComputeReplyDeadlineTask"
    RECORD_REPLY_DEADLINE: Final = "RecordReplyDeadlineTask"
    FORUM_REPLY: Final = "ForumReplyTask"
    REPLY_REMINDER_TIMER: Final = "ReplyReminderTimerEvent"
    RECORD_REMINDER: Final = "RecordReminderTask"
    NOTIFY_REMINDER: Final = "NotifyReminderTask"
    REPLY_OVERDUE_TIMER: Final = "ReplyOverdueTimerEvent"
    RECORD_OVERDUE: Final = "RecordOverdueTask"
    NOTIFY_OVERDUE: Final = "NotifyOverdueTask"
    RECORD_FORUM_REPLY: Final = "RecordForumReplyTask"
    PUBLISH_CONSULTATION: Final = "PublishConsultationTask"
    ADOPTED_GATEWAY: Final = "AdoptedGateway"
    RECORD_CONSULTATION: Final = "RecordConsultationTask"
    RECORD_COMPLETED: Final = "RecordCompletedTask"
    ARCHIVE: Final = "ArchiveTask"
    MEETING_CLOSED: Final = "MeetingClosedEndEvent"


class MeetingAttendanceMessages:
    """Messages of `bpmn/meeting-attendance.bpmn`, correlated by the case's `caseNumber`."""

    # An online or SMS sign-up: {name, phone, via: "online" | "sms", opinion}.
    SIGN_UP: Final = "meeting-sign-up"
    # A written or online opinion before the meeting: {name, phone, via: "written" | "online", text}.
    OPINION: Final = "meeting-opinion"


class WeiboRelease:
    """Element ids of `bpmn/weibo-release.bpmn` (12345热线官方微博信息发布), for process tests and the
    console."""

    REQUESTED: Final = "ReleaseRequestedStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    RECORD_REQUESTED: Final = "RecordRequestedTask"
    EMERGENCY_GATEWAY: Final = "EmergencyGateway"
    NOTIFY_EMERGENCY_OFFICE: Final = "NotifyEmergencyOfficeTask"
    RECORD_EMERGENCY_CONTACT: Final = "RecordEmergencyContactTask"
    COMPUTE_APPROVAL_DUE: Final = "ComputeApprovalDueTask"
    RECORD_APPROVAL_DEADLINE: Final = "RecordApprovalDeadlineTask"
    # The tiered approval (信息分级审核), with its chasing timer on the border.
    APPROVAL: Final = "ApprovalSubProcess"
    TIER_GATEWAY: Final = "TierGateway"
    UNIT_LEADER_APPROVAL: Final = "UnitLeaderApprovalTask"
    GOVERNMENT_APPROVAL: Final = "GovernmentApprovalTask"
    APPROVAL_DUE_TIMER: Final = "ApprovalDueTimerEvent"
    RECORD_APPROVAL_REMINDER: Final = "RecordApprovalReminderTask"
    NOTIFY_APPROVAL_OVERDUE: Final = "NotifyApprovalOverdueTask"
    RECORD_REVIEW: Final = "RecordReviewTask"
    DECISION_GATEWAY: Final = "DecisionGateway"
    RECORD_REJECTED: Final = "RecordRejectedTask"
    NOTIFY_REJECTED: Final = "NotifyRejectedTask"
    CLOSE_REJECTED: Final = "CloseRejectedTask"
    ARCHIVE_REJECTED: Final = "ArchiveRejectedTask"
    NOT_PUBLISHED: Final = "NotPublishedEndEvent"
    RECORD_APPROVED: Final = "RecordApprovedTask"
    COMPUTE_PUBLISH_DUE: Final = "ComputePublishDueTask"
    RECORD_PUBLISH_DEADLINE: Final = "RecordPublishDeadlineTask"
    PUBLISH: Final = "PublishTask"
    PUBLISH_DUE_TIMER: Final = "PublishDueTimerEvent"
    RECORD_PUBLISH_LATE: Final = "RecordPublishLateTask"
    NOTIFY_PUBLISH_LATE: Final = "NotifyPublishLateTask"
    RECORD_PUBLISHED: Final = "RecordPublishedTask"
    RECORD_RELEASED: Final = "RecordReleasedTask"
    # After publication: corrections and retractions until the window closes.
    COMPUTE_CORRECTION_WINDOW: Final = "ComputeCorrectionWindowTask"
    CORRECTION_GATEWAY: Final = "CorrectionGateway"
    CORRECTION_RECEIVED: Final = "CorrectionReceivedEvent"
    RECORD_CORRECTED: Final = "RecordCorrectedTask"
    CORRECTION_WINDOW_CLOSED: Final = "CorrectionWindowClosedEvent"
    RECORD_COMPLETED: Final = "RecordCompletedTask"
    ARCHIVE_CASE: Final = "ArchiveCaseTask"
    RELEASED: Final = "ReleasedEndEvent"


class WeiboReleaseMessages:
    """Messages `bpmn/weibo-release.bpmn` waits for, correlated by `caseNumber`."""

    # A published release corrected or retracted: correctionReason (inaccurate | untrue),
    # correctionAction (correction | retraction), correctionNote.
    CORRECTION: Final = "weibo-correction"


class OnlineInterview:
    """Element ids of `bpmn/online-interview.bpmn` (在线访谈), for process tests and the console."""

    INTERVIEW_REGISTERED: Final = "InterviewRegisteredStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    COMPUTE_SCHEDULE: Final = "ComputeScheduleTask"
    RECORD_PLAN_DEADLINE: Final = "RecordPlanDeadlineTask"
    # The plan two weeks ahead (访谈方案), scheduled by the e-government office.
    SUBMIT_PLAN: Final = "SubmitPlanTask"
    PLAN_DUE_TIMER: Final = "PlanDueTimerEvent"
    RECORD_PLAN_REMINDER: Final = "RecordPlanReminderTask"
    NOTIFY_PLAN_REMINDER: Final = "NotifyPlanReminderTask"
    RECORD_PLAN: Final = "RecordPlanTask"
    COUNT_MONTH: Final = "CountMonthTask"
    SCHEDULE_INTERVIEW: Final = "ScheduleInterviewTask"
    RECORD_SCHEDULED: Final = "RecordScheduledTask"
    RECORD_SCHEDULED_STATUS: Final = "RecordScheduledStatusTask"
    NOTIFY_SCHEDULED: Final = "NotifyScheduledTask"
    # The preview page one week ahead (预告页面).
    PUBLISH_PREVIEW: Final = "PublishPreviewTask"
    PREVIEW_DUE_TIMER: Final = "PreviewDueTimerEvent"
    RECORD_PREVIEW_REMINDER: Final = "RecordPreviewReminderTask"
    NOTIFY_PREVIEW_OVERDUE: Final = "NotifyPreviewOverdueTask"
    RECORD_PREVIEW: Final = "RecordPreviewTask"
    RECORD_PREVIEWED: Final = "RecordPreviewedTask"
    INTERVIEW_STARTS: Final = "InterviewStartsTimerEvent"
    # The live interview (在线解答): each question screened, answered, approved, then published.
    LIVE: Final = "LiveInterviewSubProcess"
    HOST_INTERVIEW: Final = "HostInterviewTask"
    INTERVIEW_ENDED: Final = "InterviewEndedEvent"
    QUESTION_RECEIVED: Final = "QuestionReceivedStartEvent"
    QUESTION: Final = "QuestionSubProcess"
    SCREEN_QUESTION: Final = "ScreenQuestionTask"
    SCREEN_GATEWAY: Final = "ScreenGateway"
    RECORD_QUESTION_REJECTED: Final = "RecordQuestionRejectedTask"
    ANSWER_QUESTION: Final = "AnswerQuestionTask"
    FINAL_REVIEW: Final = "FinalReviewTask"
    FINAL_REVIEW_GATEWAY: Final = "FinalReviewGateway"
    RECORD_ANSWER_PUBLISHED: Final = "RecordAnswerPublishedTask"
    RECORD_HELD: Final = "RecordHeldTask"
    RECORD_HELD_STATUS: Final = "RecordHeldStatusTask"
    # Supervision of the issues raised (督查督办), each an appeal of its own (online-message).
    LIST_ISSUES: Final = "ListIssuesTask"
    ISSUES_GATEWAY: Final = "IssuesGateway"
    RECORD_ISSUES: Final = "RecordIssuesTask"
    SUPERVISE_ISSUES: Final = "SuperviseIssuesCallActivity"
    RECORD_ISSUES_HANDLED: Final = "RecordIssuesHandledTask"
    RECORD_COMPLETED: Final = "RecordCompletedTask"
    ARCHIVE_CASE: Final = "ArchiveCaseTask"
    INTERVIEW_CLOSED: Final = "InterviewClosedEndEvent"


class OnlineInterviewMessages:
    """Messages of `bpmn/online-interview.bpmn`, correlated by the case's `caseNumber`."""

    # A netizen's question during the interview: {question, asker}.
    QUESTION: Final = "interview-question"
    # The interview is over (the host may also end it in the task list): no variables.
    ENDED: Final = "interview-ended"


class OnlineSurvey:
    """Element ids of `bpmn/online-survey.bpmn` (在线调查), for process tests and the console."""

    SUBMITTED: Final = "SurveySubmittedStartEvent"
    REGISTER_CASE: Final = "RegisterCaseTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    PUBLISH_LINK: Final = "PublishLinkTask"
    RECORD_LINK_PUBLISHED: Final = "RecordLinkPublishedTask"
    OPENS_TIMER: Final = "OpensTimerEvent"
    RECORD_OPENED: Final = "RecordOpenedTask"
    # Answers are counted while the survey is open: closing ends the subprocess and its message
    # event subprocess with it.
    COLLECTION: Final = "CollectionSubProcess"
    CLOSES_TIMER: Final = "ClosesTimerEvent"
    ANSWER_RECEIVED: Final = "AnswerReceivedStartEvent"
    RECORD_CLOSED: Final = "RecordClosedTask"
    COMPUTE_REPORT_DUE: Final = "ComputeReportDueTask"
    RECORD_REPORT_DEADLINE: Final = "RecordReportDeadlineTask"
    ANALYSIS_REPORT: Final = "AnalysisReportTask"
    REPORT_DUE_TIMER: Final = "ReportDueTimerEvent"
    RECORD_REPORT_REMINDER: Final = "RecordReportReminderTask"
    NOTIFY_REPORT_OVERDUE: Final = "NotifyReportOverdueTask"
    RECORD_ANALYSIS_DELIVERED: Final = "RecordAnalysisDeliveredTask"
    EVALUATION: Final = "EvaluationTask"
    RECORD_EVALUATED: Final = "RecordEvaluatedTask"
    RECORD_COMPLETED: Final = "RecordCompletedTask"
    ARCHIVE_CASE: Final = "ArchiveCaseTask"
    COMPLETED: Final = "SurveyCompletedEndEvent"


class OnlineSurveyMessages:
    """Messages `bpmn/online-survey.bpmn` waits for, correlated by `caseNumber`."""

    # One answer to the questionnaire, counted while the survey is open.
    ANSWER: Final = "survey-answer"


class KnowledgeEntry:
    """Element ids of `bpmn/knowledge-entry.bpmn` (知识库条目审核发布与年度复核), for process tests
    and the console."""

    SUBMITTED: Final = "EntrySubmittedStartEvent"
    SUBMIT_ENTRY: Final = "SubmitEntryTask"
    LEADER_REVIEW: Final = "LeaderReviewTask"
    CENTRE_REVIEW: Final = "CentreReviewTask"
    APPROVE_ENTRY: Final = "ApproveEntryTask"
    REJECT_ENTRY: Final = "RejectEntryTask"
    # The submitter revises a rejected entry; the owning unit reviews a published one yearly. Both
    # end in the same choice: revise and submit again, or withdraw.
    REVISE_ENTRY: Final = "ReviseEntryTask"
    SAVE_REVISION: Final = "SaveRevisionTask"
    PUBLISH_ENTRY: Final = "PublishEntryTask"
    COMPUTE_REVIEW_AT: Final = "ComputeReviewAtTask"
    REVIEW_TIMER: Final = "ReviewTimerEvent"
    ANNUAL_REVIEW: Final = "AnnualReviewTask"
    EXPIRY_TIMER: Final = "ExpiryTimerEvent"
    EXPIRE_ENTRY: Final = "ExpireEntryTask"
    WITHDRAW_ENTRY: Final = "WithdrawEntryTask"
    WITHDRAWN: Final = "EntryWithdrawnEndEvent"


class LeaderReception:
    """Element ids of `bpmn/leader-reception.bpmn` (来访接待和下访), for process tests and the
    console."""

    # A visiting case (one instance per case), taken in by the petition office.
    VISIT_RECEIVED: Final = "VisitReceivedStartEvent"
    REPEAT_GATEWAY: Final = "RepeatVisitGateway"
    FIND_ORIGINAL_LEADER: Final = "FindOriginalLeaderTask"
    REPEAT_JOIN: Final = "RepeatJoinGateway"
    REGISTER_CASE: Final = "RegisterCaseTask"
    RECORD_VISIT: Final = "RecordVisitTask"
    RECORD_OWNED: Final = "RecordOwnedTask"
    MINUTES: Final = "MinutesTask"
    RECORD_MINUTES: Final = "RecordMinutesTask"
    ASSIGN_JOIN: Final = "AssignJoinGateway"
    COMPUTE_DEADLINE: Final = "ComputeDeadlineTask"
    RECORD_DEADLINE: Final = "RecordDeadlineTask"
    RECORD_DETAILS: Final = "RecordDetailsTask"
    RECORD_ASSIGNED: Final = "RecordAssignedTask"
    NOTIFY_ASSIGNED: Final = "NotifyAssignedTask"
    HANDLING_JOIN: Final = "HandlingJoinGateway"
    HANDLING_OPINION: Final = "HandlingOpinionTask"
    REMINDER_TIMER: Final = "ReminderTimerEvent"
    RECORD_REMINDER: Final = "RecordReminderTask"
    NOTIFY_REMINDER: Final = "NotifyReminderTask"
    REMINDER_SENT: Final = "ReminderSentEndEvent"
    OVERDUE_TIMER: Final = "OverdueTimerEvent"
    RECORD_ESCALATION: Final = "RecordEscalationTask"
    NOTIFY_SUPERVISED: Final = "NotifySupervisedTask"
    SUPERVISION: Final = "SupervisionTask"
    RECORD_SUPERVISED: Final = "RecordSupervisedTask"
    SUPERVISED: Final = "SupervisedEndEvent"
    LEADER_SIGN: Final = "LeaderSignTask"
    SIGNED_GATEWAY: Final = "SignedGateway"
    RECORD_SIGNED: Final = "RecordSignedTask"
    RECORD_REPLY: Final = "RecordReplyTask"
    NOTIFY_REPLY: Final = "NotifyReplyTask"
    FOLLOW_UP: Final = "FollowUpTask"
    RECORD_FOLLOW_UP: Final = "RecordFollowUpTask"
    NOTIFY_FEEDBACK: Final = "NotifyFeedbackTask"
    CLOSED_GATEWAY: Final = "ClosedGateway"
    RECORD_CLOSED: Final = "RecordClosedTask"
    ARCHIVE: Final = "ArchiveTask"
    CASE_CLOSED: Final = "CaseClosedEndEvent"
    # The month's reception schedule (每月初公示), started by the message below.
    SCHEDULE_RECEIVED: Final = "ScheduleReceivedStartEvent"
    PLAN_MONTH: Final = "PlanMonthTask"
    REGISTER_SCHEDULE: Final = "RegisterScheduleTask"
    PUBLISH_SCHEDULE: Final = "PublishScheduleTask"
    RECORD_SCHEDULED_DAYS: Final = "RecordScheduledDaysTask"
    RECORD_DUTIES: Final = "RecordDutiesTask"
    NOTIFY_SCHEDULE_PUBLISHED: Final = "NotifySchedulePublishedTask"
    RECORD_SCHEDULE_COMPLETED: Final = "RecordScheduleCompletedTask"
    ARCHIVE_SCHEDULE: Final = "ArchiveScheduleTask"
    SCHEDULE_PUBLISHED: Final = "SchedulePublishedEndEvent"


class LeaderReceptionMessages:
    """Messages of `bpmn/leader-reception.bpmn`."""

    # Starts the month's schedule: {scheduleMonth: "2027-01", schedule: [{leader, date, kind}]}.
    SCHEDULE: Final = "reception-schedule"


class RadioHotline:
    """Element ids of `bpmn/radio-hotline.bpmn` (政风行风热线上线), for process tests and the console."""

    SCHEDULED: Final = "BroadcastScheduledStartEvent"
    REGISTER_BROADCAST: Final = "RegisterBroadcastTask"
    RECORD_BROADCAST_DETAILS: Final = "RecordBroadcastDetailsTask"
    COMPUTE_SCHEDULE: Final = "ComputeScheduleTask"
    RECORD_SCHEDULED: Final = "RecordScheduledTask"
    # Preparation and the leading official, in parallel; a leave approved ends it (terminate).
    PRE_BROADCAST: Final = "PreBroadcastSubProcess"
    PREPARATION: Final = "PreparationTask"
    PREPARATION_DUE_TIMER: Final = "PreparationDueTimerEvent"
    RECORD_PREPARATION_REMINDER: Final = "RecordPreparationReminderTask"
    NOTIFY_PREPARATION_CHASE: Final = "NotifyPreparationChaseTask"
    RECORD_PREPARATION: Final = "RecordPreparationTask"
    OFFICIAL: Final = "OfficialTask"
    OFFICIAL_DUE_TIMER: Final = "OfficialDueTimerEvent"
    RECORD_OFFICIAL_REMINDER: Final = "RecordOfficialReminderTask"
    NOTIFY_OFFICIAL_CHASE: Final = "NotifyOfficialChaseTask"
    LEAVE_GATEWAY: Final = "LeaveGateway"
    RECORD_OFFICIAL: Final = "RecordOfficialTask"
    LEAVE_APPROVAL: Final = "LeaveApprovalTask"
    LEAVE_APPROVED_GATEWAY: Final = "LeaveApprovedGateway"
    DEFERRED_END: Final = "DeferredEndEvent"
    DEFERRED_GATEWAY: Final = "DeferredGateway"
    RECORD_DEFERRED: Final = "RecordDeferredTask"
    RECORD_DEFERRED_STATUS: Final = "RecordDeferredStatusTask"
    # On air, and what is recorded after it.
    BROADCAST_TIMER: Final = "BroadcastTimerEvent"
    BROADCAST_RECORD: Final = "BroadcastRecordTask"
    RECORD_BROADCAST_HELD: Final = "RecordBroadcastHeldTask"
    RECORD_BROADCAST_STATUS: Final = "RecordBroadcastStatusTask"
    ITEMS_GATEWAY: Final = "ItemsGateway"
    # One instance per item not answered on air (parallel multi-instance over `pendingItems`).
    ITEMS: Final = "ItemsSubProcess"
    REGISTER_ITEM: Final = "RegisterItemTask"
    RECORD_ITEM_DETAILS: Final = "RecordItemDetailsTask"
    RECORD_ITEM_DISPATCHED: Final = "RecordItemDispatchedTask"
    ITEM_HANDLING: Final = "ItemHandlingCallActivity"
    ITEM_OUTCOME_GATEWAY: Final = "ItemOutcomeGateway"
    ITEM_REDISPATCH: Final = "ItemRedispatchTask"
    RECORD_ITEM_REDISPATCH: Final = "RecordItemRedispatchTask"
    ITEM_RESULT: Final = "ItemResultTask"
    RECORD_ITEM_REPLY: Final = "RecordItemReplyTask"
    RECORD_ITEM_HANDLED: Final = "RecordItemHandledTask"
    NOTIFY_ITEM_REPLY: Final = "NotifyItemReplyTask"
    NOTIFY_ITEM_RESULT: Final = "NotifyItemResultTask"
    ITEM_CALLBACK: Final = "ItemCallbackTask"
    RECORD_ITEM_SATISFACTION: Final = "RecordItemSatisfactionTask"
    RECORD_ITEM_CALLBACK: Final = "RecordItemCallbackTask"
    RECORD_ITEM_COMPLETED: Final = "RecordItemCompletedTask"
    ARCHIVE_ITEM: Final = "ArchiveItemTask"
    ITEM_CLOSED: Final = "ItemClosedEndEvent"
    RECORD_COMPLETED: Final = "RecordCompletedTask"
    ARCHIVE_BROADCAST: Final = "ArchiveBroadcastTask"
    CLOSED: Final = "BroadcastClosedEndEvent"
