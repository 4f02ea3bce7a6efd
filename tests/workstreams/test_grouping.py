"""The shared grouping helper: the parameter's values, the groups, the reference group, regrouping."""

import pandas as pd
import pytest

from rhoresearch import ethnicity
from rhoresearch.exceptions import InputError
from rhoresearch.workstreams import _grouping, _tables


def test_a_bad_grouping_names_the_parameter_and_the_allowed_values():
    with pytest.raises(
        InputError, match=r"notebook 01: grouping must be one of \['high_level', 'detailed'\]"
    ):
        _grouping.check_grouping("fine", func="notebook 01")
    with pytest.raises(InputError, match="got 'High level'"):
        _grouping.scheme_of("High level")
    _grouping.check_grouping("detailed", func="x")  # allowed: no error


def test_the_groups_at_each_scheme_in_display_order():
    assert _grouping.group_order("high_level") == ["Asian", "Black", "Mixed", "White", "Other"]
    nhs = _grouping.group_order("nhs_code")
    assert len(nhs) == 16 and nhs[0] == "White - British"
    short = _grouping.group_order("nhs_code", short=True)
    assert short[0] == "White British" and "Caribbean" in short and "Chinese" in short
    census = _grouping.group_order("census2021", short=True)
    assert len(census) == 19 and {"Arab", "Roma", "White British"} <= set(census)
    assert _grouping.scheme_of("detailed", detailed="census2021") == "census2021"
    with pytest.raises(InputError, match="scheme must be one of"):
        _grouping.group_order("detailed")


def test_the_reference_group_must_be_at_the_grouping():
    assert _grouping.reference_label("White British", "nhs_code") == "White - British"
    assert _grouping.reference_label("white - british", "nhs_code", short=True) == "White British"
    assert _grouping.reference_label("White", "high_level") == "White"
    with pytest.raises(InputError) as caught:
        _grouping.reference_label("White", "nhs_code", short=True, func="notebook 04")
    message = str(caught.value)
    assert "notebook 04: reference_group 'White'" in message
    assert "grouping='detailed'" in message and "'White British'" in message
    with pytest.raises(InputError, match="reference_group 'Martian' is not a high-level"):
        _grouping.reference_label("Martian", "high_level")


def test_codes_are_harmonised_to_the_grouping_with_unknowns_and_bad_codes_left_out():
    records = pd.DataFrame(
        {
            "ethnic_category": ["A", "N", "M", "R", "Z", "99", "QQ", "H"],
            "ethnicity_status": ["recorded"] * 5 + ["not known", "invalid code", "not known"],
        }
    )
    short = _grouping.harmonise_groups(records, scheme="nhs_code", short=True)
    assert short.tolist()[:4] == ["White British", "African", "Caribbean", "Chinese"]
    assert short.iloc[4:].isna().all()  # not stated, not known, invalid; H not "recorded"
    assert list(short.cat.categories) == _grouping.group_order("nhs_code", short=True)
    high = _grouping.harmonise_groups(records, scheme="high_level", status=None)
    assert high.tolist()[:4] == ["White", "Black", "Black", "Other"]  # Chinese under Other
    assert high.iloc[4:7].isna().all() and high.iloc[7] == "Asian"
    assert records["ethnic_category"].iloc[0] == "A"  # input not modified
    again = ethnicity.harmonise(short.dropna(), to="high_level", chinese="other")
    assert again.astype(str).tolist() == ["White", "Black", "Black", "Other"]


def test_detailed_is_the_nhs_16_categories_by_their_short_labels():
    values = pd.Series(["A", "white - british", "N", "R", "Z", None])
    out = _grouping.harmonise(values, to="detailed", errors="not_known")
    assert out.astype(str).tolist() == [
        "White British",
        "White British",
        "African",
        "Chinese",
        "Not stated",
        "Not known",
    ]
    assert list(out.cat.categories) == [*_grouping.group_order("nhs_code", short=True)] + [
        "Not stated",
        "Not known",
    ]
    high = _grouping.harmonise(values, to="high_level", errors="not_known")
    assert high.astype(str).tolist()[:4] == ["White", "White", "Black", "Asian"]  # Census 2021


def test_a_notebooks_grouping_and_reference_are_read_together():
    detailed = _grouping.choose_grouping("detailed", reference="White British")
    assert (detailed.to, detailed.reference, len(detailed.groups)) == (
        "detailed",
        "White British",
        16,
    )
    high = _grouping.choose_grouping("high_level", reference="White")
    assert (high.to, high.reference, high.groups[0]) == ("high_level", "White", "Asian")
    with pytest.raises(InputError, match=r"reference_group 'White' is not a detailed"):
        _grouping.choose_grouping("detailed", reference="White")
    with pytest.raises(InputError, match="grouping must be one of"):
        _grouping.choose_grouping("16", reference="White British")


def _answers(sizes: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """One row per person: ``group``, ``yes`` (1 for the first count, 0 for the second)."""
    rows = [(g, 1) for g, (y, _) in sizes.items() for _ in range(y)]
    rows += [(g, 0) for g, (_, n) in sizes.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["group", "yes"])


def test_groups_too_small_for_a_model_are_named_counted_and_worded():
    data = _answers({"White British": (50, 60), "Indian": (12, 40), "Chinese": (3, 30)})
    data = pd.concat([data, pd.DataFrame({"group": ["Not known"] * 2, "yes": [1, 0]})])
    few = _grouping.sparse_groups(data, group="group", outcomes="yes", reference="White British")
    assert few == ["Chinese"]  # 3 with the outcome; "Not known" is not compared anyway
    table = _grouping.sparse_exclusions(data, group="group", groups=few, applies_to="odds ratios")
    assert table.to_dict("records") == [
        {
            "step": "ethnic group",
            "reason": "Chinese: too few for a model",
            "rows": 33,
            "applies_to": "odds ratios",
        }
    ]
    sentence = _grouping.sparse_sentence(few, what="people answering yes", model="odds ratios")
    assert sentence.startswith("Left out of the odds ratios, with fewer than 10 people answering")
    assert "Chinese" in sentence and "33" not in sentence  # no count in the text
    assert _grouping.sparse_sentence([], what="x", model="y") is None
    with pytest.raises(InputError, match="reference group 'Chinese' has fewer than 10"):
        _grouping.sparse_groups(data, group="group", outcomes="yes", reference="Chinese")


def test_a_left_out_group_hides_the_model_counts_that_would_give_its_size_away():
    res = pd.DataFrame({"group": ["A", "B"], "n_used": [10, 10], "n_excluded": [1, 1]})
    kept = _tables.left_out_groups(res, [], n_excluded_group=4)
    assert kept["n_excluded_group"].tolist() == [4, 4] and kept["n_used"].tolist() == [10, 10]
    hidden = _tables.left_out_groups(res, ["C"], n_excluded_group=7)
    assert hidden[_tables.MODEL_ROWS].isna().all().all()
    assert res["n_used"].tolist() == [10, 10]  # input not modified


def test_detailed_figures_are_split_by_high_level_group():
    data = pd.DataFrame({"ethnic_group": ["White British", "Caribbean", "African", "Chinese"]})
    assert [p.suffix for p in _grouping.panels(data, grouping="high_level")] == [""]
    split = _grouping.panels(data, grouping="detailed")
    assert [(p.suffix, p.title, len(p.data)) for p in split] == [
        ("_asian", ": Asian groups", 1),  # Chinese with Asian, as Census 2021
        ("_black", ": Black groups", 2),
        ("_white", ": White groups", 1),
    ]
    other = _grouping.panels(data, grouping="detailed", chinese="other")
    assert [p.suffix for p in other] == ["_black", "_white", "_other"]


def test_the_grouping_note_follows_the_census_2021_convention_by_default():
    census = _grouping.grouping_note("high_level", subject="the code")
    assert census.startswith("- **Ethnic groups**: the code harmonised to five high-level groups")
    assert "Chinese is counted under Asian, as in the Census 2021 groups" in census
    assert "Arab has no NHS code" in census and "so it is counted under Other." in census


def test_the_grouping_note_follows_nhs_england():
    nhs = _grouping.grouping_note("high_level", convention="nhs_england", subject="the code")
    assert "Chinese is counted under Other, as NHS England publishes" in nhs
    assert "Census 2021 counts it under Asian" in nhs and "MBRRACE" not in nhs


def test_the_grouping_note_follows_mbrrace_uk():
    note = _grouping.grouping_note("high_level", convention="mbrrace", subject="the code")
    assert 'Chinese is counted under Other, as MBRRACE-UK ("Chinese or other")' in note


def test_the_detailed_grouping_note_names_the_scheme_and_census_only_groups():
    detailed = _grouping.grouping_note("detailed", subject="the code")
    assert "16 NHS ethnic categories" in detailed and "Chinese is a group of its own" in detailed
    assert "Census 2021" not in detailed  # records: no published table to speak of
    kept = _grouping.grouping_note("detailed", subject="x", census_only="kept")
    assert "keeps Arab, Gypsy or Irish Traveller and Roma as groups of their own" in kept
    merged = _grouping.grouping_note("detailed", subject="x", census_only="merged")
    assert "Roma, with no NHS code either, are counted in Other White" in merged
    census = _grouping.grouping_note("detailed", subject="x", scheme="census2021")
    assert (
        "19 Census 2021 groups" in census and "Chinese and Arab are groups of their own" in census
    )


def test_the_grouping_note_refuses_unknown_options():
    with pytest.raises(InputError, match="convention must be"):
        _grouping.grouping_note("high_level", convention="east asian", subject="x")
    with pytest.raises(InputError, match="census_only must be"):
        _grouping.grouping_note("detailed", census_only="dropped", subject="x")
    with pytest.raises(InputError, match="does not agree"):
        _grouping.grouping_note("high_level", scheme="nhs_code", subject="x")
    with pytest.raises(InputError, match="grouping must be"):
        _grouping.grouping_note("fine", subject="x")
