"""What the screens, the API and the letter call: one module per screen family, each
presenting the loaded set's `Scorer` assessments (model/scoring), never scoring on its own.

- `clients`: client lookup and search, facts, the client file, why, what-if, new applicant
  (`present` lays one `Assessment` out for a screen in one language);
- `decisions`: the advisor's final decision, validated and logged with its assessment;
- `decision_change`: what would change the decision, in words;
- `letters`: the letter to the customer (the lender's decision, why, what to do, rights);
- `reasons`: the words of reasons and values ("35 ans", "450 000 €");
- `population`: the client compared with the others (Compare screen);
- `model`: the Model screen (card, candidates and their settings in words, costs, SHAP);
- `drift`: the Data drift screen (verdict, counts and what they cover, table, distributions).

Pages lay out what these return; nothing here is fitted: the artifacts are read through
`webapp.serving.get_state()`, loaded once and never mutated.
"""
