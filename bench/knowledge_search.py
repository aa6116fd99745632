"""Chinese full-text search over the knowledge base (知识库): 100,000 generated entries, then 200
questions worded as callers word them, on SQLite and, when given, PostgreSQL.

    python bench/knowledge_search.py [--entries 100000] [--queries 200] [--sqlite FILE]
                                     [--postgres URL]

The PostgreSQL URL defaults to MINSHENG_TEST_POSTGRES_URL; its ledger tables must be empty (the
benchmark migrates it and works in a schema of its own, dropped at the end). Prints the time to
segment, load and index the entries, and the search latency (p50, p95, max); asserts nothing.
"""

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from workers.knowledge.search import KnowledgeSearch
from workers.knowledge.store import PUBLISHED, entry_number
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.ledger.models import KnowledgeEntry, KnowledgeSearchText

NOW = datetime(2026, 11, 1, tzinfo=UTC)
CREATE_GIN = "CREATE INDEX ledger_knowledge_fts_gin ON ledger_knowledge_fts USING gin (vector)"

# Topic: (owning unit, subjects, actions, answer phrases). Entries combine them at random, so the
# vocabulary overlaps across topics as real entries' does ("办理", "证明", "窗口").
TOPICS: dict[str, tuple[str, list[str], list[str], list[str]]] = {
    "住房公积金": (
        "住房公积金管理中心",
        ["住房公积金", "公积金账户", "公积金贷款", "公积金缴存"],
        ["提取", "转移", "销户", "查询余额", "异地转入", "贷款申请"],
        ["携带身份证和购房合同", "通过网上营业厅", "到管理中心服务窗口", "缴存满六个月后"],
    ),
    "社会保障卡": (
        "人力资源和社会保障局",
        ["社保卡", "社会保障卡", "电子社保卡", "医保卡"],
        ["补办", "挂失", "激活", "换卡", "修改密码", "领取"],
        ["到合作银行网点", "拨打服务热线", "携带本人身份证", "十个工作日内制卡"],
    ),
    "居住证": (
        "公安局",
        ["居住证", "暂住登记", "居住登记", "户口迁移"],
        ["办理", "签注", "延期", "补领", "申领条件"],
        ["到居住地派出所", "提供租房合同", "居住满半年", "每年签注一次"],
    ),
    "噪音投诉": (
        "综合执法局",
        ["夜间施工", "广场舞", "商铺喇叭", "装修噪音", "工地机械"],
        ["扰民投诉", "噪音超标", "影响休息", "处罚"],
        ["二十二时至次日六时禁止施工", "拨打12345热线", "执法人员现场核查", "依法处以罚款"],
    ),
    "物业维修基金": (
        "住房城乡建设委",
        ["物业维修基金", "专项维修资金", "电梯维修", "屋顶漏水", "外墙脱落"],
        ["申请使用", "续筹", "查询", "业主表决"],
        ["业主委员会提出方案", "经三分之二业主同意", "向住建部门申请", "物业服务企业组织维修"],
    ),
    "医疗保险": (
        "医疗保障局",
        ["医保报销", "异地就医", "门诊慢特病", "城乡居民医保"],
        ["备案", "报销比例", "参保缴费", "结算"],
        ["通过国家医保服务平台", "定点医疗机构直接结算", "每年九月至十二月缴费", "携带病历和发票"],
    ),
    "供水供暖": (
        "城市管理局",
        ["停水", "自来水", "暖气不热", "供暖费", "水管爆裂"],
        ["报修", "缴费", "退费", "温度不达标"],
        [
            "拨打供水企业抢修电话",
            "室温低于十八度可申请检测",
            "供暖期为十一月十五日至次年三月十五日",
            "维修人员上门",
        ],
    ),
    "道路交通": (
        "交通运输局",
        ["公交线路", "出租车", "路灯不亮", "道路坑洼", "违章停车"],
        ["投诉", "调整建议", "维修", "举报"],
        ["由交通运输部门调查处理", "拍照并说明具体位置", "五个工作日内答复", "交警部门依法处理"],
    ),
    "教育入学": (
        "教育局",
        ["小学入学", "幼儿园报名", "转学", "学区划分", "义务教育"],
        ["报名时间", "材料准备", "随迁子女入学", "学位申请"],
        ["每年六月网上报名", "提供户口本和房产证明", "按学区就近入学", "居住证满一年"],
    ),
    "市场监管": (
        "市场监督管理局",
        ["食品安全", "虚假宣传", "预付卡退费", "价格欺诈", "营业执照"],
        ["投诉举报", "退款", "办理", "变更登记"],
        ["通过全国12315平台", "保留购物凭证", "七个工作日内受理", "网上办理营业执照"],
    ),
    "劳动保障": (
        "人力资源和社会保障局",
        ["拖欠工资", "劳动合同", "工伤认定", "失业保险金"],
        ["投诉", "仲裁", "申领", "认定申请"],
        ["向劳动保障监察大队投诉", "一年内申请劳动仲裁", "提供劳动关系证明", "失业登记后申领"],
    ),
    "环境保护": (
        "生态环境局",
        ["油烟污染", "河道污染", "垃圾焚烧", "异味扰民", "污水直排"],
        ["举报", "整治", "监测"],
        ["环保部门现场检查", "责令限期整改", "拨打环保举报热线", "依法立案查处"],
    ),
}
PLACES = ["", "小区", "我家楼下", "老城区", "开发区", "街道", "村里", "单位附近", "学校旁边", "市中心"]
ASKS = ["怎么办理？", "需要什么材料？", "找哪个部门？", "多久能办好？", "有什么规定？", "怎么处理？"]
# How callers say it: other words for the same things, so queries are not copies of questions.
CALLER_WORDS = {
    "提取": "取出来",
    "补办": "重新办",
    "挂失": "丢了",
    "扰民投诉": "太吵了",
    "申请使用": "能不能用",
    "报修": "坏了找人修",
    "拖欠工资": "老板不发工资",
}


def generate(count: int, rng: random.Random) -> Iterator[tuple[str, str, str, str, str]]:
    topics = list(TOPICS)
    for index in range(count):
        topic = topics[index % len(topics)]
        unit, subjects, actions, phrases = TOPICS[topic]
        subject, action = rng.choice(subjects), rng.choice(actions)
        question = f"{rng.choice(PLACES)}{subject}{action}{rng.choice(ASKS)}"
        answer = (
            "，".join(rng.sample(phrases, 3)) + f"。{subject}{action}按照有关规定办理，第{index}号答复口径。"
        )
        basis = f"《{topic}管理办法》第{rng.randint(1, 60)}条"
        yield topic, unit, question, answer, basis


def queries(count: int, rng: random.Random) -> list[str]:
    result = []
    for _ in range(count):
        _, subjects, actions, _ = TOPICS[rng.choice(list(TOPICS))]
        action = rng.choice(actions)
        result.append(
            f"请问{rng.choice(PLACES)}{rng.choice(subjects)}{CALLER_WORDS.get(action, action)}怎么弄"
        )
    return result


def load(engine: Engine, rows: list[tuple[dict[str, object], dict[str, object]]]) -> float:
    """Writes the entries and their words, and returns how long building the full-text index
    takes. PostgreSQL: the migration's trigger stores each row's tsvector as it is written, and the
    GIN index over them is dropped for the load and created after it, as a bulk load would. SQLite:
    the migration's triggers index each row as it is written, and the figure is that of FTS5
    rebuilding the whole index from the stored words."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.execute(text("DROP INDEX ledger_knowledge_fts_gin"))
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            connection.execute(insert(KnowledgeEntry), [entry for entry, _ in chunk])
            connection.execute(insert(KnowledgeSearchText), [words for _, words in chunk])
    started = time.perf_counter()
    with engine.begin() as connection:
        if postgres:
            connection.execute(text(CREATE_GIN))
            connection.execute(text("ANALYZE ledger_knowledge_entries"))
            connection.execute(text("ANALYZE ledger_knowledge_fts"))
        else:
            connection.execute(
                text("INSERT INTO ledger_knowledge_fts(ledger_knowledge_fts) VALUES ('rebuild')")
            )
    return time.perf_counter() - started


def measure(
    name: str, url: str, rows: list[tuple[dict[str, object], dict[str, object]]], asked: list[str]
) -> None:
    migrate(url)
    engine = open_engine(url)
    started = time.perf_counter()
    build = load(engine, rows)
    total = time.perf_counter() - started
    search = KnowledgeSearch(engine, KnowledgeSegmenter())
    search.search(asked[0], at=NOW)  # warm the connection pool and the segmenter
    latencies, found = [], 0
    for question in asked:
        begun = time.perf_counter()
        proposals = search.search(question, at=NOW, limit=3)
        latencies.append((time.perf_counter() - begun) * 1000)
        found += bool(proposals)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"{name:10} load+index {total:7.1f} s (index build {build:6.1f} s)   "
        f"search p50 {statistics.median(latencies):6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {latencies[-1]:6.1f} ms   "
        f"answered {found}/{len(asked)}"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sqlite", type=Path, help="a new SQLite file (default: a temporary one)")
    parser.add_argument("--postgres", default=os.environ.get("MINSHENG_TEST_POSTGRES_URL"))
    args = parser.parse_args()

    rng = random.Random(9)
    segmenter = KnowledgeSegmenter()
    started = time.perf_counter()
    rows = []
    for index, (topic, unit, question, answer, basis) in enumerate(generate(args.entries, rng), start=1):
        entry = {
            "id": index,
            "number": entry_number(index),
            "question": question,
            "answer": answer,
            "topic": topic,
            "unit": unit,
            "policy_basis": basis,
            "valid_from": NOW - timedelta(days=rng.randint(1, 900)),
            # Some entries have lapsed or are not published: search must pass over them.
            "valid_until": NOW - timedelta(days=1) if index % 20 == 0 else None,
            "status": PUBLISHED if index % 10 else "draft",
            "version": 3,
            "created_at": NOW,
            "updated_at": NOW,
        }
        words = {
            "entry_id": index,
            "question_words": segmenter.index_text(question),
            "body_words": segmenter.index_text(topic, answer, basis),
        }
        rows.append((entry, words))
    print(f"{args.entries} entries generated and segmented (jieba) in {time.perf_counter() - started:.1f} s")
    asked = queries(args.queries, rng)

    with tempfile.TemporaryDirectory() as directory:
        path = args.sqlite or Path(directory) / "knowledge.db"
        url = f"sqlite:///{path}"
        measure("SQLite", url, rows, asked)
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = open_engine(args.postgres)
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        in_schema = make_url(args.postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            measure("PostgreSQL", in_schema.render_as_string(hide_password=False), rows, asked)
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()


if __name__ == "__main__":
    main()
