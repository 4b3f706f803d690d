"""Bank details for the standalone registry server: the counterpart of the g2p_bank_rest_api addon.

Importing the package does nothing by itself: the registry loads ``extension.extension`` through
its ``g2p_registry_server.extensions`` entry point, which declares the bank tables and the
extensions of the registry's schemas and processing, and brings its routes and migrations. So
the shared rules (``g2p_bank_server.rules``, the addon's ``rules`` folder) can be imported alone.
"""
