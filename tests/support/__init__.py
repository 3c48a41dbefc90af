"""Helpers the tests share, as plain modules; the conftest files only declare fixtures built from them.

apps.py      the one test-app factory: practice details, test secret, database, no setting from the shell
database.py  databases: the migrated template, PostgreSQL when TEST_DATABASE_URL is set
cases.py     the clinical vignettes (tests/cases/vignettes.yaml)
flow.py      the project's rule set and the questionnaire's pages, loaded once
markup.py    reading HTML pages (elements, text, the level shown, error summaries)
journeys.py  driving the real pages with a test client: a patient's journey, a phone call
staff.py     the staff accounts the tests log in with, and logging in
records.py   saving and reading what the database holds
wording.py   what patient-facing text must never say
browser.py   Chromium, the app served in a process of its own, pages in fresh contexts
drive.py     driving the real pages in Chromium, and every page state the browser tests visit
"""
