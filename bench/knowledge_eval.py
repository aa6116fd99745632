"""hit@1, hit@3 and coverage of knowledge search on the seed knowledge base and the labelled
callers' questions (see minsheng/knowledge_eval.py).

    .venv/bin/python bench/knowledge_eval.py [--misses]

`--misses` lists the answerable questions whose right entry is not among the three proposed, with
what was proposed instead.
"""

import argparse
import tempfile
from pathlib import Path

from minsheng.knowledge_eval import LABELS, QUESTIONS, SEED, evaluate, figures, misses


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--misses", action="store_true", help="list the questions missed at 3")
    parser.add_argument("--seed", type=Path, default=SEED)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        outcomes = evaluate(Path(directory), args.seed, args.questions, args.labels)
    result = figures(outcomes)
    print(f"questions   {result.questions}")
    print(f"coverage    {result.coverage:.3f}  ({result.answerable} with a right entry in the base)")
    print(f"hit@1       {result.hit_at_1:.3f}")
    print(f"hit@3       {result.hit_at_3:.3f}")
    if args.misses:
        print("\n".join(["", *misses(outcomes)]))


if __name__ == "__main__":
    main()
