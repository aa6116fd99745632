"""`config/knowledge.toml`: when the owning unit reviews a published knowledge base entry (年度复核),
validated at start-up like every other policy file (see `workers.policy`).

The circulars assess the units' upkeep of the knowledge base (知识库维护) [seed 002 五] and the
collection and reporting of its content [seed 003 §三.2(3)] without saying when an entry is looked
at again: these numbers are the jurisdiction's, and a process owner changes them here.
"""

from pathlib import Path

from workers.policy import WorkingDays, _Policy, load_policy

KNOWLEDGE_POLICY_FILE = "knowledge.toml"

# A positive whole number, validated as the deadlines' counts are.
Days = WorkingDays


class ReviewRule(_Policy):
    # The owning unit is asked to review an entry this many calendar days before its validity ends;
    # an entry still unreviewed when it ends expires (and counts as overdue for review).
    days_before_valid_until: Days
    # An entry without an end of validity is reviewed this many calendar days after it was
    # published, and expires when its review is not done within `days_before_valid_until` days more.
    days_after_publication: Days


class KnowledgePolicy(_Policy):
    review: ReviewRule


def load_knowledge_policy(config_dir: Path) -> KnowledgePolicy:
    return load_policy(config_dir / KNOWLEDGE_POLICY_FILE, KnowledgePolicy)
