"""Accuracy and macro-F1 of the classification rules on the labelled appeals, per field and split.

    .venv/bin/python bench/classification_eval.py [--errors]

`--errors` lists the tuning part's mistakes; the held-out part's are never shown, so that tuning
the rules on them does not inflate the held-out score.
"""

import argparse
from pathlib import Path

from minsheng.classification_eval import FIELDS, SPLITS, label, load, run, scores, split_of
from workers.classification_policy import load_classification_policy
from workers.services.appeal import AppealClassifier

REPOSITORY = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--errors", action="store_true", help="list the tuning part's mistakes")
    parser.add_argument("--data", type=Path, default=REPOSITORY / "tests" / "data" / "appeals_eval.jsonl")
    parser.add_argument("--config", type=Path, default=REPOSITORY / "config")
    args = parser.parse_args()

    outcomes = run(AppealClassifier(load_classification_policy(args.config)), load(args.data))
    table = scores(outcomes)
    print(
        f"{'field':24}"
        + "".join(f"{split + f' (n={table[split][FIELDS[0]].count})':>28}" for split in SPLITS)
    )
    print(f"{'':24}" + "".join(f"{'accuracy':>14}{'macro-F1':>14}" for _ in SPLITS))
    for field in FIELDS:
        cells = "".join(f"{table[s][field].accuracy:>14.3f}{table[s][field].macro_f1:>14.3f}" for s in SPLITS)
        print(f"{field:24}{cells}")
    if args.errors:
        for outcome in outcomes:
            if split_of(outcome.appeal_id) != "tuning":
                continue
            wrong = [
                f"{field}: {label(outcome.expected, field)} → {label(outcome.actual, field)}"
                for field in FIELDS
                if label(outcome.expected, field) != label(outcome.actual, field)
            ]
            if wrong:
                print(f"\n{outcome.appeal_id} {outcome.text}\n  " + "; ".join(wrong))


if __name__ == "__main__":
    main()
