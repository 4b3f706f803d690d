from . import test_api_key_auth, test_bank_account_routes, test_bank_lookup, test_http, test_registry_routes
