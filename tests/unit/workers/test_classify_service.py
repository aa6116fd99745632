import pytest

from workers.policy import HotlinePolicy
from workers.services.classify import classify


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("请问新生儿落户需要哪些材料？在哪里办理？", "咨询"),
        ("想了解一下公积金提取的办理流程，退休后是否可以一次性提取", "咨询"),
        ("建议在XX路小学门口增设人行横道和红绿灯，方便群众接送孩子", "建议"),
        ("希望能延长社区图书馆周末开放时间，建议完善预约系统", "建议"),
        ("家中老人瘫痪在床，子女在外地，生活困难，请求帮助申请低保", "求助"),
        ("楼下烧烤店每天营业到凌晨两点，噪音扰民，多次反映无人处理", "投诉"),
        ("物业公司乱收费，停车费一年涨了三次，态度恶劣，我要投诉", "投诉"),
        ("举报XX村有黑作坊夜间偷排污水，气味刺鼻", "举报"),
        ("某小区业主私搭乱建，在楼顶违章搭建阳光房，请查处", "举报"),
    ],
)
def test_realistic_appeals_get_their_category(policy: HotlinePolicy, text: str, category: str) -> None:
    assert classify(policy, text).category == category


def test_time_limit_is_the_categorys(policy: HotlinePolicy) -> None:
    assert classify(policy, "请问身份证到期了怎么办理换领").limit_working_days == 2
    assert classify(policy, "举报饭店无证经营").limit_working_days == 20


def test_unanimous_evidence_gives_full_confidence(policy: HotlinePolicy) -> None:
    assert classify(policy, "我要举报，这家工厂违法排放").confidence == 1.0


def test_text_without_evidence_falls_back_with_no_confidence(policy: HotlinePolicy) -> None:
    result = classify(policy, "今天下午三点打过电话")
    assert (result.category, result.confidence) == ("其他", 0.0)
    assert result.limit_working_days == policy.categories["其他"].limit_working_days


def test_evidence_split_below_the_threshold_falls_back(policy: HotlinePolicy) -> None:
    # One hit each for 咨询 (请问), 建议 (建议) and 投诉 (投诉): no category holds half of them.
    result = classify(policy, "请问能不能提个建议，或者我该去投诉")
    assert result.category == "其他"


def test_a_tie_at_the_threshold_goes_to_the_category_listed_first(policy: HotlinePolicy) -> None:
    # 求助 (求助) and 投诉 (拖欠) have one hit each; 求助 comes first in the policy.
    result = classify(policy, "公司拖欠三个月，求助")
    assert (result.category, result.confidence) == ("求助", 0.5)


def test_empty_text_falls_back(policy: HotlinePolicy) -> None:
    assert classify(policy, "").category == "其他"
