from . import bank_account_service
from . import res_partner
from . import process_individual_mixin
from . import process_group_mixin
from . import fastapi_endpoint
