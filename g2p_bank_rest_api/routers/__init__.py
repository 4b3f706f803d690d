from .audit import audit_router
from .bank_account import bank_account_router
from .bulk import bulk_router
from .payment_accounts import payment_accounts_router
