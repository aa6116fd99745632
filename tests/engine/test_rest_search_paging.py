"""Searching the history: pagination (offset and cursors), sorting, filters; ended instances stay."""

from __future__ import annotations

import pytest
from diagrams import Diagram
from rest_fixtures import RestEngine


async def test_pages_sorting_and_cursors(rest: RestEngine) -> None:
    await rest.deploy(Diagram("quick").start().end().chain("start", "end").file())
    keys = [await rest.start("quick", {"i": i}) for i in range(7)]

    first = await rest.search("process-instances", {"page": {"from": 0, "limit": 3}})
    assert first["page"]["totalItems"] == 7 and first["page"]["hasMoreTotalItems"] is False
    assert [i["processInstanceKey"] for i in first["items"]] == keys[:3]
    assert all(i["state"] == "COMPLETED" for i in first["items"]), "ended instances stay searchable"

    second = await rest.search(
        "process-instances", {"page": {"after": first["page"]["endCursor"], "limit": 3}}
    )
    assert [i["processInstanceKey"] for i in second["items"]] == keys[3:6]
    back = await rest.search(
        "process-instances", {"page": {"before": second["page"]["startCursor"], "limit": 3}}
    )
    assert [i["processInstanceKey"] for i in back["items"]] == keys[:3]
    last = await rest.search("process-instances", {"page": {"from": 6, "limit": 3}})
    assert [i["processInstanceKey"] for i in last["items"]] == keys[6:]
    beyond = await rest.search("process-instances", {"page": {"from": 10}})
    assert beyond["items"] == [] and "endCursor" not in beyond["page"] and beyond["page"]["totalItems"] == 7

    newest_first = await rest.search(
        "process-instances",
        {"sort": [{"field": "processInstanceKey", "order": "DESC"}], "page": {"limit": 2}},
    )
    assert [i["processInstanceKey"] for i in newest_first["items"]] == keys[:-3:-1]
    by_values = await rest.search(
        "variables",
        {"filter": {"name": "i"}, "sort": [{"field": "value", "order": "DESC"}], "page": {"limit": 2}},
    )
    assert [v["value"] for v in by_values["items"]] == ["6", "5"]
    in_keys = await rest.search("process-instances", {"filter": {"processInstanceKey": {"$in": keys[1:3]}}})
    assert in_keys["page"]["totalItems"] == 2
    started = first["items"][0]["startDate"]
    since = await rest.search("process-instances", {"filter": {"startDate": {"$gte": started}}})
    assert since["page"]["totalItems"] == 7
    nothing_later = await rest.search(
        "process-instances", {"filter": {"endDate": {"$gt": "2999-01-01T00:00:00Z"}}}
    )
    assert nothing_later["page"]["totalItems"] == 0
    either = await rest.search(
        "process-instances",
        {"filter": {"$or": [{"processInstanceKey": keys[0]}, {"processInstanceKey": keys[1]}]}},
    )
    assert either["page"]["totalItems"] == 2


async def test_bad_search_requests(rest: RestEngine) -> None:
    client = rest.client
    for body in (
        {"sort": [{"field": "nonsense"}]},
        {"page": {"from": 0, "after": "abc"}},
        {"page": {"after": "not-a-cursor"}},
        {"page": {"limit": -1}},
        {"filter": {"unknownField": 1}},
        {"filter": {"processInstanceKey": "twelve"}},
    ):
        answer = await client.post("/process-instances/search", json=body)
        assert answer.status_code == 400, f"{body}: {answer.status_code} {answer.text}"
        assert answer.json()["status"] == 400
    empty = await client.post("/process-instances/search")
    assert empty.status_code == 200 and empty.json()["items"] == []


async def test_projection_catches_up_with_an_older_log(sqlite_url: str) -> None:
    """A database written before the projection existed is folded in when the engine starts."""
    from rest_fixtures import _start
    from sqlalchemy import text

    from engine.store.database import open_database

    async for engine in _start(sqlite_url):
        await engine.deploy(Diagram("old").start().end().chain("start", "end").file())
        key = await engine.start("old")
    database = open_database(sqlite_url)
    with database.begin() as connection:
        for table in ("proj_process_instances", "proj_element_instances", "proj_variables", "proj_meta"):
            connection.execute(text(f"DELETE FROM {table}"))
    database.dispose()
    async for engine in _start(sqlite_url):
        found = await engine.search("process-instances", {})
        assert [(i["processInstanceKey"], i["state"]) for i in found["items"]] == [(key, "COMPLETED")]


async def test_totals_are_capped_like_camundas(rest: RestEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap the total is only a bound, and `hasMoreTotalItems` says so, for every search."""
    from engine.api import filters

    monkeypatch.setattr(filters, "TOTAL_ITEMS_CAP", 3)
    await rest.deploy(Diagram("capped").start().end().chain("start", "end").file())
    keys = [await rest.start("capped", {"i": i}) for i in range(5)]

    many = await rest.search("process-instances", {"page": {"limit": 2}})
    assert many["page"]["totalItems"] == 3, f"5 matches should report the cap 3: {many['page']}"
    assert many["page"]["hasMoreTotalItems"] is True, f"more matches than the cap: {many['page']}"
    assert len(many["items"]) == 2 and many["page"]["endCursor"], "the page itself is not capped"
    deep = await rest.search("process-instances", {"page": {"from": 4}})
    assert [i["processInstanceKey"] for i in deep["items"]] == keys[4:], "rows past the cap stay reachable"
    elements = await rest.search("element-instances", {"filter": {"processInstanceKey": keys[0]}})
    # The process, its start event and its end event: as many as the cap, so an exact count.
    assert (elements["page"]["totalItems"], elements["page"]["hasMoreTotalItems"]) == (3, False), (
        f"3 element instances should be counted exactly: {elements['page']}"
    )
    variables = await rest.search("variables", {"filter": {"name": "i"}, "page": {"limit": 0}})
    assert variables["page"]["totalItems"] == 3 and variables["page"]["hasMoreTotalItems"] is True

    exact = await rest.search("process-instances", {"filter": {"processInstanceKey": {"$in": keys[:3]}}})
    assert (exact["page"]["totalItems"], exact["page"]["hasMoreTotalItems"]) == (3, False), (
        f"as many matches as the cap is an exact count: {exact['page']}"
    )
    few = await rest.search("process-instances", {"filter": {"processInstanceKey": {"$in": keys[:2]}}})
    assert (few["page"]["totalItems"], few["page"]["hasMoreTotalItems"]) == (2, False), (
        f"fewer matches than the cap are counted exactly: {few['page']}"
    )
