"""Bank details for the standalone registry server: the counterpart of the g2p_bank_rest_api addon."""
