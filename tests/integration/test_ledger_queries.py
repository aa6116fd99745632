"""The console's case search (workers/ledger/queries.py) on both databases: a unit's scope in the
SQL (lead or co-unit, nothing else, kept as cases are redispatched, and filled by the migration for
cases already there), every filter, keyset pages both ways, masking per viewer."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from ledger_support import open_test_ledger
from sqlalchemy import insert

from workers.ledger import migrations, models
from workers.ledger.database import open_engine
from workers.ledger.events import AppellantDetails, CaseRegistration, Deadline, Details, Transition
from workers.ledger.masking import Viewer
from workers.ledger.queries import CaseQuery, CaseSearch, Cursor
from workers.ledger.service import Ledger

HOUSING, ENFORCEMENT, ENVIRONMENT = "住房城乡建设委", "综合执法局", "环保局"
CENTRE = Viewer("hotline-centre")
SUPERVISION = Viewer("supervision")
UNIT = Viewer("handling-unit", HOUSING, "zhujian")
MONDAY = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
def ledger_url(database_url: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}" if database_url.startswith("sqlite") else database_url


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[Ledger]:
    ledger = open_test_ledger(ledger_url)
    yield ledger
    ledger.close()


@pytest.fixture
def search(ledger: Ledger) -> CaseSearch:
    return ledger.case_search()


class Cases:
    """Cases written through the ledger's own API, as the workers write them."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.jobs = count(1)

    def add(
        self,
        title: str,
        received_at: datetime,
        *,
        lead: str | None = None,
        co_units: tuple[str, ...] = (),
        channel: str = "hotline-ticket",
        category: str = "投诉",
        status: str | None = None,
        due_at: datetime | None = None,
        confidential: bool = False,
        content: str = "",
    ) -> str:
        appellant = AppellantDetails(
            name="张三", phone="13800001111", address="铁东区某小区3栋", confidential=confidential
        )
        number = self.ledger.register(
            next(self.jobs),
            CaseRegistration(
                channel=channel, received_at=received_at, appellant=appellant, title=title, content=content
            ),
        )
        details = Details(kind="details", case_number=number, category=category, co_units=co_units)
        if lead is not None:
            details = details.model_copy(update={"lead_unit": lead})
        self.ledger.record(next(self.jobs), details)
        if status is not None:
            self.ledger.record(
                next(self.jobs), Transition(kind="transition", case_number=number, status=status)
            )
        if due_at is not None:
            self.ledger.record(next(self.jobs), Deadline(kind="deadline", case_number=number, due_at=due_at))
        return number


def numbers(search: CaseSearch, query: CaseQuery, viewer: Viewer = CENTRE) -> list[str]:
    return [case.case_number for case in search.search(query, viewer, limit=100).cases]


def test_a_unit_reads_only_the_cases_it_leads_or_co_handles(ledger: Ledger, search: CaseSearch) -> None:
    cases = Cases(ledger)
    led = cases.add("楼道漏水", MONDAY, lead=HOUSING)
    helped = cases.add("占道经营", MONDAY + timedelta(hours=1), lead=ENFORCEMENT, co_units=(HOUSING,))
    other = cases.add("夜间施工", MONDAY + timedelta(hours=2), lead=ENFORCEMENT, co_units=(ENVIRONMENT,))
    undispatched = cases.add("咨询社保", MONDAY + timedelta(hours=3))
    # A unit whose name holds another's must not match it.
    cases.add(
        "路灯不亮", MONDAY + timedelta(hours=4), lead="市住房城乡建设委员会", co_units=("住房城乡建设委员会",)
    )

    assert numbers(search, CaseQuery(unit=HOUSING)) == [helped, led], "the housing commission's scope"
    assert numbers(search, CaseQuery(unit=ENFORCEMENT)) == [other, helped]
    assert numbers(search, CaseQuery(unit=ENVIRONMENT)) == [other], "a co-unit alone finds the case"
    assert numbers(search, CaseQuery(unit="民政局")) == []
    assert search.count(CaseQuery(unit=HOUSING)) == 2
    assert undispatched in numbers(search, CaseQuery()), "without a unit scope every case is read"
    assert numbers(search, CaseQuery(unit=HOUSING, number=other)) == [], "the number of another unit's case"
    assert numbers(search, CaseQuery(unit=HOUSING, text="夜间")) == [], "the text of another unit's case"
    assert search.count(CaseQuery(unit=HOUSING, number=other)) == 0


def test_a_redispatch_moves_the_case_from_the_old_units_scope_to_the_new_ones(
    ledger: Ledger, search: CaseSearch
) -> None:
    cases = Cases(ledger)
    moved = cases.add("楼道漏水", MONDAY, lead=HOUSING, co_units=(ENVIRONMENT,))
    stays = cases.add("占道经营", MONDAY + timedelta(hours=1), lead=HOUSING)
    assert numbers(search, CaseQuery(unit=HOUSING)) == [stays, moved], "before: the housing commission's"

    # Redispatch: another lead unit, no co-unit.
    redispatch = Details(kind="details", case_number=moved, lead_unit=ENFORCEMENT, co_units=())
    ledger.record(next(cases.jobs), redispatch)
    assert numbers(search, CaseQuery(unit=ENFORCEMENT)) == [moved], "the new lead unit must see the case"
    assert numbers(search, CaseQuery(unit=HOUSING)) == [stays], "the old lead unit must no longer see it"
    assert search.count(CaseQuery(unit=HOUSING)) == 1
    assert numbers(search, CaseQuery(unit=ENVIRONMENT)) == [], "a co-unit dropped must lose the case"

    # Co-units alone change: the lead stays.
    ledger.record(next(cases.jobs), Details(kind="details", case_number=moved, co_units=(HOUSING,)))
    assert numbers(search, CaseQuery(unit=HOUSING)) == [stays, moved], "a new co-unit must see the case"
    assert numbers(search, CaseQuery(unit=ENFORCEMENT)) == [moved], "the lead unit must keep the case"

    # A unit named lead and co-unit at once has the case once.
    ledger.record(next(cases.jobs), Details(kind="details", case_number=stays, co_units=(HOUSING, HOUSING)))
    assert numbers(search, CaseQuery(unit=HOUSING)) == [stays, moved], "each case once"
    assert search.count(CaseQuery(unit=HOUSING)) == 2


def test_the_migration_fills_the_units_of_cases_already_there(ledger_url: str) -> None:
    """Cases written before migration 0004 (lead unit and co-units only in `ledger_cases`) are in
    their units' scopes once it ran."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    engine = open_engine(ledger_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        rows = [
            (1, "A-1", MONDAY, HOUSING, [ENVIRONMENT, ENVIRONMENT]),
            (2, "A-2", MONDAY + timedelta(hours=1), ENFORCEMENT, [HOUSING, ENFORCEMENT]),
            (3, "A-3", MONDAY + timedelta(hours=2), None, []),
        ]
        for case_id, number, received_at, lead, co_units in rows:
            connection.execute(
                insert(models.Case.__table__).values(
                    id=case_id, case_number=number, channel="hotline-ticket", received_at=received_at,
                    appellant_key_id="k", confidential=False, lead_unit=lead, co_units=co_units,
                    status="received", created_at=received_at, updated_at=received_at,
                )
            )  # fmt: skip
    engine.dispose()
    ledger = open_test_ledger(ledger_url)
    try:
        search = ledger.case_search()
        assert numbers(search, CaseQuery(unit=HOUSING)) == ["A-2", "A-1"], "lead of A-1, co-unit of A-2"
        assert numbers(search, CaseQuery(unit=ENVIRONMENT)) == ["A-1"], "a co-unit named twice, once"
        assert numbers(search, CaseQuery(unit=ENFORCEMENT)) == ["A-2"], "lead and co-unit of A-2, once"
        assert len(numbers(search, CaseQuery())) == 3
    finally:
        ledger.close()


def test_every_filter_narrows_the_list(ledger: Ledger, search: CaseSearch) -> None:
    cases = Cases(ledger)
    leak = cases.add("楼道漏水", MONDAY, lead=HOUSING, status="dispatched", content="三楼天花板渗水")
    noise = cases.add(
        "噪音扰民", MONDAY + timedelta(days=1), lead=ENFORCEMENT, category="举报", due_at=MONDAY
    )
    message = cases.add(
        "100%_满意", MONDAY + timedelta(days=2), channel="online-message", category="建议", status="completed"
    )
    done_late = cases.add("已办结", MONDAY + timedelta(days=3), status="completed", due_at=MONDAY)

    assert numbers(search, CaseQuery(number=noise)) == [noise]
    assert numbers(search, CaseQuery(text="渗水")) == [leak], "content is searched"
    assert numbers(search, CaseQuery(text="漏水")) == [leak], "title is searched"
    assert numbers(search, CaseQuery(text="%")) == [message], "% is a character, not a wildcard"
    assert numbers(search, CaseQuery(text="%_满")) == [message]
    assert numbers(search, CaseQuery(text="1_0")) == [], "_ is a character, not a wildcard"
    assert numbers(search, CaseQuery(channel="online-message")) == [message]
    assert numbers(search, CaseQuery(category="举报")) == [noise]
    assert numbers(search, CaseQuery(status="dispatched")) == [leak]
    assert numbers(search, CaseQuery(lead_unit=ENFORCEMENT)) == [noise]
    between = CaseQuery(received_from=MONDAY + timedelta(days=1), received_before=MONDAY + timedelta(days=3))
    assert numbers(search, between) == [message, noise], "received_from inclusive, received_before exclusive"
    overdue = CaseQuery(overdue_at=MONDAY + timedelta(days=5), completed_statuses=frozenset({"completed"}))
    assert numbers(search, overdue) == [noise], "a completed case is not overdue, nor one without a due date"
    assert done_late in numbers(search, CaseQuery(overdue_at=MONDAY + timedelta(days=5)))
    assert numbers(search, CaseQuery(overdue_at=MONDAY)) == [], "due at that instant is not yet overdue"


def test_keyset_pages_walk_both_ways_without_gaps_or_repeats(ledger: Ledger, search: CaseSearch) -> None:
    cases = Cases(ledger)
    # Three cases share an instant: the id breaks the tie.
    times = [MONDAY + timedelta(minutes=minutes) for minutes in (0, 5, 5, 5, 9, 12, 20)]
    made = [cases.add(f"第{index}件", at, lead=HOUSING) for index, at in enumerate(times)]
    newest_first = list(reversed(made))

    pages, cursor = [], None
    while True:
        page = search.search(CaseQuery(unit=HOUSING), UNIT, after=cursor, limit=3)
        pages.append([case.case_number for case in page.cases])
        assert (page.newer is None) == (cursor is None), "only the first page has no newer page"
        if page.older is None:
            break
        cursor = page.older
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]

    assert page.newer is not None
    back = search.search(CaseQuery(unit=HOUSING), UNIT, before=Cursor.parse(page.newer.token()), limit=3)
    assert [case.case_number for case in back.cases] == newest_first[3:6], "the page before the last"
    assert back.newer is not None and back.older is not None
    first = search.search(CaseQuery(unit=HOUSING), UNIT, before=back.newer, limit=3)
    assert [case.case_number for case in first.cases] == newest_first[0:3]
    assert first.newer is None, "nothing is newer than the first page"


def test_cursors_survive_their_link_and_refuse_tampering() -> None:
    cursor = Cursor(datetime(2026, 10, 12, 2, 0, 0, 123456, tzinfo=UTC), 42)
    assert Cursor.parse(cursor.token()) == cursor
    for token in ("", "x.1", "1.2.3", "1;drop", "1." + "9" * 30, "99999999999999999999.1"):
        assert Cursor.parse(token) is None, f"{token!r} parsed"


def test_appellants_are_masked_per_viewer(ledger: Ledger, search: CaseSearch) -> None:
    cases = Cases(ledger)
    open_case = cases.add("楼道漏水", MONDAY, lead=HOUSING)
    secret = cases.add("举报违建", MONDAY + timedelta(hours=1), lead=HOUSING, confidential=True)

    def appellant(viewer: Viewer, number: str) -> tuple[str | None, str | None, bool]:
        (case,) = search.search(CaseQuery(number=number), viewer).cases
        return case.appellant.name, case.appellant.phone, case.appellant_in_clear

    assert appellant(CENTRE, open_case) == ("张三", "13800001111", True)
    assert appellant(CENTRE, secret) == ("张三", "13800001111", True), "the centre sees confidential ones"
    assert appellant(SUPERVISION, open_case) == ("张三", "13800001111", True)
    assert appellant(SUPERVISION, secret) == ("张**", "138****1111", False), (
        "ledger.toml: not confidential ones"
    )
    assert appellant(UNIT, open_case) == ("张**", "138****1111", False)


def test_the_count_stops_at_its_cap(ledger: Ledger, search: CaseSearch) -> None:
    cases = Cases(ledger)
    for index in range(5):
        cases.add(f"第{index}件", MONDAY + timedelta(minutes=index), lead=HOUSING)
    assert search.count(CaseQuery(), cap=3) == 4, "over the cap reads as cap + 1"
    assert search.count(CaseQuery(unit=HOUSING), cap=10) == 5
