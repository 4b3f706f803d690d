{
    "name": "G2P Registry: Bank Details Rest API",
    "summary": "Bank accounts of registrants in the registry REST API: validated, merged, never deleted",
    "category": "G2P",
    "version": "17.0.1.2.1",
    "author": "g2p_bank_rest_api contributors",
    "license": "LGPL-3",
    "depends": [
        "g2p_registry_rest_api",
        "g2p_bank",
    ],
    "external_dependencies": {"python": ["schwifty", "extendable-pydantic", "pydantic"]},
    "data": [
        "security/registry_api_groups.xml",
        "security/ir.model.access.csv",
        "views/bank_account_event_views.xml",
        "views/res_config_settings_views.xml",
    ],
}
