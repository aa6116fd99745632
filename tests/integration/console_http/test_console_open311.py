"""Open311 GeoReport v2 at /open311/v2/: an outside portal lists the services, submits a request with
its API key (a hotline ticket starts), resolves the token to the case number once the workers
registered it, and follows the request; errors are the spec's error array."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from console_support import OPEN311_API_KEY, ConsoleStack

from workers.ids import HotlineTicket, ProcessId, UnitHandling
from workers.ledger.masking import Viewer

KEY = OPEN311_API_KEY
NOISE = {
    "service_code": "complaint",
    "description": "楼下酒吧每晚噪音扰民到凌晨，投诉多次仍未解决，请尽快处理",
    "address_string": "铁东区幸福路8号3栋",
    "lat": "41.123456",
    "long": "123.456789",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800001111",
    "email": "zhang@example.cn",
}


def portal(console: ConsoleStack, key: str | None = KEY) -> httpx.AsyncClient:
    """An outside portal: no session, no CSRF token; its key (if any) on every request's query."""
    params = {} if key is None else {"api_key": key}
    return httpx.AsyncClient(base_url=f"{console.url}/open311/v2", timeout=20, params=params)


async def hotline_instances(console: ConsoleStack) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=f"{console.engine.rest_url}/v2") as engine:
        answer = await engine.post(
            "/process-instances/search", json={"filter": {"processDefinitionId": ProcessId.HOTLINE_TICKET}}
        )
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


async def submitted(
    console: ConsoleStack, client: httpx.AsyncClient, form: dict[str, str]
) -> tuple[int, str]:
    """Submit `form`; the instance key (the token) and, once the workers registered it, the case number."""
    answer = await client.post("/requests.json", data={"api_key": KEY, **form})
    assert answer.status_code == 200, answer.text[:300]
    [receipt] = answer.json()
    token = receipt["token"]
    assert "办理时限" in receipt["service_notice"]
    await console.engine.has_passed(int(token), HotlineTicket.REGISTER_CASE)
    resolved = await client.get(f"/tokens/{token}.json")
    assert resolved.status_code == 200, resolved.text[:300]
    [pair] = resolved.json()
    assert pair["token"] == token and pair["service_request_id"].startswith("RX"), pair
    return int(token), pair["service_request_id"]


async def test_services_list_the_hotline_categories(console: ConsoleStack) -> None:
    async with portal(console) as client:
        answer = await client.get("/services.json")
    assert answer.status_code == 200, answer.text[:300]
    services = {service["service_code"]: service for service in answer.json()}
    assert {service["service_name"] for service in services.values()} == {
        "咨询",
        "建议",
        "求助",
        "投诉",
        "举报",
        "其他",
    }
    assert services["complaint"]["metadata"] is False and services["complaint"]["type"] == "realtime"
    assert services["complaint"]["group"] and services["complaint"]["keywords"]


async def test_a_request_round_trip_from_token_to_case_number_to_its_status(console: ConsoleStack) -> None:
    async with portal(console) as client:
        key, number = await submitted(console, client, NOISE)
        variables = console.engine.instance(key).variables
        assert variables["source"] == "open311" and variables["open311ServiceCode"] == "complaint"
        assert variables["appellant"]["name"] == "张三", "the portal's names, surname first"
        case = console.ledger.view_case(number, Viewer("hotline-centre"))
        assert case.channel == ProcessId.HOTLINE_TICKET and case.process_instance_key == key

        # The operator dispatches the ticket as classified: the request now has its agency.
        await console.engine.is_waiting_at(key, HotlineTicket.INTAKE)
        classified = console.engine.instance(key).variables
        await console.engine.complete_user_task(
            key,
            HotlineTicket.INTAKE,
            {
                "intakeAction": "dispatch",
                "category": classified["category"],
                "leadUnit": classified["leadUnit"],
                "coUnits": classified["coUnits"],
            },
        )
        await console.engine.user_task_at(key, UnitHandling.SIGN_FOR)

        answer = await client.get(f"/requests/{number}.json")
        assert answer.status_code == 200, answer.text[:300]
        [request] = answer.json()
        assert request["service_request_id"] == number and request["status"] == "open"
        assert request["service_code"] == "complaint" and request["service_name"] == "投诉"
        assert request["agency_responsible"] == "市环境保护局", request
        assert request["status_notes"] == "已派至承办单位。", request
        assert request["address"] == "铁东区****", "the place is shown only up to its district"
        assert (request["lat"], request["long"]) == (41.12, 123.46), "coordinates are rounded"
        assert request["requested_datetime"] and request["updated_datetime"]
        for personal in ("张三", "13800001111", "zhang@example.cn", "幸福路"):
            assert personal not in answer.text, f"the request shows the appellant's {personal}"


async def test_requests_filter_by_id_service_status_and_date_and_hide_confidential_cases(
    console: ConsoleStack,
) -> None:
    operator = await console.client("operator")
    confidential = await operator.post(
        f"/api/intake/{ProcessId.HOTLINE_TICKET}",
        json={
            "title": "举报小区违建",
            "content": "小区里有人私搭乱建，举报人要求保密",
            "appellant": {"phone": "13800003333", "confidential": True},
        },
    )
    assert confidential.status_code == 201, confidential.text[:300]
    hidden_key = int(confidential.json()["processInstanceKey"])
    hidden = (await console.engine.has_passed(hidden_key, HotlineTicket.REGISTER_CASE)).variables[
        "caseNumber"
    ]
    await operator.aclose()

    async with portal(console) as client:
        _, number = await submitted(console, client, NOISE)

        async def listed(**params: str) -> list[str]:
            answer = await client.get("/requests.json", params=params)
            assert answer.status_code == 200, f"{params}: {answer.text[:300]}"
            return [request["service_request_id"] for request in answer.json()]

        assert await listed() == [number], "the confidential case must not be listed"
        assert await listed(service_request_id=f"{number},{hidden}") == [number]
        assert await listed(status="open") == [number]
        assert await listed(status="closed") == []
        [request] = (await client.get(f"/requests/{number}.json")).json()
        received = datetime.fromisoformat(request["requested_datetime"])
        around = {
            "start_date": (received - timedelta(hours=1)).isoformat(),
            "end_date": (received + timedelta(hours=1)).isoformat(),
        }
        assert await listed(**around) == [number]
        before = {
            "start_date": (received - timedelta(days=10)).isoformat(),
            "end_date": (received - timedelta(days=9)).isoformat(),
        }
        assert await listed(**before) == []
        too_long = {
            "start_date": (received - timedelta(days=91)).isoformat(),
            "end_date": received.isoformat(),
        }
        answer = await client.get("/requests.json", params=too_long)
        assert answer.status_code == 400 and "90" in answer.json()[0]["description"], answer.text[:300]
        hidden_answer = await client.get(f"/requests/{hidden}.json")
        assert hidden_answer.status_code == 404, "a confidential case is readable by its number"


async def test_a_request_without_a_valid_api_key_is_refused_and_starts_nothing(console: ConsoleStack) -> None:
    async with portal(console) as client:
        for key in ("wrong-key", ""):
            answer = await client.post("/requests.json", data={"api_key": key, **NOISE})
            assert answer.status_code == 403, f"key {key!r}: {answer.status_code}"
            assert answer.json() == [{"code": 403, "description": "api_key 无效或缺失"}]
        missing = await client.post("/requests.json", data=NOISE)
        assert missing.status_code == 403
    assert await hotline_instances(console) == [], "a refused request started a ticket"


async def test_reading_requests_needs_a_portals_key(console: ConsoleStack) -> None:
    async with portal(console) as client:
        token, number = await submitted(console, client, NOISE)
    for key in (None, "wrong-key"):
        async with portal(console, key) as stranger:
            assert (await stranger.get("/services.json")).status_code == 200, "the service list is public"
            for path in (f"/requests/{number}.json", "/requests.json", f"/tokens/{token}.json"):
                answer = await stranger.get(path)
                assert answer.status_code == 403, f"{path} answered {answer.status_code} without a valid key"
                assert number not in answer.text


async def test_errors_come_as_the_spec_error_array(console: ConsoleStack) -> None:
    async with portal(console) as client:
        no_service = await client.post("/requests.json", data={"api_key": KEY, **NOISE, "service_code": ""})
        assert no_service.status_code == 400
        assert no_service.json() == [{"code": 400, "description": "缺少 service_code（服务类别）"}]
        unknown = await client.get("/requests/RX2026-999999.json")
        assert unknown.status_code == 404
        assert unknown.json() == [{"code": 404, "description": "service_request_id 不存在：RX2026-999999"}]
        token = await client.get("/tokens/123456789.json")
        assert token.status_code == 404 and token.json()[0]["code"] == 404
        xml = await client.get("/services.xml")
        assert xml.status_code == 400 and "JSON" in xml.json()[0]["description"]
    assert await hotline_instances(console) == []
