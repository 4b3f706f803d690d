"""The payment list's answers built from the query's rows (the models are the shared rules')."""

from ..rules.payments import PaymentAccountItem, PaymentRegistrantId, PayoutAccount
from .query import PaymentAccount


def item_of(listed: PaymentAccount) -> PaymentAccountItem:
    """The answer item of one listed registrant."""
    account = None
    if listed.account is not None:
        account_id, bank_name, bic, acc_number, holder = listed.account
        account = PayoutAccount(
            id=account_id, bank_name=bank_name, bic=bic, acc_number=acc_number, acc_holder_name=holder
        )
    return PaymentAccountItem(
        registrant_id=listed.registrant_id,
        name=listed.name,
        is_group=listed.is_group,
        ids=[PaymentRegistrantId(id_type=id_type, value=value) for id_type, value in listed.ids],
        account=account,
    )
