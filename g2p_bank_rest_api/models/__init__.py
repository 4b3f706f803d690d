from . import (
    bank_account_service,
    fastapi_endpoint,
    process_group_mixin,
    process_individual_mixin,
    res_partner,
)
