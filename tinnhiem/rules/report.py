"""The result as plain data: the stable JSON contract of ``tinnhiem tally --format json``
(docs/cli.md), also stored, unchanged, inside every finalised result of the web application."""

from __future__ import annotations

from typing import Any

from .model import RuleSet
from .percent import format_percent
from .tally import TallyResult


def result_to_json(result: TallyResult) -> dict[str, Any]:
    """The stable JSON contract of ``tinnhiem tally --format json`` (docs/cli.md)."""
    rules = result.rules
    return {
        "rules": rules.id,
        "ballots": {
            "issued": result.ballots.issued,
            "collected": result.ballots.collected,
            "valid": result.ballots.valid,
            "invalid": result.ballots.invalid,
        },
        "base": {"kind": result.base.kind, "value": result.base.value},
        "people": [
            {
                "label": person.label,
                "counts": {**{k: person.counts[k] for k in rules.level_keys}, "invalid": person.row_invalid},
                "percent": {k: format_percent(person.counts[k], result.base.value, ".") for k in rules.level_keys},
                "outcome": person.outcome_key,
                "consequence": person.consequence,
            }
            for person in result.people
        ],
    }


def rule_set_summary(rules: RuleSet) -> dict[str, Any]:
    """What a summary of results shows of its rule set: the levels and the several-places rule."""
    places = rules.places
    return {
        "id": rules.id,
        "name": rules.name,
        "levels": [{"key": lv.key, "label": lv.label} for lv in rules.levels],
        "places_max": places.maximum if places else None,
        "places_citation": places.citation.text if places else "",
        "overall_citation": places.overall_citation.text if places else "",
    }
