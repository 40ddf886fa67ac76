"""Rule sets are data: the built-ins load, a user's own TOML loads, bad files are refused clearly."""

import re
from fractions import Fraction
from importlib import resources

import pytest
from django.utils.translation import gettext, override

from tinnhiem.rules import BUILTIN_IDS, RuleSetError, builtin_rule_set, load_rule_set_text, resolve_rule_set
from tinnhiem.rules.model import consequence_alone


@pytest.mark.parametrize("rule_id", BUILTIN_IDS)
def test_builtin_rule_sets_are_complete(rule_id):
    rules = builtin_rule_set(rule_id)
    assert rules.id == rule_id
    assert rules.base_citation.text and rules.validity.row_invalid_citation.text
    assert rules.outcomes, "every rule set has at least one consequence"
    for step in rules.outcomes:
        assert step.citation.text in step.text()
        # a table showing the article apart gets the consequence back alone
        assert consequence_alone(step.text(), step.citation.text) == step.consequence
        assert step.level == rules.adverse_level
    assert rules.level(rules.adverse_level).label


def test_table_of_the_domain():
    assert [lv.key for lv in builtin_rule_set("nq96-2023-bo-phieu").levels] == ["confidence", "no_confidence"]
    assert builtin_rule_set("nq85-2014").base_kind == "members"
    assert builtin_rule_set("nq35-2012").base_kind == "members"
    assert builtin_rule_set("qd96-2023").base_kind == "collected"
    assert [s.key for s in builtin_rule_set("qd262-2014").outcomes] == ["over_half"]
    nq35 = builtin_rule_set("nq35-2012").outcomes[0]
    assert nq35.key == "two_thirds" and nq35.threshold.fraction == Fraction(2, 3) and not nq35.threshold.inclusive
    qd96 = builtin_rule_set("qd96-2023")
    assert qd96.quorum.threshold.fraction == Fraction(2, 3) and qd96.quorum.threshold.inclusive
    assert "Điều 11 khoản 3" in qd96.outcomes[0].citation.text
    assert builtin_rule_set("nq96-2023").committee.minimum_for("province") == 7
    assert not builtin_rule_set("qd96-2023").validity.signature_invalidates
    # QĐ 96 Điều 1 khoản 3: at most 2 places; Điều 11 khoản 4: each place weighed as a whole
    assert qd96.places.maximum == 2 and "Điều 1 khoản 3" in qd96.places.citation.text
    assert "Điều 11 khoản 4" in qd96.places.overall_citation.text
    assert all(builtin_rule_set(i).places is None for i in BUILTIN_IDS if i != "qd96-2023")


def own_rules(**changes):
    base = resources.files("tinnhiem.rules").joinpath("data", "qd96-2023.toml").read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in base
        base = base.replace(old, new)
    return base


def test_user_rule_set_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(own_rules(**{'id = "qd96-2023"': 'id = "don-vi-x"'}), encoding="utf-8")
    rules = resolve_rule_set(str(path))
    assert rules.id == "don-vi-x"


@pytest.mark.parametrize(
    "change, code",
    [
        ({'adverse_level = "low"': 'adverse_level = "thap"'}, "unknown_level"),
        ({'kind = "collected"': 'kind = "present"'}, "bad_value"),
        (
            {
                "numerator = 2\ndenominator = 3\ninclusive = true\nconsequence": "numerator = 4\ndenominator = 3\ninclusive = true\nconsequence"
            },
            "bad_fraction",
        ),
        ({"digit = 3": "digit = 2"}, "bad_levels"),
        ({'id = "qd96-2023"': "id = 96"}, "bad_value"),
        ({'id = "qd96-2023"': 'id = "x'}, "bad_toml"),
        ({"[base]": "[basis]"}, "missing_key"),
        ({"max = 2": "max = 0"}, "bad_value"),
        # a fraction of nothing, of no whole, or a step no stricter than the next
        (
            {"numerator = 1\ndenominator = 2\ninclusive = false": "numerator = 0\ndenominator = 2\ninclusive = false"},
            "bad_fraction",
        ),
        (
            {"numerator = 1\ndenominator = 2\ninclusive = false": "numerator = 1\ndenominator = 0\ninclusive = false"},
            "bad_fraction",
        ),
        (
            {"numerator = 1\ndenominator = 2\ninclusive = false": "numerator = 2\ndenominator = 3\ninclusive = false"},
            "bad_order",
        ),
        # a committee of no one at some level
        ({"min_members = 3\n": "min_members = 3\nmin_members_by_level = { province = 0 }\n"}, "bad_value"),
        ({"max = 2": 'max = "2"'}, "bad_value"),
        ({"overall_citation = {": "overall = {"}, "missing_key"),
    ],
)
def test_bad_rule_set_is_refused(change, code):
    with pytest.raises(RuleSetError) as info:
        load_rule_set_text(own_rules(**change))
    assert info.value.code == code


def test_outcomes_must_be_most_severe_first():
    text = own_rules()
    i, j = text.index("[[outcomes]]"), text.rindex("[[outcomes]]")
    swapped = text[:i] + text[j:] + "\n" + text[i:j]
    with pytest.raises(RuleSetError) as info:
        load_rule_set_text(swapped)
    assert info.value.code == "bad_order"


LEADS = 'citation = { text = "Quy định 96-QĐ/TW, Điều 11 khoản 2", grade = "V" }'


@pytest.mark.parametrize(
    ("change", "follow_up"),
    [
        ({LEADS: LEADS + "\nleads_to_vote = true"}, None),  # a vote follows, but which?
        ({LEADS: LEADS + "\nleads_to_vote = true"}, "qd96-2023"),  # itself
        ({LEADS: LEADS + "\nleads_to_vote = true"}, "nq96-2023"),  # a rating, not a vote
        ({LEADS: LEADS + "\nleads_to_vote = true"}, "nq96-2023-bo-phieu-x"),
        ({}, "qd262-2014"),
    ],
)
def test_a_step_leading_to_a_confidence_vote_names_the_rule_set_of_that_vote(change, follow_up):
    text = own_rules(**change)
    if follow_up:
        text = text.replace('adverse_level = "low"', f'adverse_level = "low"\nfollow_up = "{follow_up}"')
    with pytest.raises(RuleSetError) as info:
        load_rule_set_text(text)
    assert info.value.code == "bad_follow_up"
    fine = load_rule_set_text(
        own_rules(**change).replace('adverse_level = "low"', 'adverse_level = "low"\nfollow_up = "nq96-2023-bo-phieu"')
    )
    assert fine.follow_up == "nq96-2023-bo-phieu"
    assert [s.leads_to_vote for s in fine.outcomes] == [False, bool(change)]
    # NQ 96/2023 Điều 12 khoản 1: over half (below two thirds) → a confidence vote unless the person resigns
    nq96 = builtin_rule_set("nq96-2023")
    assert nq96.follow_up == "nq96-2023-bo-phieu"
    assert [(s.key, s.leads_to_vote) for s in nq96.outcomes] == [("two_thirds", False), ("over_half", True)]
    assert all(builtin_rule_set(i).follow_up is None for i in BUILTIN_IDS if i != "nq96-2023")


def test_unknown_rule_set_id():
    with pytest.raises(RuleSetError) as info:
        resolve_rule_set("qd97")
    assert info.value.code == "unknown_rule_set"
    assert "qd96-2023" in str(info.value)


def _citations(value, path="rules"):
    """Every Citation in a rule set, with where it sits."""
    import dataclasses

    from tinnhiem.rules.model import Citation

    if isinstance(value, Citation):
        yield path, value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _citations(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            yield from _citations(item, f"{path}[{n}]")


@pytest.mark.parametrize("rule_id", BUILTIN_IDS)
def test_each_citation_is_its_own_and_no_placeholder_is_left(rule_id):
    """A citation is printed beside the decision it grounds (the deadlines table, the minutes).
    Four rule sets once printed the eligibility text, prefixed "DEADLINE_", as the ground of their
    preparation deadlines."""
    import re

    found = list(_citations(builtin_rule_set(rule_id)))
    assert len(found) >= 8
    for path, citation in found:
        assert citation.text.strip() and not re.search(r"\b[A-Z]{2,}_", citation.text), (path, citation.text)
    sections = {}
    for path, citation in found:
        sections.setdefault(citation.text, set()).add(path.split(".")[1].split("[")[0])
    shared = {text: where for text, where in sections.items() if len(where) > 1}
    assert not shared, shared


@pytest.mark.parametrize("rule_id", [r for r in BUILTIN_IDS if not builtin_rule_set(r).in_force])
def test_an_old_regime_cites_no_act_of_the_year_that_replaced_it(rule_id):
    """NQ 35/2012, NQ 85/2014 and QĐ 262 gave way in 2023. Replaying one of them on a ballot of its
    time must not ground a decision on an act made in 2023 or later (NQ 85 and NQ 35 once cited
    Nghị quyết 31/2023/UBTVQH15 for the validity of a ballot)."""
    import re

    for path, citation in _citations(builtin_rule_set(rule_id)):
        years = [int(y) for y in re.findall(r"\d+/(\d{4})/", citation.text)]
        assert all(year < 2023 for year in years), (path, citation.text)


def _held_by(levels: str) -> str:
    return own_rules() + f'\n[held_by]\nbody_levels = {levels}\ncitation = {{ text = "Điều 2", grade = "V" }}\n'


@pytest.mark.parametrize("levels", ["[]", '"province"', "[1]"])
def test_the_bodies_that_hold_a_procedure_are_a_list_of_words(levels):
    with pytest.raises(RuleSetError) as info:
        load_rule_set_text(_held_by(levels))
    assert (info.value.code, info.value.params["key"]) == ("bad_value", "body_levels")


@pytest.mark.parametrize(("levels", "unknown"), [('["huyen"]', "huyen"), ('["province", "District"]', "District")])
def test_the_bodies_that_hold_a_procedure_are_named_by_known_levels(levels, unknown):
    with pytest.raises(RuleSetError) as info:
        load_rule_set_text(_held_by(levels))
    assert info.value.code == "unknown_body_level"
    assert info.value.params == {
        "level": unknown,
        "key": "body_levels",
        "where": "held_by",
        "levels": "central, province, district, commune",
    }


def test_the_bodies_that_hold_a_procedure():
    rules = load_rule_set_text(_held_by('["province", "commune"]'))
    assert rules.held_by.allows("commune") and not rules.held_by.allows("district")
    assert load_rule_set_text(own_rules()).held_by is None  # not set: no body is told anything
    # NQ 96/2023 Điều 2 khoản 1–2: the National Assembly and People's Councils at province and district level
    nq96 = builtin_rule_set("nq96-2023").held_by
    assert nq96.body_levels == ("central", "province", "district") and nq96.citation.grade == "V"
    assert [i for i in BUILTIN_IDS if builtin_rule_set(i).held_by] == ["nq96-2023"]


def test_a_committee_minimum_is_given_for_known_levels():
    text = own_rules(**{"min_members = 3": "min_members = 3\nmin_members_by_level = { huyen = 5 }"})
    with pytest.raises(RuleSetError) as info:
        load_rule_set_text(text)
    assert info.value.code == "unknown_body_level"
    assert (info.value.params["level"], info.value.params["key"]) == ("huyen", "min_members_by_level")
    # in Vietnamese, with the word to fix and the words that would do
    with override("vi"):
        assert info.value.translated(gettext) == (
            "Tệp quy định: “huyen” trong mục “min_members_by_level” của committee không phải là một cấp "
            "cơ quan; hãy dùng central, province, district, commune."
        )
    for bad in ("{ district = 0 }", "[5]"):
        text = own_rules(**{"min_members = 3": f"min_members = 3\nmin_members_by_level = {bad}"})
        with pytest.raises(RuleSetError) as info:
            load_rule_set_text(text)
        assert (info.value.code, info.value.params["key"]) == ("bad_value", "min_members_by_level")
    fine = own_rules(**{"min_members = 3": "min_members = 3\nmin_members_by_level = { district = 5 }"})
    assert load_rule_set_text(fine).committee.minimum_for("district") == 5


def test_a_conclusion_written_otherwise_is_kept_whole():
    """A stored text that does not end with its article (or has none) is shown as it is."""
    assert consequence_alone("Có thể xin từ chức (Điều 12).", "Điều 12") == "Có thể xin từ chức"
    assert consequence_alone("Có thể xin từ chức", "Điều 12") == "Có thể xin từ chức"
    assert consequence_alone("Xem Điều 12 (Điều 12).", "") == "Xem Điều 12 (Điều 12)."


@pytest.mark.parametrize("rule_id", BUILTIN_IDS)
def test_the_source_of_the_grounds_for_not_rating_names_the_act(rule_id):
    """The report to the authority gives the grounds for not rating a person with their source
    only (the page shows the whole text): the act, without the text's summary after the colon."""
    citation = builtin_rule_set(rule_id).eligibility.citation
    source = citation.source
    assert citation.text.startswith(source) and ": " not in source and " (" not in source
    assert re.fullmatch(r"(Quy định|Nghị quyết) \d+[-/][\w/-]+( \(.*\))?(; Hướng dẫn [\w/-]+)?", source), source


def test_citation_source_examples():
    from tinnhiem.rules.model import Citation

    assert Citation("Quy định 96-QĐ/TW: không lấy phiếu tín nhiệm đối với …").source == "Quy định 96-QĐ/TW"
    assert Citation("Quy định 96-QĐ/TW, Điều 11 khoản 2 (“…: …”)").source == "Quy định 96-QĐ/TW, Điều 11 khoản 2"
    assert Citation("Nghị quyết 85/2014/QH13; Hướng dẫn 321/HD-UBTVQH14: …").source == (
        "Nghị quyết 85/2014/QH13; Hướng dẫn 321/HD-UBTVQH14"
    )


def _levels(n):
    return "".join(
        f'[[levels]]\nkey = "l{d}"\ndigit = {d}\nlabel = "Mức {d}"\nlabel_en = "Level {d}"\n\n' for d in range(1, n + 1)
    )


@pytest.mark.parametrize("n, fine", [(1, False), (2, True), (8, True)])
def test_a_rule_set_has_from_two_to_eight_levels_each_typed_as_a_digit(n, fine):
    """Entry types a level as its digit, 1 to 8; 0 is no mark and 9 several marks."""
    text = own_rules()
    start, end = text.index("[[levels]]"), text.index("[base]")
    text = text[:start] + _levels(n) + text[end:]
    text = text.replace('level = "low"', f'level = "l{n}"')  # the adverse level and the outcomes' level
    if fine:
        assert [lv.digit for lv in load_rule_set_text(text).levels] == list(range(1, n + 1))
    else:
        with pytest.raises(RuleSetError) as info:
            load_rule_set_text(text)
        assert info.value.code == "bad_levels"


def test_two_places_are_allowed_and_a_third_is_flagged():
    """QĐ 96 Điều 1 khoản 3: "tối đa ở 2 nơi"."""
    places = builtin_rule_set("qd96-2023").places
    assert not places.exceeded(1) and not places.exceeded(2) and places.exceeded(3)
    one = load_rule_set_text(own_rules(**{"max = 2": "max = 1"})).places  # a body may allow one place only
    assert not one.exceeded(1) and one.exceeded(2)


def test_a_committee_minimum_falls_back_to_the_rule_sets_own_for_a_level_it_does_not_list():
    rules = load_rule_set_text(
        own_rules(**{"min_members = 3\n": "min_members = 3\nmin_members_by_level = { province = 7 }\n"})
    )
    assert rules.committee.minimum_for("province") == 7
    assert rules.committee.minimum_for("commune") == 3 and rules.committee.minimum_for(None) == 3
