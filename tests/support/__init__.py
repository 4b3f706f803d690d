"""Test support shared by every test package: real server processes and throw-away databases."""
