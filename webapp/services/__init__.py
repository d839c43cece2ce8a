"""The screens' one way into the loaded artifacts: one module per screen family.

- `clients`: client lookup, facts, score, decision, explanation, what-if, new applicant;
- `population`: the client compared with the others (Compare screen);
- `model`: the Model screen (card, candidates and their settings in words, costs, SHAP);
- `drift`: the Data drift screen (verdict, counts and what they cover, table, distributions);
- `errors`: the one error type (`ServiceError`) and its message in the interface language.

Pages and the API call these functions and lay out what they return; none of them reads
`webapp.serving.AppState` fields directly. Nothing here is fitted: the artifacts are read
through `webapp.serving.get_state()`, loaded once and never mutated.
"""
