"""Storage tests: migrations, reference codes, saved assessments, call-backs, retention, failure."""
