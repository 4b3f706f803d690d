from .bank_account import bank_account_router
