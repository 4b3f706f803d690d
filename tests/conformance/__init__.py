"""Black-box HTTP conformance suite of the registry bank-details contract, for any deployment."""
