"""The upstream platforms' quarantine page (上级平台隔离区): items that could not start a process,
with their reasons and raw JSON, and the hotline centre marking them dealt with."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from console_support import ConsoleStack

from workers.upstream.adapter import Rejected
from workers.upstream.store import UpstreamStore

PROVINCIAL = "provincial-hotline"
PROVINCIAL_NAME = "省12345政务服务便民热线系统"


def store_of(console: ConsoleStack) -> UpstreamStore:
    engine = console.ledger.case_search().engine
    return UpstreamStore(engine, lambda: datetime.fromtimestamp(console.engine.now_ms() / 1000, UTC))


def quarantine(console: ConsoleStack) -> dict[str, int]:
    """Two rejected items of the provincial hotline; their ids."""
    store = store_of(console)
    store.quarantine(
        PROVINCIAL,
        Rejected(
            upstream_id="SJ20261127001",
            raw={"orderNo": "SJ20261127001", "subject": "路灯不亮", "orderType": "表扬类"},
            reasons=("分类「表扬类」不是本市的分类", "缺少诉求内容"),
        ),
    )
    store.quarantine(
        PROVINCIAL, Rejected(upstream_id=None, raw={"subject": "无编号"}, reasons=("缺少上级编号",))
    )
    items = store.quarantined(10)
    return {item.upstream_id or "none": item.id for item in items}


def rows(page: httpx.Response) -> list[str]:
    return [
        part.split('"', 1)[0] for part in page.text.split('data-testid="upstream-row" data-item-id="')[1:]
    ]


async def test_the_centre_sees_the_quarantine_and_marks_an_item_dealt_with(console: ConsoleStack) -> None:
    ids = quarantine(console)
    centre = await console.client("centre")
    assert 'href="/upstream"' in (await centre.get("/")).text, "the centre's menu has no 上级平台隔离区"
    page = await centre.get("/upstream")
    assert page.status_code == 200, page.text[:300]
    assert sorted(rows(page)) == sorted(str(value) for value in ids.values())
    for shown in (
        PROVINCIAL_NAME,
        "SJ20261127001",
        "分类「表扬类」不是本市的分类",
        "缺少诉求内容",
        "（无编号）",
    ):
        assert shown in page.text, f"the quarantine page does not show {shown}"
    assert "&#34;subject&#34;: &#34;路灯不亮&#34;" in page.text, "the raw JSON is not shown indented"

    resolved = await centre.post(f"/upstream/{ids['SJ20261127001']}/resolve")
    assert resolved.status_code == 303, resolved.text[:300]
    unresolved = await centre.get("/upstream")
    assert rows(unresolved) == [str(ids["none"])], "a resolved item is still listed as unresolved"
    everything = await centre.get("/upstream", params={"show": "all"})
    assert len(rows(everything)) == 2
    assert 'data-testid="upstream-resolved-by">centre' in everything.text, "who resolved it is not shown"
    (item,) = [item for item in store_of(console).quarantined(10) if item.id == ids["SJ20261127001"]]
    assert item.resolved_by == "centre" and item.resolved_at is not None

    unknown = await centre.post("/upstream/999999/resolve")
    assert unknown.status_code == 404
    no_token = await centre.post(f"/upstream/{ids['none']}/resolve", headers={"X-CSRF-Token": "forged"})
    assert no_token.status_code == 403, "a resolution without the session's CSRF token was taken"
    await centre.aclose()
    log = await (await console.client("admin")).get("/admin/audit")
    assert "处理隔离的上级平台来件" in log.text, "the resolution is not in the audit log"


async def test_an_operator_sees_but_cannot_resolve_and_a_unit_sees_nothing(console: ConsoleStack) -> None:
    ids = quarantine(console)
    operator = await console.client("operator")
    page = await operator.get("/upstream")
    assert page.status_code == 200 and 'data-testid="upstream-resolve"' not in page.text
    refused = await operator.post(f"/upstream/{ids['none']}/resolve")
    assert refused.status_code == 403, f"an operator resolved a quarantined item: {refused.status_code}"
    await operator.aclose()
    assert all(item.resolved_at is None for item in store_of(console).quarantined(10))

    unit = await console.client("zhujian")
    assert (await unit.get("/upstream")).status_code == 403
    assert (await unit.post(f"/upstream/{ids['none']}/resolve")).status_code == 403
    await unit.aclose()
