"""The pure classification services, each on the shipped rules and on small rules of its own."""

from datetime import UTC, datetime, timedelta

import pytest

from workers.classification_policy import ClassificationPolicy, RepeatRules, RoutingRules, Topic
from workers.services.acceptance import screen
from workers.services.appeal import Appeal, AppealClassifier
from workers.services.category import choose_category
from workers.services.leader_instruction import leader_flags
from workers.services.repeats import InMemoryOpenCases, OpenCase, find_repeat, shingles, similarity
from workers.services.route import route
from workers.services.segment import Segmenter

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NOTHING_OPEN = InMemoryOpenCases()


@pytest.fixture(scope="module")
def segmenter(classification_rules: ClassificationPolicy) -> Segmenter:
    return Segmenter(
        classification_rules.segmentation.user_words, classification_rules.segmentation.stopwords
    )


def appeal(content: str, phone: str | None = None, received_at: datetime = NOW) -> Appeal:
    return Appeal(title=None, content=content, received_at=received_at, phone=phone)


@pytest.mark.parametrize(
    ("text", "cue", "found"),
    [
        ("城市政府门口", "市政", False),  # would cut 城市 and 政府
        ("员工资料丢了", "工资", False),
        ("物业费太贵", "物业", True),  # inside one word
        ("噪音扰民严重", "噪音扰民", True),  # whole words
        ("拖欠工资", "工资", True),
    ],
)
def test_a_cue_never_cuts_a_word(segmenter: Segmenter, text: str, cue: str, found: bool) -> None:
    assert segmenter.segment(text).has(cue) is found


def test_stopwords_and_punctuation_are_not_content(segmenter: Segmenter) -> None:
    assert segmenter.segment("来电人反映：路灯不亮。").content_words == ("路灯", "不亮")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("请问新生儿落户需要哪些材料？在哪里办理？", "咨询"),
        ("建议在XX路小学门口增设人行横道和红绿灯，方便群众接送孩子", "建议"),
        ("家中老人瘫痪在床，子女在外地，生活困难，请求帮助申请低保", "求助"),
        ("楼下烧烤店每天营业到凌晨两点，噪音扰民，多次反映无人处理", "投诉"),
        ("举报XX村有黑作坊夜间偷排污水，气味刺鼻", "举报"),
        ("感谢社区工作人员的耐心帮助，特来表扬", "其他"),
    ],
)
def test_the_weightiest_cues_choose_the_category(
    classification_rules: ClassificationPolicy, segmenter: Segmenter, text: str, category: str
) -> None:
    decision = choose_category(classification_rules.categories, segmenter.segment(text))
    assert decision.category == category
    assert not decision.needs_person


def test_no_cue_falls_back_to_a_person(
    classification_rules: ClassificationPolicy, segmenter: Segmenter
) -> None:
    decision = choose_category(classification_rules.categories, segmenter.segment("今天下午三点打过电话"))
    assert (decision.category, decision.confidence, decision.needs_person) == ("其他", 0.0, True)


def test_split_evidence_is_below_the_threshold(
    classification_rules: ClassificationPolicy, segmenter: Segmenter
) -> None:
    # One strong cue each for 咨询, 建议 and 投诉.
    decision = choose_category(
        classification_rules.categories, segmenter.segment("咨询一下，提个建议，我要投诉")
    )
    assert decision.needs_person
    assert decision.confidence < classification_rules.categories.confidence_threshold


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("你好，听得到吗？", "no_substance"),
        ("测试", "no_substance"),
        ("本公司诚招各区县代理商，价格优惠，欢迎洽谈", "commercial"),
        ("和男朋友分手了心情很不好，想让你们劝他复合", "personal"),
        ("我买的股票一直跌，要求政府赔偿损失", "outside_authority"),
        ("欠薪的事我已经申请了劳动仲裁，仲裁委已受理，请热线催一下", "legal_proceedings"),
        ("我的征收补偿问题已经信访终结，但我不服，要求重新处理", "petition_concluded"),
        ("请帮我查一下我前妻现在住在哪个小区", "other"),
    ],
)
def test_each_not_accepted_reason_has_a_code_and_a_notice(
    classification_rules: ClassificationPolicy, segmenter: Segmenter, text: str, reason: str
) -> None:
    screening = screen(classification_rules.acceptance, segmenter.segment(text))
    assert (screening.accepted, screening.reason) == (False, reason)
    assert screening.notice == classification_rules.acceptance.reasons[reason].notice


def test_a_plain_appeal_is_accepted(classification_rules: ClassificationPolicy, segmenter: Segmenter) -> None:
    screening = screen(
        classification_rules.acceptance, segmenter.segment("幸福路的路灯一周没亮了，请尽快维修")
    )
    assert (screening.accepted, screening.reason, screening.notice) == (True, None, None)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("小区电梯坏了半个月，物业一直不修", "住房城乡建设委"),
        ("菜市场门口流动摊贩占道经营，堵塞交通", "综合执法局"),
        ("隔壁工地夜间施工噪音很大，严重扰民", "环保局"),
        ("我们村到底属于哪个街道管辖，两边都说不归他们管", "民政局"),
        ("公司拖欠工资半年，也没给交社保", "人力资源社会保障局"),
        ("请问图书馆几点开门", "12345热线服务中心"),
    ],
)
def test_the_topic_decides_the_first_responsible_unit(
    classification_rules: ClassificationPolicy, segmenter: Segmenter, text: str, unit: str
) -> None:
    assert route(classification_rules.routing, segmenter.segment(text)).lead_unit == unit


def test_the_most_hits_lead_and_enough_hits_co_handle(segmenter: Segmenter) -> None:
    rules = RoutingRules(
        default_unit="热线中心",
        co_unit_min_hits=2,
        topics=(
            Topic(topic="甲", unit="甲局", keywords=("道路", "路灯")),
            Topic(topic="乙", unit="乙局", keywords=("噪音", "扰民", "施工")),
            Topic(topic="丙", unit="丙局", keywords=("工资",)),
        ),
    )
    routing = route(rules, segmenter.segment("道路施工噪音扰民，路灯也坏了，还欠工资"))
    assert (routing.lead_unit, routing.co_units) == ("乙局", ("甲局",))


def test_a_weighted_topic_leads_with_fewer_hits(segmenter: Segmenter) -> None:
    topics = (
        Topic(topic="道路", unit="甲局", keywords=("道路", "路灯")),
        Topic(topic="属地", unit="乙局", keywords=("管辖",), weight=3),
    )
    rules = RoutingRules(default_unit="热线中心", co_unit_min_hits=2, topics=topics)
    routing = route(rules, segmenter.segment("这条道路的路灯不亮，两个区都说不归自己管辖"))
    assert (routing.lead_unit, routing.co_units) == ("乙局", ("甲局",))


def test_the_earlier_topic_breaks_a_tie(segmenter: Segmenter) -> None:
    topics = (
        Topic(topic="甲", unit="甲局", keywords=("道路",)),
        Topic(topic="乙", unit="乙局", keywords=("噪音",)),
    )
    rules = RoutingRules(default_unit="热线中心", co_unit_min_hits=2, topics=topics)
    assert route(rules, segmenter.segment("道路噪音")).lead_unit == "甲局"


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("华府小区5号楼燃气泄漏，请立即派人抢修", ("emergency",)),
        ("拖欠工资一年，说再要不回来就从楼顶跳下去", ("sensitive",)),
        ("小区80户居民联名反映开发商延期交房", ("important",)),
        ("路灯不亮，请尽快维修", ()),
    ],
)
def test_sensitive_important_and_urgent_items_go_to_a_leader(
    classification_rules: ClassificationPolicy, text: str, flags: tuple[str, ...]
) -> None:
    assert leader_flags(classification_rules.leader_instruction, text) == flags


RULES = RepeatRules(window_days=30, similarity_threshold=0.5, same_appellant_threshold=0.2)


def open_case(case_id: str, text: str, phone: str | None = None, days_ago: int = 1) -> OpenCase:
    return OpenCase(case_id=case_id, received_at=NOW - timedelta(days=days_ago), phone=phone, text=text)


def repeat_of(text: str, phone: str | None, cases: list[OpenCase]) -> str | None:
    def shingles_of(case_text: str) -> frozenset[str]:
        return shingles(case_text.split())

    return find_repeat(RULES, shingles(text.split()), phone, NOW, InMemoryOpenCases(cases), shingles_of)


def test_similarity_is_jaccard_over_character_pairs() -> None:
    assert shingles(["路灯", "不亮"]) == {"路灯", "灯不", "不亮"}
    assert similarity(frozenset({"ab", "bc"}), frozenset({"bc", "cd"})) == pytest.approx(1 / 3)
    assert similarity(frozenset(), frozenset()) == 0.0


def test_near_duplicate_content_from_anyone_repeats_the_most_similar_open_case() -> None:
    cases = [open_case("C1", "幸福路 路灯 不亮 一周"), open_case("C2", "幸福路 路灯 不亮 一周 维修")]
    assert repeat_of("幸福路 路灯 不亮 一周 维修", "139", cases) == "C2"


def test_the_same_appellant_needs_less_similarity() -> None:
    cases = [open_case("C1", "兴盛小区 物业 门禁 坏了 楼道灯 不亮", phone="138")]
    assert repeat_of("兴盛小区 门禁 还是 没修", "138", cases) == "C1"
    assert repeat_of("兴盛小区 门禁 还是 没修", "139", cases) is None


def test_the_same_appellant_with_another_matter_is_no_repeat() -> None:
    assert repeat_of("医疗保险 缴费 标准", "138", [open_case("C1", "拖欠 工资 二十万", phone="138")]) is None


def test_an_appeal_registered_before_it_is_classified_is_no_repeat_of_itself() -> None:
    cases = [
        open_case("C1", "幸福路 路灯 不亮 一周", days_ago=0),
        open_case("C0", "幸福路 路灯 不亮", days_ago=3),
    ]
    found = find_repeat(
        RULES,
        shingles(["幸福路", "路灯", "不亮", "一周"]),
        None,
        NOW,
        InMemoryOpenCases(cases),
        lambda text: shingles(text.split()),
        own_case="C1",
    )
    assert found == "C0", f"the appeal's own case C1 was taken for what it repeats: {found}"


def test_a_case_outside_the_window_is_no_longer_repeated() -> None:
    cases = [open_case("C1", "幸福路 路灯 不亮", days_ago=31)]
    assert repeat_of("幸福路 路灯 不亮", None, cases) is None


def test_the_classifier_puts_it_all_together(classifier: AppealClassifier) -> None:
    first = classifier.classify(appeal("楼下KTV每晚营业到凌晨三点，噪音扰民，特此投诉", "138"), NOTHING_OPEN)
    assert (first.category, first.accepted, first.lead_unit, first.repeat_of) == (
        "投诉",
        True,
        "环保局",
        None,
    )
    assert not first.needs_leader_instruction and not first.needs_manual_classification
    open_cases = InMemoryOpenCases([open_case("C1", "楼下KTV每晚营业到凌晨三点，噪音扰民，特此投诉", "138")])
    again = classifier.classify(appeal("再次投诉楼下KTV营业到凌晨噪音扰民", "138"), open_cases)
    assert again.repeat_of == "C1"
