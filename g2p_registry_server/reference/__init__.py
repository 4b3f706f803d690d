"""Reference data: ID types, genders, group kinds and membership kinds (lookups and seeding)."""
