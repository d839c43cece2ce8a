"""One assessment per application: the `Scorer` and what it returns.

`Scorer.assess(...)` -> `Assessment` (probability, model outcome, lending rules fired,
recommendation, principal reasons, what would change the decision, build id). The policy
rules, the counterfactual search, the prudent handling of missing fields and the raw
application rows it works on live beside it.
"""
from model.scoring.assessment import Assessment, Reason
from model.scoring.policy import FiredRule
from model.scoring.scorer import NEW_APPLICANT_ID, Scorer

__all__ = ["Assessment", "FiredRule", "NEW_APPLICANT_ID", "Reason", "Scorer"]
