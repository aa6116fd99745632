"""Whether an appeal needs a leader's instruction (批示) before dispatch: policy-related, sensitive,
tendentious, important or urgent items [seed 000 二]."""

import re

from workers.classification_policy import LeaderInstructionRules


def leader_flags(rules: LeaderInstructionRules, text: str) -> tuple[str, ...]:
    """The flags (in the policy's order) with a matching pattern; any flag sends the item up."""
    return tuple(
        flag
        for flag, patterns in rules.flags.items()
        if any(re.search(pattern, text) for pattern in patterns)
    )
