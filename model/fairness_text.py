"""The fairness report in words: one plain sentence per group and per proxy, FR and EN.

Kept apart from `model.fairness` (which needs fairlearn to compute) so that the screens
and the model card can word a stored `fairness.json` without loading it.
"""
from __future__ import annotations

from model import config
from model.wording import number, percent

GROUP_NAMES = {
    "fr": {"F": "Femmes", "M": "Hommes", "XNA": "Sexe non renseigné (XNA)", "<25": "Moins de 25 ans",
           "65+": "65 ans et plus"},
    "en": {"F": "Women", "M": "Men", "XNA": "Gender not recorded (XNA)", "<25": "Under 25",
           "65+": "65 and over"},
}
TEXTS = {
    "fr": {
        "empty": "{name} : aucun client dans l'échantillon de validation.",
        "group": ("{name} : {count} clients, taux de défaut observé {observed} (prédit {predicted}) ; "
                  "{refused} refusés ; {false_refusals} des bons clients refusés à tort ; {recall} "
                  "des défauts détectés."),
        "ratio": " Taux d'acceptation égal à {ratio} fois celui du groupe le plus accepté{flag}.",
        "flag": " : sous le seuil de {limit}, à examiner",
        "small": " Trop peu de clients pour conclure.",
        "policy": " Une règle de crédit s'applique à {rate} d'entre eux.",
        "years": "{band} ans",
        "kept": "variable conservée (association faible)",
        "kept_monitored": ("variable conservée et surveillée : association forte, mais le rapport par "
                           "sexe ne montre pas d'impact disproportionné"),
        "remove": ("à retirer du modèle : association forte et impact disproportionné constaté par "
                   "sexe"),
        "proxy": "{column} : V de Cramér {v} avec le sexe ; {decision}.",
    },
    "en": {
        "empty": "{name}: no client in the held-out split.",
        "group": ("{name}: {count} clients, observed default rate {observed} (predicted {predicted}); "
                  "{refused} refused; {false_refusals} of the good clients refused; {recall} of the "
                  "defaults caught."),
        "ratio": " Approval rate {ratio} times that of the most approved group{flag}.",
        "flag": ": below the {limit} limit, to be examined",
        "small": " Too few clients to conclude.",
        "policy": " A lending rule applies to {rate} of them.",
        "years": "{band}",
        "kept": "kept as an input (weak association)",
        "kept_monitored": ("kept and monitored: strong association, but the gender report shows no "
                           "disparate impact"),
        "remove": "to be removed from the model: strong association and a disparate impact by gender",
        "proxy": "{column}: Cramér's V {v} with gender; {decision}.",
    },
}


def group_name(group: str, lang: str) -> str:
    lang = "en" if lang == "en" else "fr"
    name = GROUP_NAMES[lang].get(group)
    return name if name else TEXTS[lang]["years"].format(band=group.replace("-", "–"))


def group_sentence(row: dict, lang: str, limit: float = config.DISPARATE_IMPACT_LIMIT) -> str:
    """One plain sentence about a group's outcomes, for risk managers."""
    lang = "en" if lang == "en" else "fr"
    texts, name = TEXTS[lang], group_name(row["group"], lang)
    if not row["count"]:
        return texts["empty"].format(name=name)
    sentence = texts["group"].format(
        name=name, count=number(row["count"], lang, 0), observed=percent(row["default_rate"], lang, 1),
        predicted=percent(row["mean_predicted"], lang, 1), refused=percent(row["refusal_rate"], lang),
        false_refusals=percent(row["false_refusal_rate"], lang), recall=percent(row["recall"], lang))
    if row.get("disparate_impact") is not None:
        flag = texts["flag"].format(limit=number(limit, lang, 1)) if row.get("flag") else ""
        sentence += texts["ratio"].format(ratio=number(row["disparate_impact"], lang, 2), flag=flag)
    if row.get("policy_rule_rate") is not None:
        sentence += texts["policy"].format(rate=percent(row["policy_rule_rate"], lang))
    if not row.get("enough_clients", True):
        sentence += texts["small"]
    return sentence


def proxy_sentence(proxy: dict, lang: str) -> str:
    lang = "en" if lang == "en" else "fr"
    texts = TEXTS[lang]
    return texts["proxy"].format(column=proxy["column"], v=number(proxy["cramers_v"], lang, 2),
                                 decision=texts[proxy["decision"]])
