"""Loading rule sets from TOML: the built-in ones shipped in the package, or a user's own file."""

from __future__ import annotations

import itertools
import tomllib
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RuleSetError, Words, gettext_noop
from .model import (
    BODY_LEVELS,
    Citation,
    CommitteeRules,
    DeadlineRules,
    EligibilityRules,
    HeldBy,
    Level,
    OutcomeStep,
    PlacesRule,
    QuorumRule,
    RuleSet,
    Threshold,
    ValidityRules,
    WholeBallotReason,
)

TOP = Words(gettext_noop("the top of the file"))  # where a key outside every [section] belongs

BUILTIN_IDS = (
    "qd96-2023",
    "qd262-2014",
    "nq96-2023",
    "nq96-2023-bo-phieu",
    "nq85-2014",
    "nq35-2012",
)


def _need(data: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if key not in data:
        raise RuleSetError(
            "missing_key", gettext_noop("Rule set: missing key “%(key)s” in %(where)s."), key=key, where=where
        )
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RuleSetError(
            "bad_value", gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."), key=key, where=where
        )
    return value


def _known_body_levels(levels: Any, key: str, where: str) -> None:
    """Every level of body named in ``key`` is one of ``BODY_LEVELS`` (the words of the file, not
    the labels of the screen)."""
    for level in levels:
        if level not in BODY_LEVELS:
            raise RuleSetError(
                "unknown_body_level",
                gettext_noop(
                    "Rule set: “%(level)s” in key “%(key)s” of %(where)s is not a level of body; use %(levels)s."
                ),
                level=level,
                key=key,
                where=where,
                levels=", ".join(BODY_LEVELS),
            )


def _citation(data: dict[str, Any], key: str, where: str) -> Citation:
    raw = _need(data, key, where, dict)
    grade = raw.get("grade", "V")
    if grade not in ("V", "S", "U"):
        raise RuleSetError(
            "bad_value", gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."), key=key, where=where
        )
    english = raw.get("text_en", "")
    if not isinstance(english, str):
        raise RuleSetError(
            "bad_value", gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."), key=key, where=where
        )
    return Citation(_need(raw, "text", f"{where}.{key}"), grade, english)


def _threshold(data: dict[str, Any], where: str, prefix: str = "") -> Threshold:
    num = _need(data, f"{prefix}numerator", where, int)
    den = _need(data, f"{prefix}denominator", where, int)
    if den <= 0 or num <= 0 or num > den:
        raise RuleSetError(
            "bad_fraction", gettext_noop("Rule set: the fraction in %(where)s must lie between 0 and 1."), where=where
        )
    return Threshold(Fraction(num, den), bool(_need(data, f"{prefix}inclusive", where, bool)))


def parse_rule_set(data: dict[str, Any]) -> RuleSet:
    """Build a :class:`RuleSet` from parsed TOML, checking every field."""
    levels = tuple(
        Level(
            key=_need(raw, "key", "levels"),
            digit=_need(raw, "digit", "levels", int),
            label=_need(raw, "label", "levels"),
            label_en=_need(raw, "label_en", "levels"),
        )
        for raw in _need(data, "levels", TOP, list)
    )
    if not 2 <= len(levels) <= 8:  # each level is typed as a digit from 1 to 8 (0 and 9: no mark, several)
        raise RuleSetError("bad_levels", gettext_noop("Rule set: it must have between 2 and 8 levels."))
    if len({lv.key for lv in levels}) != len(levels) or len({lv.digit for lv in levels}) != len(levels):
        raise RuleSetError("bad_levels", gettext_noop("Rule set: level keys and digits must be unique."))
    if any(not 1 <= lv.digit <= 8 for lv in levels) or any(lv.key == "invalid" for lv in levels):
        raise RuleSetError(
            "bad_levels", gettext_noop("Rule set: level digits must be 1 to 8 and no level may be called “invalid”.")
        )
    keys = {lv.key for lv in levels}
    adverse = _need(data, "adverse_level", TOP)
    if adverse not in keys:
        raise RuleSetError("unknown_level", gettext_noop("Rule set: unknown level “%(level)s”."), level=adverse)

    base = _need(data, "base", TOP, dict)
    base_kind = _need(base, "kind", "base")
    if base_kind not in ("collected", "members"):
        raise RuleSetError(
            "bad_value",
            gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
            key="kind",
            where="base",
        )

    v = _need(data, "validity", TOP, dict)
    handling = ("whole_ballot", "row", "ignore_and_flag")
    for key in ("crossed_out_name", "written_in_name"):
        if _need(v, key, "validity") not in handling:
            raise RuleSetError(
                "bad_value",
                gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
                key=key,
                where="validity",
            )
    validity = ValidityRules(
        row_invalid_citation=_citation(v, "row_invalid_citation", "validity"),
        whole_ballot_reasons=tuple(
            WholeBallotReason(
                _need(r, "key", "whole_ballot_reasons"),
                _need(r, "label", "whole_ballot_reasons"),
                _need(r, "label_en", "whole_ballot_reasons"),
            )
            for r in _need(v, "whole_ballot_reasons", "validity", list)
        ),
        whole_ballot_citation=_citation(v, "whole_ballot_citation", "validity"),
        crossed_out_name=v["crossed_out_name"],
        written_in_name=v["written_in_name"],
        signature_invalidates=_need(v, "signature_invalidates", "validity", bool),
        signature_citation=_citation(v, "signature_citation", "validity"),
    )

    quorum = None
    if "quorum" in data:
        q = _need(data, "quorum", TOP, dict)
        quorum = QuorumRule(_threshold(q, "quorum"), _citation(q, "citation", "quorum"))

    c = _need(data, "committee", TOP, dict)
    by_level = c.get("min_members_by_level", {})
    if not isinstance(by_level, dict) or not all(isinstance(n, int) and n >= 1 for n in by_level.values()):
        raise RuleSetError(
            "bad_value",
            gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
            key="min_members_by_level",
            where="committee",
        )
    _known_body_levels(by_level, "min_members_by_level", "committee")
    committee = CommitteeRules(
        min_members=_need(c, "min_members", "committee", int),
        min_members_by_level=dict(by_level),
        approval=_threshold(c, "committee", prefix="approval_"),
        citation=_citation(c, "citation", "committee"),
    )

    r = _need(data, "retention", TOP, dict)

    outcomes = []
    for raw in _need(data, "outcomes", TOP, list):
        key = _need(raw, "key", "outcomes")
        if key not in ("over_half", "two_thirds"):
            raise RuleSetError(
                "bad_value",
                gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
                key="key",
                where="outcomes",
            )
        level = _need(raw, "level", "outcomes")
        if level not in keys:
            raise RuleSetError("unknown_level", gettext_noop("Rule set: unknown level “%(level)s”."), level=level)
        outcomes.append(
            OutcomeStep(
                key=key,
                level=level,
                threshold=_threshold(raw, f"outcomes.{key}"),
                consequence=_need(raw, "consequence", "outcomes"),
                consequence_en=_need(raw, "consequence_en", "outcomes"),
                citation=_citation(raw, "citation", f"outcomes.{key}"),
                leads_to_vote=bool(_need(raw, "leads_to_vote", "outcomes", bool)) if "leads_to_vote" in raw else False,
            )
        )
    # Steps must be ordered most severe first, so that the first step reached is the outcome.
    for stronger, weaker in itertools.pairwise(outcomes):
        if stronger.threshold.fraction <= weaker.threshold.fraction:
            raise RuleSetError(
                "bad_order", gettext_noop("Rule set: outcomes must be listed from the most severe down.")
            )

    e = _need(data, "eligibility", TOP, dict)
    eligibility = EligibilityRules(
        exclude_retirement_notified=_need(e, "exclude_retirement_notified", "eligibility", bool),
        exclude_appointed_in_rating_year=_need(e, "exclude_appointed_in_rating_year", "eligibility", bool),
        min_months_in_office=_need(e, "min_months_in_office", "eligibility", int),
        citation=_citation(e, "citation", "eligibility"),
    )
    d = _need(data, "deadlines", TOP, dict)
    deadlines = DeadlineRules(
        dossiers_days_before=_need(d, "dossiers_days_before", "deadlines", int),
        questions_days_before=_need(d, "questions_days_before", "deadlines", int),
        explanations_days_before=_need(d, "explanations_days_before", "deadlines", int),
        citation=_citation(d, "citation", "deadlines"),
        explanations_citation=_citation(d, "explanations_citation", "deadlines"),
    )
    roll = _need(data, "roll", TOP, dict)
    rated_as_voter = _need(roll, "rated_person_as_voter", "roll")
    if rated_as_voter not in ("warn", "allow", "forbid"):
        raise RuleSetError(
            "bad_value",
            gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
            key="rated_person_as_voter",
            where="roll",
        )

    places = None
    if "places" in data:
        pl = _need(data, "places", TOP, dict)
        maximum = _need(pl, "max", "places", int)
        if maximum < 1:
            raise RuleSetError(
                "bad_value",
                gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
                key="max",
                where="places",
            )
        places = PlacesRule(
            maximum=maximum,
            citation=_citation(pl, "citation", "places"),
            overall_citation=_citation(pl, "overall_citation", "places"),
        )

    held_by = None
    if "held_by" in data:
        h = _need(data, "held_by", TOP, dict)
        body_levels = _need(h, "body_levels", "held_by", list)
        if not body_levels or not all(isinstance(b, str) for b in body_levels):
            raise RuleSetError(
                "bad_value",
                gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
                key="body_levels",
                where="held_by",
            )
        _known_body_levels(body_levels, "body_levels", "held_by")
        held_by = HeldBy(body_levels=tuple(body_levels), citation=_citation(h, "citation", "held_by"))

    follow_up = _need(data, "follow_up", TOP) if "follow_up" in data else None
    if any(step.leads_to_vote for step in outcomes) or follow_up is not None:
        if (
            follow_up not in BUILTIN_IDS
            or follow_up == data.get("id")
            or builtin_rule_set(follow_up).procedure != "vote"
        ):
            raise RuleSetError(
                "bad_follow_up",
                gettext_noop(
                    "Rule set: a step that leads to a confidence vote needs “follow_up”, the id of a built-in "
                    "rule set of a confidence vote (bỏ phiếu tín nhiệm)."
                ),
            )

    procedure = _need(data, "procedure", TOP)
    system = _need(data, "system", TOP)
    if procedure not in ("rating", "vote") or system not in ("party", "state"):
        raise RuleSetError(
            "bad_value",
            gettext_noop("Rule set: key “%(key)s” in %(where)s has the wrong type."),
            key="procedure/system",
            where=TOP,
        )

    return RuleSet(
        id=_need(data, "id", TOP),
        name=_need(data, "name", TOP),
        name_en=_need(data, "name_en", TOP),
        short_name=_need(data, "short_name", TOP),
        procedure=procedure,
        system=system,
        in_force=_need(data, "in_force", TOP, bool),
        levels=levels,
        adverse_level=adverse,
        base_kind=base_kind,
        base_citation=_citation(base, "citation", "base"),
        validity=validity,
        quorum=quorum,
        committee=committee,
        retention_months=_need(r, "months", "retention", int),
        retention_citation=_citation(r, "citation", "retention"),
        outcomes=tuple(outcomes),
        eligibility=eligibility,
        deadlines=deadlines,
        rated_person_as_voter=rated_as_voter,
        places=places,
        follow_up=follow_up,
        held_by=held_by,
    )


def load_rule_set_text(text: str) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(
            "bad_toml", gettext_noop("Rule set: the file is not valid TOML (%(detail)s)."), detail=str(exc)
        ) from exc
    return parse_rule_set(data)


@cache
def builtin_rule_set(rule_id: str) -> RuleSet:
    if rule_id not in BUILTIN_IDS:
        raise RuleSetError(
            "unknown_rule_set",
            gettext_noop("Unknown rule set “%(id)s”. Known: %(known)s."),
            id=rule_id,
            known=", ".join(BUILTIN_IDS),
        )
    text = resources.files(__package__).joinpath("data", f"{rule_id}.toml").read_text(encoding="utf-8")
    return load_rule_set_text(text)


def builtin_rule_sets() -> tuple[RuleSet, ...]:
    return tuple(builtin_rule_set(rule_id) for rule_id in BUILTIN_IDS)


def resolve_rule_set(spec: str) -> RuleSet:
    """A built-in id, or the path of a TOML file (``--rules path.toml``)."""
    if spec in BUILTIN_IDS:
        return builtin_rule_set(spec)
    path = Path(spec)
    if spec.endswith(".toml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleSetError(
                "unreadable", gettext_noop("Cannot read the rule-set file %(path)s."), path=spec
            ) from exc
        return load_rule_set_text(text)
    return builtin_rule_set(spec)
