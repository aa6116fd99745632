import io
import json
from pathlib import Path

import pytest

from minsheng.cli import main

APPEALS = [
    {
        "content": "楼下KTV每晚营业到凌晨三点，噪音扰民，特此投诉",
        "channel": "hotline",
        "appellant": "13800000000",
    },
    {"content": "本公司诚招代理商，价格优惠，欢迎洽谈", "channel": "online", "appellant": None},
    {"id": "A3", "content": "再次投诉楼下KTV营业到凌晨，噪音扰民", "appellant": {"phone": "13800000000"}},
]


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_classify_reads_a_file_and_writes_one_line_per_appeal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "appeals.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in APPEALS) + "\n\n", encoding="utf-8")
    assert main(["classify", str(path)]) == 0
    first, advert, repeat = lines(capsys.readouterr().out)
    assert first["category"] == "投诉" and first["accepted"] is True and first["leadUnit"] == "环保局"
    assert (advert["accepted"], advert["reason"]) == (False, "commercial")
    assert isinstance(advert["notice"], str) and "manual_classification" in advert["flags"]
    assert (repeat["id"], repeat["repeatOf"], repeat["flags"]) == ("A3", "1", ["repeat"])
    assert set(first) >= {"confidence", "coUnits", "needsLeaderInstruction", "needsManualClassification"}


def test_classify_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"content": "请问社保卡在哪里办理？"}) + "\n"))
    assert main(["classify"]) == 0
    [result] = lines(capsys.readouterr().out)
    assert (result["category"], result["leadUnit"]) == ("咨询", "人力资源社会保障局")


def test_a_line_that_is_not_json_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "appeals.jsonl"
    path.write_text('{"content": "路灯不亮"}\n{oops\n', encoding="utf-8")
    assert main(["classify", str(path)]) == 1
    assert "minsheng classify: line 2: not valid JSON" in capsys.readouterr().err
