"""The bank-details rules of the contract, in plain Python (pydantic and schwifty only).

Nothing here imports Odoo or SQLAlchemy: the Odoo addon and the standalone server both
apply these rules, so that the two runtimes agree on what an account is, how banks are
matched, what a valid request item is, and how a list of items merges into the accounts
a registrant already holds.
"""

from .account_number import (
    InvalidAccountNumber,
    check_account_number,
    mask_account_number,
    normalize_account_number,
)
from .bank import BankKey, bank_name_key, clean_bank_name, normalize_bic
from .items import (
    BankAccountItems,
    BankDetailsRequest,
    BankDetailsResponse,
    mask_account_numbers_in,
    masking_account_numbers,
    visible_accounts,
)
from .merge import DEFAULT_SEQUENCE, AccountChange, AccountPlan, ExistingAccount, plan_accounts
from .scopes import BankVisibility, Scope, bank_visibility, carries_bank_details

__all__ = [
    "DEFAULT_SEQUENCE",
    "AccountChange",
    "AccountPlan",
    "BankAccountItems",
    "BankDetailsRequest",
    "BankDetailsResponse",
    "BankKey",
    "BankVisibility",
    "ExistingAccount",
    "InvalidAccountNumber",
    "Scope",
    "bank_name_key",
    "bank_visibility",
    "carries_bank_details",
    "check_account_number",
    "clean_bank_name",
    "mask_account_number",
    "mask_account_numbers_in",
    "masking_account_numbers",
    "normalize_account_number",
    "normalize_bic",
    "plan_accounts",
    "visible_accounts",
]
