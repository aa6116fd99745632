"""`minsheng knowledge load-seed`: put a seed knowledge base (知识库) into the ledger in
MINSHENG_LEDGER_DATABASE_URL, each entry created, submitted and published by "seed", so that a new
hotline answers from a published base on its first day. Entries whose question the ledger already
holds are skipped, so loading the same file again adds nothing."""

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from workers.classification_policy import load_classification_policy
from workers.knowledge.seed import DEFAULT_SEED_FILE, read_seed
from workers.knowledge.store import EntryText, KnowledgeStore
from workers.knowledge.text import KnowledgeSegmenter
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.ledger.models import KnowledgeEntry
from workers.settings import load_settings

SEED_ACTOR = "seed"


@dataclass(frozen=True, slots=True)
class Loaded:
    created: list[str]
    skipped: int


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "knowledge",
        help="work with the knowledge base (知识库) in the ledger (no gateway needed)",
        description="Work with the knowledge base in the ledger (MINSHENG_LEDGER_DATABASE_URL).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    load_parser = actions.add_parser(
        "load-seed",
        help="create and publish the entries of a seed file, skipping questions already there",
        description="Validate a seed file (one JSON entry a line; owning units from the [units] of "
        "classification.toml in MINSHENG_CONFIG_DIR), then create, submit and publish each entry "
        f'as "{SEED_ACTOR}". Entries whose question the ledger already holds are skipped.',
    )
    load_parser.add_argument(
        "--file", type=Path, default=DEFAULT_SEED_FILE, metavar="PATH", help=f"default: {DEFAULT_SEED_FILE}"
    )
    parser.set_defaults(run=None)


def load_seed(engine: Engine, segmenter: KnowledgeSegmenter, entries: list[EntryText]) -> Loaded:
    """Create, submit and publish each entry whose question is not in the ledger yet, in order."""
    with engine.connect() as connection:
        existing = set(
            connection.scalars(
                select(KnowledgeEntry.question).where(
                    KnowledgeEntry.question.in_([entry.question for entry in entries])
                )
            )
        )
    store = KnowledgeStore(engine, segmenter)
    created = []
    for entry in entries:
        if entry.question in existing:
            continue
        number = store.create(entry, actor=SEED_ACTOR)
        store.submit(number, actor=SEED_ACTOR)
        store.publish(number, actor=SEED_ACTOR)
        created.append(number)
    return Loaded(created=created, skipped=len(entries) - len(created))


def knowledge(args: argparse.Namespace) -> list[str]:
    """The lines `minsheng knowledge load-seed` prints."""
    settings = load_settings()
    units = load_classification_policy(settings.config_dir).units
    entries = read_seed(args.file, units)
    # A ledger that no worker has opened yet gets its tables.
    migrate(settings.ledger_database_url)
    engine = open_engine(settings.ledger_database_url)
    try:
        loaded = load_seed(engine, KnowledgeSegmenter(), entries)
    finally:
        engine.dispose()
    span = f" ({loaded.created[0]}–{loaded.created[-1]})" if loaded.created else ""
    return [
        f"published   {len(loaded.created)} entries{span}",
        f"skipped     {loaded.skipped} entries already in the ledger",
    ]
