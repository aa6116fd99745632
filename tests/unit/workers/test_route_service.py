import pytest

from workers.policy import HotlinePolicy, RoutingPolicy, RoutingRule
from workers.services.route import first_responsible_unit


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("小区电梯坏了半个月，物业一直不修", "住房城乡建设委"),
        ("XX路井盖缺失，晚上路灯也不亮，很危险", "住房城乡建设委"),
        ("垃圾清运不及时，垃圾桶满了好几天", "住房城乡建设委"),
        ("菜市场门口流动摊贩占道经营，堵塞交通", "综合执法局"),
        ("隔壁工地夜间施工噪音很大，严重扰民", "环保局"),
        ("我们村到底属于哪个街道管辖，两边都说不归我们管", "民政局"),
        ("公司拖欠工资半年，也没给交社保", "人力资源社会保障局"),
    ],
)
def test_the_topic_decides_the_first_responsible_unit(policy: HotlinePolicy, text: str, unit: str) -> None:
    assert first_responsible_unit(policy.routing, text) == unit


def test_no_matching_topic_goes_to_the_default_unit(policy: HotlinePolicy) -> None:
    assert first_responsible_unit(policy.routing, "请问图书馆几点开门") == policy.routing.default_unit


def test_the_rule_with_most_hits_leads_and_the_earlier_one_breaks_ties() -> None:
    routing = RoutingPolicy(
        default_unit="热线中心",
        rules=(
            RoutingRule(unit="甲", topic="甲", keywords=("道路",)),
            RoutingRule(unit="乙", topic="乙", keywords=("道路", "噪音")),
            RoutingRule(unit="丙", topic="丙", keywords=("噪音",)),
        ),
    )
    assert first_responsible_unit(routing, "道路施工噪音") == "乙"
    assert first_responsible_unit(routing, "道路") == "甲"
