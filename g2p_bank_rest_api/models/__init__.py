from . import (
    bank_account_event,
    bank_account_service,
    bulk_onboarding,
    fastapi_endpoint,
    payment_accounts,
    process_group_mixin,
    process_individual_mixin,
    reg_id_indexes,
    res_config_settings,
    res_lang,
    res_partner,
    res_partner_bank,
)
