"""Users of the registry API and HTTP Basic authentication."""
