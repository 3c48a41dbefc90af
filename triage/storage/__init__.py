"""Saved assessments and call-back requests. Only repository.py talks to the database."""
