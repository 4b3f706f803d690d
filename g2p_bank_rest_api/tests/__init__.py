from . import (
    test_api_key_auth,
    test_bank_account_routes,
    test_bank_lookup,
    test_bulk,
    test_bulk_http,
    test_concurrent_merges,
    test_credential_cache,
    test_http,
    test_password_cache,
    test_payment_accounts,
    test_registry_routes,
    test_request_banks,
)
