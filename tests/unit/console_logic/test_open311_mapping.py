"""The Open311 GeoReport v2 mapping (console/open311.py): services, a posted request, the hotline
ticket it starts, a case as portals read it, and the GET query."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from console.open311 import (
    OPEN311_POLICY_FILE,
    SOURCE,
    CaseRecord,
    Catalogue,
    Open311Error,
    api_keys,
    is_public,
    key_is_valid,
    load_open311_policy,
    normal_phone,
    parse_new_request,
    parse_query,
    service_list,
    service_request,
    start_variables,
    summary,
    token_answer,
)
from workers.classification_policy import load_classification_policy
from workers.policy import PolicyError, load_hotline_policy

CONFIG = Path(__file__).resolve().parents[3] / "config"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
NOISE = "楼下酒吧每晚噪音扰民到凌晨。投诉多次仍未解决"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    hotline = load_hotline_policy(CONFIG)
    return Catalogue.of(
        load_open311_policy(CONFIG, hotline), hotline, load_classification_policy(CONFIG), SHANGHAI
    )


def refusal(call: object, *args: object) -> Open311Error:
    with pytest.raises(Open311Error) as raised:
        call(*args)  # type: ignore[operator]
    return raised.value


def posted(**fields: str) -> dict[str, str]:
    return {"service_code": "complaint", "description": NOISE, "address_string": "铁东区幸福路8号", **fields}


CASE = CaseRecord(
    case_number="RX2026-000042",
    channel="hotline-ticket",
    title="酒吧噪音扰民",
    category="投诉",
    lead_unit="环保局",
    status="dispatched",
    location="铁东区幸福路8号3栋201",
    confidential=False,
    received_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
    updated_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
    due_at=datetime(2026, 12, 18, 16, 0, tzinfo=UTC),
    archived_at=None,
    process_instance_key=2251799813685249,
)


# ------------------------------------------------------------------------------------------- policy


def test_every_service_is_a_hotline_category_with_its_time_limit_and_keywords(catalogue: Catalogue) -> None:
    services = {service["service_code"]: service for service in service_list(catalogue)}
    hotline = load_hotline_policy(CONFIG)
    assert {service["service_name"] for service in services.values()} == set(hotline.categories), (
        "services.json should offer one service per category of hotline.toml"
    )
    complaint = services["complaint"]
    assert complaint["service_name"] == "投诉" and complaint["metadata"] is False
    assert complaint["type"] == "realtime" and complaint["group"] == "12345政务服务热线"
    assert "办理时限20个工作日" in complaint["description"], complaint["description"]
    assert "投诉" in complaint["keywords"].split(","), "keywords are the category's strong cues"


@pytest.mark.parametrize("config", [CONFIG, *sorted((CONFIG / "jurisdictions").iterdir())])
def test_every_jurisdiction_offers_every_category_as_a_service(config: Path) -> None:
    hotline = load_hotline_policy(config)
    policy = load_open311_policy(config, hotline)
    assert {service.category for service in policy.services} == set(hotline.categories), config


def write_policy(tmp_path: Path, services: str) -> Path:
    head = (CONFIG / OPEN311_POLICY_FILE).read_text(encoding="utf-8").split("[[services]]")[0]
    (tmp_path / OPEN311_POLICY_FILE).write_text(head + services, encoding="utf-8")
    return tmp_path


def test_a_service_of_an_unknown_category_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    config = write_policy(tmp_path, '[[services]]\ncode = "x"\ncategory = "闲聊"\ndescription = "聊天"\n')
    with pytest.raises(PolicyError) as raised:
        load_open311_policy(config, load_hotline_policy(CONFIG))
    assert "open311.toml: services.0.category" in str(raised.value) and "闲聊" in str(raised.value)


def test_a_service_code_given_twice_is_refused(tmp_path: Path) -> None:
    service = '[[services]]\ncode = "x"\ncategory = "{}"\ndescription = "d"\n'
    config = write_policy(tmp_path, service.format("咨询") + service.format("建议"))
    with pytest.raises(PolicyError) as raised:
        load_open311_policy(config, load_hotline_policy(CONFIG))
    assert 'services.1.code: "x" is given twice' in str(raised.value)


# ---------------------------------------------------------------------------------------------- keys


def test_api_keys_come_comma_separated_from_the_environment_and_compare_exactly() -> None:
    keys = api_keys(SecretStr(" portal-a , ,portal-b"))
    assert keys == {"portal-a", "portal-b"}
    assert key_is_valid("portal-b", keys)
    assert not key_is_valid("portal-", keys) and not key_is_valid(None, keys) and not key_is_valid("", keys)
    assert api_keys(None) == frozenset(), "no keys configured: every POST is refused"


# ------------------------------------------------------------------------------------ a new request


def test_a_posted_request_starts_a_hotline_ticket_from_open311(catalogue: Catalogue) -> None:
    new = parse_new_request(
        posted(first_name="三", last_name="张", phone="+86 138-0000-1111", email="z@example.cn"), catalogue
    )
    variables = start_variables(new, NOW)
    assert variables["title"] == "投诉：楼下酒吧每晚噪音扰民到凌晨", "the chosen service leads the title"
    assert variables["content"] == NOISE and variables["location"] == "铁东区幸福路8号"
    assert variables["appellant"] == {
        "name": "张三",
        "phone": "13800001111",
        "email": "z@example.cn",
        "confidential": False,
    }, "surname first, phone without country code and separators"
    assert variables["source"] == SOURCE and variables["open311ServiceCode"] == "complaint"
    assert "channel" not in variables, "the ledger numbers the case by its process, hotline-ticket"
    assert variables["receivedAt"] == "2026-11-26T10:00:00+08:00"


def test_coordinates_alone_locate_a_request(catalogue: Catalogue) -> None:
    new = parse_new_request(posted(address_string="", lat="41.123456", long="123.5"), catalogue)
    variables = start_variables(new, NOW)
    assert (variables["latitude"], variables["longitude"]) == (41.123456, 123.5)
    assert variables["location"] == "41.123456,123.500000"
    assert "name" not in variables["appellant"], "an anonymous request has no name"


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"service_code": ""}, 400, "缺少 service_code"),
        ({"service_code": "pothole"}, 400, "service_code 不存在：pothole"),
        ({"description": "  "}, 400, "缺少 description"),
        ({"description": "长" * 4001}, 400, "description 过长"),
        ({"address_string": ""}, 400, "缺少位置"),
        ({"lat": "41.1"}, 400, "lat 和 long 须同时提供"),
        ({"lat": "north", "long": "123"}, 400, "十进制经纬度"),
        ({"lat": "91", "long": "123"}, 400, "超出范围"),
        ({"phone": "12345"}, 400, "phone 格式不正确"),
        ({"email": "not-an-address"}, 400, "email 格式不正确"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ],
)
def test_a_posted_request_that_misses_or_garbles_a_field_is_refused_naming_it(
    catalogue: Catalogue, fields: dict[str, str], status: int, words: str
) -> None:
    error = refusal(parse_new_request, posted(**fields), catalogue)
    assert error.status == status and words in error.description, error.description
    assert error.body() == [{"code": status, "description": error.description}], "the spec's error array"


def test_phones_normalise_to_their_digits() -> None:
    assert normal_phone("138 0000 1111") == "13800001111"
    assert normal_phone("0086-13800001111") == "13800001111"
    assert normal_phone("0412-2345678") == "04122345678"
    assert normal_phone("110") is None and normal_phone("23800001111") is None


def test_a_title_summarises_the_first_sentence() -> None:
    assert summary("路灯不亮。已经一周了") == "路灯不亮"
    assert summary("一" * 30) == "一" * 19 + "…"


def test_a_token_stands_for_a_request_until_the_ledger_numbered_it() -> None:
    assert token_answer("42", None) == [{"token": "42"}]
    assert token_answer("42", "RX2026-000001") == [{"service_request_id": "RX2026-000001", "token": "42"}]


# ---------------------------------------------------------------------------- a case as portals see it


def test_a_case_reads_as_a_service_request_without_personal_data(catalogue: Catalogue) -> None:
    answer = service_request(CASE, catalogue, (41.123456, 123.456789))
    assert answer["service_request_id"] == "RX2026-000042" and answer["status"] == "open"
    assert answer["status_notes"] == "已派至承办单位。"
    assert (answer["service_code"], answer["service_name"]) == ("complaint", "投诉")
    assert answer["agency_responsible"] == "市环境保护局", "the lead unit's full name"
    assert answer["requested_datetime"] == "2026-11-20T10:00:00+08:00", "W3C, local time"
    assert answer["expected_datetime"] == "2026-12-19T00:00:00+08:00", "the due date"
    assert answer["address"] == "铁东区****", "the place only up to its district"
    assert (answer["lat"], answer["long"]) == (41.12, 123.46), "coordinates rounded to about 1 km"
    assert answer["service_notice"] == "办理时限20个工作日。"


def test_an_archived_or_closed_case_reads_closed(catalogue: Catalogue) -> None:
    assert service_request(replace(CASE, status="closed"), catalogue, None)["status"] == "closed"
    archived = replace(CASE, archived_at=CASE.updated_at)
    assert service_request(archived, catalogue, None)["status"] == "closed"
    unclassified = service_request(replace(CASE, category=None, lead_unit=None), catalogue, None)
    assert unclassified["service_code"] is None and unclassified["agency_responsible"] is None
    assert unclassified["lat"] is None


def test_only_cases_of_the_configured_channels_that_are_not_confidential_are_public(
    catalogue: Catalogue,
) -> None:
    policy = catalogue.policy
    assert is_public(CASE, policy)
    assert not is_public(replace(CASE, confidential=True), policy)
    assert not is_public(replace(CASE, channel="deputy-suggestion"), policy)


# -------------------------------------------------------------------------------------- the GET query


def test_requests_default_to_the_last_90_days_and_1000_of_them(catalogue: Catalogue) -> None:
    query = parse_query({}, catalogue, NOW)
    assert (query.start, query.end, query.limit) == (NOW - timedelta(days=90), NOW, 1000)
    assert query.numbers == () and query.categories is None and query.status is None


def test_request_ids_override_every_other_argument(catalogue: Catalogue) -> None:
    query = parse_query(
        {"service_request_id": "RX2026-000001, RX2026-000002", "service_code": "nonsense"}, catalogue, NOW
    )
    assert query.numbers == ("RX2026-000001", "RX2026-000002")


def test_service_codes_status_and_dates_filter(catalogue: Catalogue) -> None:
    query = parse_query(
        {
            "service_code": "complaint,help",
            "status": "open",
            "start_date": "2026-11-01T00:00:00Z",
            "end_date": "2026-11-20T00:00:00",
        },
        catalogue,
        NOW,
    )
    assert query.categories == ("投诉", "求助") and query.status == "open"
    assert query.start == datetime(2026, 11, 1, tzinfo=UTC)
    assert query.end == datetime(2026, 11, 20, tzinfo=SHANGHAI), "a date without offset is local"
    assert parse_query({"status": "open,closed"}, catalogue, NOW).status is None
    start_only = parse_query({"start_date": "2026-11-20T00:00:00+08:00"}, catalogue, NOW)
    assert start_only.end == NOW


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"}, "90 天"),
        ({"start_date": "2026-11-02T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"}, "早于"),
        ({"start_date": "yesterday"}, "W3C"),
        ({"status": "pending"}, "open 或 closed"),
        ({"service_code": "pothole"}, "service_code 不存在"),
    ],
)
def test_a_bad_query_is_refused_naming_the_argument(
    catalogue: Catalogue, params: dict[str, str], words: str
) -> None:
    error = refusal(parse_query, params, catalogue, NOW)
    assert error.status == 400 and words in error.description, error.description
