"""The rule-of-origin language: parsing, precedence, exceptions, errors with positions, canonical text,
and the evaluation of each criterion against given facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harbor.trade.rules import (
    AllOf,
    AnyOf,
    Exclusion,
    Facts,
    MaterialFacts,
    ProducedEntirely,
    RuleSyntaxError,
    ShiftLevel,
    SpecificProcess,
    TariffShift,
    ValueContent,
    WhollyObtained,
    alternatives,
    canonical,
    display_percent,
    parse_rule,
)

WO, PE, CC, CTH, CTSH = (
    WhollyObtained(),
    ProducedEntirely(),
    TariffShift(ShiftLevel.CC),
    TariffShift(ShiftLevel.CTH),
    TariffShift(ShiftLevel.CTSH),
)


def rvc(threshold: str) -> ValueContent:
    return ValueContent(Decimal(threshold))


def facts(
    *materials: MaterialFacts,
    hs_code: str = "940360",
    fob: int = 10_000,
    textile: bool = False,
    product_weight: int | None = None,
    processes: frozenset[str] = frozenset(),
    wholly_obtained: bool = False,
    material_count: int | None = None,
) -> Facts:
    return Facts(
        hs_code=hs_code,
        fob_value=fob,
        wholly_obtained=wholly_obtained,
        processes=processes,
        material_count=len(materials) if material_count is None else material_count,
        non_originating=materials,
        de_minimis_percent=Decimal(10),
        textile=textile,
        product_weight=product_weight,
    )


def material(hs_code: str, value: int, index: int = 0, weight: int | None = None) -> MaterialFacts:
    return MaterialFacts(index, f"material {index}", hs_code, value, weight)


# --- parsing -----------------------------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    assert parse_rule("WO | RVC(40) & CTSH | CC") == AnyOf((WO, AllOf((rvc("40"), CTSH)), CC))


def test_parentheses_override_precedence() -> None:
    assert parse_rule("(WO | RVC(40)) & CTSH") == AllOf((AnyOf((WO, rvc("40"))), CTSH))


def test_nested_operators_of_the_same_kind_are_flattened() -> None:
    assert parse_rule("WO | (PE | (CC))") == AnyOf((WO, PE, CC))
    assert parse_rule("CC & (CTH & CTSH)") == AllOf((CC, CTH, CTSH))


def test_keywords_are_case_insensitive() -> None:
    assert parse_rule("wo | Cth") == AnyOf((WO, CTH))


def test_rvc_accepts_decimal_thresholds() -> None:
    assert parse_rule("RVC(35.5)") == ValueContent(Decimal("35.5"))


def test_exceptions_with_codes_and_ranges() -> None:
    assert parse_rule("CTH except 4407, 4408") == TariffShift(
        ShiftLevel.CTH, (Exclusion("4407", "4407"), Exclusion("4408", "4408"))
    )
    assert parse_rule("CC except 50-55") == TariffShift(ShiftLevel.CC, (Exclusion("50", "55"),))


def test_exception_list_ends_at_an_operator() -> None:
    assert parse_rule("CTH except 4407, 4408 & RVC(40) | WO") == AnyOf(
        (
            AllOf(
                (
                    TariffShift(
                        ShiftLevel.CTH, (Exclusion("4407", "4407"), Exclusion("4408", "4408"))
                    ),
                    rvc("40"),
                )
            ),
            WO,
        )
    )


def test_specific_process_with_escaped_quote() -> None:
    assert parse_rule(r'SP("spinning \"fine\" yarn")') == SpecificProcess('spinning "fine" yarn')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cth except 4407,4408|rvc(40.0)", "CTH except 4407, 4408 | RVC(40)"),
        ("(WO|PE)&CC", "(WO | PE) & CC"),
        ("WO|(PE&CC)", "WO | PE & CC"),
        ("RVC( 35.50 )", "RVC(35.5)"),
        ('sp( "Dyeing" ) & ctsh', 'SP("Dyeing") & CTSH'),
        ("CC except 50 - 55, 6001", "CC except 50-55, 6001"),
        (r'SP("a\\b")', r'SP("a\\b")'),
    ],
)
def test_canonical_text(text: str, expected: str) -> None:
    assert canonical(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "WO | PE | RVC(40) | CTH",
        '(CC | CTSH & RVC(35)) & SP("weaving") | WO',
        'CTH except 4407, 4408 | RVC(40) & (CC | SP("dye \\"x\\""))',
        "CC except 01-05, 0901, 090111",
    ],
)
def test_canonical_text_round_trips(text: str) -> None:
    tree = parse_rule(text)
    assert parse_rule(tree.text) == tree
    assert parse_rule(tree.text).text == tree.text


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("WO |", 4, "Expected a criterion"),
        ("| WO", 0, "Expected a criterion"),
        ("WO PE", 3, "Expected '|', '&'"),
        ("FOO | WO", 0, "Unknown criterion 'FOO'"),
        ("WO | RVC 40", 9, "Expected '('"),
        ("RVC(abc)", 4, "Expected a percentage"),
        ("RVC(0)", 4, "more than 0 and at most 100"),
        ("RVC(100.5)", 4, "more than 0 and at most 100"),
        ("RVC(40", 6, "Expected ')'"),
        ("(WO | PE", 8, "Expected ')'"),
        ("CTH except", 10, "Expected a chapter, heading or subheading"),
        ("CTH except 440", 11, "Expected a chapter, heading or subheading"),
        ("CTH except 4407,", 16, "Expected a chapter, heading or subheading"),
        ("CC except 55-50", 13, "ends after it starts"),
        ("CC except 50-5501", 13, "same number of digits"),
        ('SP("open', 3, "Unterminated string"),
        ('SP("  ")', 3, "process is empty"),
        ("SP(dyeing)", 3, "Expected a quoted process"),
        ("WO # PE", 3, "Unexpected character '#'"),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule(text)
    assert caught.value.position == position
    assert fragment in caught.value.message
    assert str(caught.value).endswith(f"(position {position})")


def test_rule_syntax_error_is_a_value_error() -> None:
    assert issubclass(RuleSyntaxError, ValueError)


def test_parsed_rules_are_cached() -> None:
    assert parse_rule("CC | RVC(40)") is parse_rule("CC | RVC(40)")


def test_alternatives_are_the_top_level_options() -> None:
    assert alternatives(parse_rule("WO | RVC(40) & CC")) == (WO, AllOf((rvc("40"), CC)))
    assert alternatives(parse_rule("RVC(40) & CC")) == (AllOf((rvc("40"), CC)),)


# --- evaluation ----------------------------------------------------------------------------------------


def test_display_percent_rounds_down() -> None:
    from fractions import Fraction

    assert display_percent(Fraction(3999999, 100000)) == Decimal("39.99")
    assert display_percent(Fraction(40)) == Decimal("40.00")


def test_rvc_compares_exactly() -> None:
    # FOB 300 000, VNM 180 001: RVC = 39.99966… % → fails, shown as 39.99.
    outcome = rvc("40").evaluate(facts(material("350691", 180_001), fob=300_000))
    assert outcome.passed is False
    assert outcome.reasons == ("Regional value content 39.99 % is below the 40 % required.",)
    assert rvc("40").evaluate(facts(material("350691", 180_000), fob=300_000)).passed is True


def test_cth_fails_in_the_same_heading_but_ctsh_passes_across_subheadings() -> None:
    given = facts(material("940390", 5_000), hs_code="940360")
    cth = CTH.evaluate(given)
    assert cth.passed is False
    assert cth.shift is not None
    assert cth.shift.lines[0].reason == "Same heading 9403 as the good: no change."
    ctsh = CTSH.evaluate(given)
    assert ctsh.passed is True
    assert ctsh.shift is not None
    assert ctsh.shift.lines[0].reason == "Changes subheading from 940390 to 940360."


def test_cc_needs_another_chapter() -> None:
    given = facts(material("940510", 5_000), hs_code="940360")
    assert CC.evaluate(given).passed is False
    assert CTH.evaluate(given).passed is True


def test_excluded_heading_fails_though_it_changes() -> None:
    rule = parse_rule("CTH except 4407, 4408")
    outcome = rule.evaluate(facts(material("440710", 5_000), hs_code="940360"))
    assert outcome.passed is False
    assert outcome.shift is not None
    assert outcome.shift.lines[0].reason == "Changes heading, but 4407 is excluded as a source."


def test_excluded_chapter_range() -> None:
    rule = parse_rule("CC except 50-55")
    given = facts(material("520512", 4_000, 0), material("560710", 4_000, 1), hs_code="610910")
    outcome = rule.evaluate(given)
    assert outcome.shift is not None
    assert [line.passed for line in outcome.shift.lines] == [False, True]
    assert outcome.passed is False


def test_de_minimis_by_value_exactly_ten_percent_passes() -> None:
    outcome = CTH.evaluate(facts(material("940390", 1_000), material("440710", 5_000, 1)))
    assert outcome.passed is True
    assert outcome.shift is not None
    assert outcome.shift.de_minimis.failing_value == 1_000
    assert outcome.shift.de_minimis.value_limit == Decimal(1000)
    assert outcome.shift.de_minimis.applied is True


def test_de_minimis_by_value_just_over_fails() -> None:
    outcome = CTH.evaluate(facts(material("940390", 1_001)))
    assert outcome.passed is False
    assert outcome.shift is not None
    assert outcome.shift.de_minimis.applied is False
    assert outcome.reasons == (
        "Materials that do not change heading are worth 1001, over the de minimis of 1000 (10 % of FOB).",
    )


def test_de_minimis_by_weight_for_textiles() -> None:
    # A T-shirt (610910) with a non-originating material of its own heading worth 20 % of FOB but
    # weighing 10 % of the good.
    failing = material("610990", 2_000, weight=50)
    by_weight = CTH.evaluate(facts(failing, hs_code="610910", textile=True, product_weight=500))
    assert by_weight.passed is True
    assert by_weight.shift is not None
    assert by_weight.shift.de_minimis.within_by_value is False
    assert by_weight.shift.de_minimis.within_by_weight is True
    assert by_weight.shift.de_minimis.weight_limit == Decimal(50)
    heavier = material("610990", 2_000, weight=51)
    assert (
        CTH.evaluate(facts(heavier, hs_code="610910", textile=True, product_weight=500)).passed
        is False
    )


def test_weight_de_minimis_needs_every_weight() -> None:
    outcome = CTH.evaluate(
        facts(material("610990", 2_000), hs_code="610910", textile=True, product_weight=500)
    )
    assert outcome.passed is False
    assert outcome.shift is not None
    assert outcome.shift.de_minimis.within_by_weight is None


def test_weight_de_minimis_is_only_for_textiles() -> None:
    failing = material("940390", 2_000, weight=1)
    assert CTH.evaluate(facts(failing, product_weight=500)).passed is False


def test_pe_needs_materials_all_originating() -> None:
    assert PE.evaluate(facts(material_count=3)).passed is True
    assert PE.evaluate(facts(material_count=0)).passed is False
    assert PE.evaluate(facts(material("350691", 1), material_count=3)).reasons == (
        "1 of 3 materials are not originating.",
    )


def test_wo_follows_the_declaration() -> None:
    assert WO.evaluate(facts(wholly_obtained=True)).passed is True
    assert WO.evaluate(facts()).passed is False


def test_specific_process_ignores_case_and_spacing() -> None:
    rule = parse_rule('SP("Dyeing  and Printing")')
    assert rule.evaluate(facts(processes=frozenset({"dyeing and printing"}))).passed is True
    assert rule.evaluate(facts(processes=frozenset({"dyeing"}))).passed is False


def test_and_reports_only_failing_parts_and_or_only_passing_ones() -> None:
    given = facts(material("940390", 5_000))
    conjunction = parse_rule("RVC(40) & CTH").evaluate(given)
    assert conjunction.passed is False
    assert conjunction.reasons == (
        "Materials that do not change heading are worth 5000, over the de minimis of 1000 (10 % of FOB).",
    )
    assert [part.passed for part in conjunction.parts] == [True, False]
    disjunction = parse_rule("CTH | RVC(40)").evaluate(given)
    assert disjunction.passed is True
    assert disjunction.reasons == ("Regional value content 50.00 % reaches the 40 % required.",)
