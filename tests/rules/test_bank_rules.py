"""How a bank named in a request matches a known bank: the name key and the BIC."""

import pytest

from g2p_bank_server.rules import bank_name_key, clean_bank_name, normalize_bic


@pytest.mark.parametrize(
    "spelling",
    ["Deutsche Bank", "  deutsche   bank ", "DEUTSCHE\tBANK", "Deutsche\u00a0Bank", "deutsche\nbank"],
)
def test_name_variants_share_one_key(spelling: str) -> None:
    assert bank_name_key(spelling) == "deutsche bank"


def test_names_that_differ_in_letters_have_different_keys() -> None:
    assert bank_name_key("Deutsche Bank") != bank_name_key("Deutsche Bank AG")


def test_new_bank_name_is_trimmed_but_keeps_its_case_and_inner_spacing() -> None:
    assert clean_bank_name("  Banque  Populaire ") == "Banque  Populaire"


@pytest.mark.parametrize(
    ("bic", "normalized"),
    [("DEUTDEFF", "DEUTDEFF"), ("deutdeff500", "DEUTDEFF500"), (" deut de ff ", "DEUTDEFF")],
)
def test_valid_bic_is_upper_cased_without_spaces(bic: str, normalized: str) -> None:
    assert normalize_bic(bic) == normalized


@pytest.mark.parametrize("bic", ["DEUTDE", "DEUTDEFF5", "DEUTDEFF5000", "DEUTZZFF", "DEUT-DEF"])
def test_invalid_bic_is_rejected(bic: str) -> None:
    with pytest.raises(ValueError, match="BIC"):
        normalize_bic(bic)
