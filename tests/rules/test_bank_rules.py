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


def test_one_bank_key_for_both_runtimes():
    from g2p_bank_server.rules import BankDetailsRequest, BankKey

    assert BankKey.of("DEUTDEFF", "Some Bank") == ("bic", "DEUTDEFF")
    assert BankKey.of(None, "  Some   BANK ") == BankKey.of_name("some bank") == ("name", "some bank")
    assert BankKey.of(None, "Bank").text == "name:bank" and BankKey("bic", "DEUTDEFF").text == "bic:DEUTDEFF"
    # Keys sort BICs first, then names: locks are taken in one order everywhere.
    assert sorted([BankKey.of(None, "a"), BankKey.of("DEUTDEFF", "z")])[0].kind == "bic"
    item = BankDetailsRequest(
        acc_number="DE89 3704 0044 0532 0130 00", bank_name=" Some  Bank", bic="deut de ff"
    )
    assert item.bank_key == ("bic", "DEUTDEFF")
    assert BankDetailsRequest(acc_number="12345678", bank_name="Some  bank").bank_key == ("name", "some bank")
