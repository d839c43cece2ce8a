"""UI building blocks the pages share: components, form fields, the decision form, concept detail."""
