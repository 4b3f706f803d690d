"""The OpenG2P registry API as a standalone FastAPI + SQLAlchemy server (no bank knowledge)."""
