"""Does leaving an optional field empty make a new applicant look safer? Before / after.

    python benchmarks/bench_missing_data.py --artifacts /tmp/i11art

For a typical new-applicant form (tests/test_missing_data.py's FORM, external scores at
the training medians), each external score (and all three) left empty: the model's
probability as the field is ("before": missing passed to the model) and the app's
probability ("after": `model.scoring.missing_fields`). Prints a Markdown table (points =
change against the form with the field known).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    args = parser.parse_args()
    os.environ["SCORING_ARTIFACTS"] = str(args.artifacts.resolve())
    from tests.model.test_missing_data import FORM
    from tests.scoring_paths import new_application, score_applications
    from webapp.services import clients
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, validate_fields
    from webapp.serving import get_state

    state = get_state()
    typical = state.scorer.typical.iloc[0]
    names = {"ext_source_1": "EXT_SOURCE_1", "ext_source_2": "EXT_SOURCE_2",
             "ext_source_3": "EXT_SOURCE_3"}
    known = {**FORM, **{f: f"{typical[c]:.4f}" for f, c in names.items()}}
    p_known = clients.new_applicant_result(known, 5, "en")[0].score.probability
    print("| field left empty | known (median) | before: as missing | after: app | before − known | after − known |")
    print("|---|---|---|---|---|---|")
    for label, empty in [*[(c, (f,)) for f, c in names.items()], ("all three", tuple(names))]:
        form = {**known, **{f: "" for f in empty}}
        clean, _ = validate_fields(form, NEW_APPLICANT_FIELDS, "en")
        before = score_applications(state, new_application(state, clean))[0]
        after = clients.new_applicant_result(form, 5, "en")[0].score.probability
        print(f"| {label} | {p_known:.2%} | {before:.2%} | {after:.2%} | "
              f"{100 * (before - p_known):+.1f} pts | {100 * (after - p_known):+.1f} pts |")


if __name__ == "__main__":
    main()
