"""First-contact answers (首问首接) in the ledger and the bulletin, on SQLite and PostgreSQL: a reply
citing a knowledge base entry takes the entry's answer, a citation of an entry not published is
refused, and the direct-answer rate counts the 12345 calls closed at the front desk."""

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ledger_support import CONFIG, open_test_ledger

from workers.knowledge.store import EntryText
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger import events
from workers.ledger.events import CaseRegistration, LedgerInputError
from workers.ledger.masking import Viewer
from workers.ledger.service import Ledger
from workers.report_policy import load_report_policy
from workers.reports.bulletin import compile_bulletin
from workers.reports.periods import parse_period
from workers.reports.service import open_reader

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEGMENTER = KnowledgeSegmenter()
SUPERVISION = Viewer(role="supervision")
UNIT = "人力资源社会保障局"
ENTRY = EntryText(
    question="社保卡丢了怎么补办？",
    answer="携带本人身份证到人力资源和社会保障局服务大厅或合作银行网点申请补办。",
    topic="社会保障卡",
    unit=UNIT,
    valid_from=datetime(2026, 9, 1, tzinfo=SHANGHAI),
)


def local(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=SHANGHAI)


class Clock:
    def __init__(self) -> None:
        self.now = local(1)

    def __call__(self) -> datetime:
        return self.now


class Desk:
    """Writes cases as hotline-ticket's front desk does, through the ledger service."""

    def __init__(self, ledger: Ledger, clock: Clock, url: str) -> None:
        self.ledger, self.clock, self.url, self.jobs = ledger, clock, url, itertools.count(1)

    def case(self, day: int, unit: str, category: str, channel: str = "hotline-ticket") -> str:
        self.clock.now = local(day)
        number = self.ledger.register(next(self.jobs), CaseRegistration(channel=channel, title="诉求"))
        self.record(events.Details(kind="details", case_number=number, category=category, lead_unit=unit))
        return number

    def record(self, *recorded: events.LedgerEvent) -> None:
        for event in recorded:
            self.ledger.record(next(self.jobs), event)

    def answer(self, number: str, text: str | None = None, entry: str | None = None) -> None:
        """RecordDirectReplyTask, RecordDirectAnswerTask and RecordClosedTask of the diagram."""
        action = "answer" if entry is None else "knowledge"
        self.clock.now += timedelta(minutes=5)
        self.record(
            events.Reply(
                kind="reply", case_number=number, unit="12345热线服务中心", text=text, cited_entry=entry
            ),
            events.Activity(
                kind="activity",
                case_number=number,
                activity="direct-answer",
                label="前台直接答复",
                unit="12345热线服务中心",
                activity_data={"intakeAction": action, "knowledgeEntry": entry},
            ),
            events.Transition(kind="transition", case_number=number, status="closed"),
        )


@pytest.fixture
def desk(database_url: str, tmp_path: Path) -> Iterator[Desk]:
    url = f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url
    clock = Clock()
    ledger = open_test_ledger(url, clock=clock)
    yield Desk(ledger, clock, url)
    ledger.close()


def published_entry(desk: Desk) -> str:
    store = desk.ledger.knowledge_store(SEGMENTER)
    number = store.create(ENTRY, actor="人社局张三")
    store.submit(number, actor="人社局张三")
    store.publish(number, actor="热线中心")
    return number


def replies(desk: Desk, number: str) -> list[str]:
    case = desk.ledger.view_case(number, SUPERVISION)
    return [entry.fields["text"] for entry in case.history if entry.kind == "reply"]


def test_a_reply_citing_an_entry_takes_its_answer_unless_the_operator_wrote_one(desk: Desk) -> None:
    entry = published_entry(desk)
    cited = desk.case(2, UNIT, "咨询")
    desk.answer(cited, entry=entry)
    assert replies(desk, cited) == [ENTRY.answer], "without words of its own the reply is the entry's answer"
    own = desk.case(3, UNIT, "咨询")
    desk.answer(own, text="请到合作银行网点补办。", entry=entry)
    assert replies(desk, own) == ["请到合作银行网点补办。"], "the operator's own words are the reply"


def test_a_citation_of_an_entry_not_published_is_refused(desk: Desk) -> None:
    entry = published_entry(desk)
    desk.ledger.knowledge_store(SEGMENTER).withdraw(entry, actor="热线中心")
    number = desk.case(2, UNIT, "咨询")
    with pytest.raises(LedgerInputError, match="withdrawn"):
        desk.answer(number, entry=entry)
    with pytest.raises(LedgerInputError, match="no knowledge base entry ZS9999999"):
        desk.answer(number, entry="ZS9999999")
    assert replies(desk, number) == [], "a refused citation records no reply"


def test_a_reply_needs_text_or_a_citation() -> None:
    with pytest.raises(ValueError, match="text or the citedEntry"):
        events.ledger_event({"ledgerEvent": "reply"}, {"caseNumber": "RX1", "text": "  "})


def test_the_direct_answer_rate_counts_calls_closed_at_the_front_desk(desk: Desk) -> None:
    entry = published_entry(desk)
    desk.answer(desk.case(2, UNIT, "咨询"), entry=entry)
    desk.answer(desk.case(3, UNIT, "咨询"), text="社保卡在合作银行网点补办。")
    desk.case(4, "环保局", "投诉")  # dispatched, not answered at the front desk
    desk.case(5, "民政局", "建议", channel="deputy-suggestion")  # not a 12345 call
    late = desk.case(30, UNIT, "咨询")
    desk.clock.now = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    desk.answer(late, entry=entry)  # answered after the period: open at its end

    reader = open_reader(desk.url)
    try:
        bulletin = compile_bulletin(
            reader,
            load_report_policy(CONFIG),
            parse_period("monthly", "2026-10"),
            datetime(2026, 11, 10, tzinfo=SHANGHAI),
        )
    finally:
        reader.dispose()
    total = bulletin.total.values
    assert (total["direct-answer-rate"], total["knowledge-answers"]) == (2 / 4, 1), (
        f"two of four 12345 calls were closed at the front desk in October, one citing the knowledge "
        f"base; the bulletin says {total['direct-answer-rate']} and {total['knowledge-answers']}"
    )
    units = {row.name: dict(row.values) for row in bulletin.units}
    assert (units[UNIT]["direct-answer-rate"], units[UNIT]["knowledge-answers"]) == (2 / 3, 1)
    assert units["环保局"]["direct-answer-rate"] == 0.0
    assert units["民政局"]["direct-answer-rate"] is None, "no 12345 calls: no rate, not zero"
    assert any(
        note.startswith("直接答复率 = 前台直接答复件数 ÷ 12345热线受理件数") for note in bulletin.notes
    ), f"the notes should define the direct-answer rate: {bulletin.notes}"
