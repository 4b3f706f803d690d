"""Tests of bulk onboarding (`POST /bulk/individual`, `g2p-registry import`) and of the payment
list (`GET /payment_accounts`, `g2p-registry export`), over HTTP and as real processes."""
