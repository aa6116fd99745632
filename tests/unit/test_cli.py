import argparse
from pathlib import Path

import pytest

from minsheng.cli import build_parser, collect_variables, resources


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def test_start_parses_values_as_json_where_they_parse() -> None:
    args = parse(
        "start",
        "hotline-ticket",
        "--var",
        "content=小区路灯不亮",
        "--var",
        "urgent=true",
        "--var",
        "count=3",
        "--var",
        'tags=["路灯"]',
        "--var",
        'phone="0571"',
        "--var",
        "note=a=b",
    )
    assert args.process_id == "hotline-ticket"
    assert collect_variables(args) == {
        "content": "小区路灯不亮",
        "urgent": True,
        "count": 3,
        "tags": ["路灯"],
        "phone": "0571",
        "note": "a=b",
    }


def test_var_overrides_vars_json() -> None:
    args = parse("start", "hotline-ticket", "--vars-json", '{"title": "旧", "n": 1}', "--var", "title=新")
    assert collect_variables(args) == {"title": "新", "n": 1}


def test_no_variables_is_an_empty_object() -> None:
    assert collect_variables(parse("start", "hotline-ticket")) == {}


@pytest.mark.parametrize(
    "argv",
    [
        ("start", "hotline-ticket", "--var", "novalue"),
        ("start", "hotline-ticket", "--var", "=x"),
        ("start", "hotline-ticket", "--vars-json", "[1, 2]"),
        ("start", "hotline-ticket", "--vars-json", "{oops"),
        ("start",),
        ("publish", "TicketReturned"),
    ],
)
def test_bad_arguments_are_refused(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        parse(*argv)
    assert raised.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_publish_takes_correlation_key_ttl_and_message_id() -> None:
    args = parse(
        "publish",
        "TicketReturned",
        "--correlation-key",
        "RX2025-0001",
        "--ttl",
        "1.5",
        "--message-id",
        "m-1",
        "--var",
        "reason=不属于本单位职责",
    )
    assert (args.name, args.correlation_key, args.ttl, args.message_id) == (
        "TicketReturned",
        "RX2025-0001",
        1.5,
        "m-1",
    )
    assert collect_variables(args) == {"reason": "不属于本单位职责"}


def test_publish_defaults() -> None:
    args = parse("publish", "TicketReturned", "--correlation-key", "k")
    assert (args.ttl, args.message_id) == (60.0, None)


def test_deploy_without_paths_means_the_default_directories() -> None:
    assert parse("deploy").paths == []


def test_deploy_expands_directories_to_their_resources(tmp_path: Path) -> None:
    for name in ("b.bpmn", "a.form", "c.dmn", "README.md"):
        (tmp_path / name).write_text("")
    single = tmp_path / "other.bpmn"
    assert resources([tmp_path, single]) == [
        tmp_path / "a.form",
        tmp_path / "b.bpmn",
        tmp_path / "c.dmn",
        single,
    ]
