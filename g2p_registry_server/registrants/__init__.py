"""Registrants (individuals and groups): tables, schemas, processing and routes."""
