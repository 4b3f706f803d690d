"""The same account number on several registrants (contract section 7), in the standalone
server: the shared-account policy applied to every path that gives a registrant an account
(`policy`), its queries (`repository`), and the report of shared numbers (`report`, `routers`,
`command`). The decisions themselves are the shared rules' (`rules.shared_accounts`)."""
