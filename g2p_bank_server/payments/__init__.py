"""The payment list: every registrant that holds or held a bank account, with its IDs and its
primary account (the one payments go to), read page by page over HTTP
(`GET /payment_accounts`) or exported to a file (`g2p-registry export`)."""
