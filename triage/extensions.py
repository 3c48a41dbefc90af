"""Extensions, created unbound and attached to an app in create_app()."""

from __future__ import annotations

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from triage.engine import RuleSet, load_rules

csrf = CSRFProtect()
migrate = Migrate()  # the database itself (db) lives in triage/storage/repository.py


class Rules:
    """Loads and validates rules/ once per app, at start-up; a broken rule file stops the app."""

    key = "triage_rules"

    def init_app(self, app: Flask) -> None:
        """Load the rule set named by RULES_DIR (raises RulesInvalid naming file and rule)."""
        app.extensions[self.key] = load_rules(app.config["RULES_DIR"])

    @property
    def current(self) -> RuleSet:
        """The rule set of the app handling this request."""
        ruleset: RuleSet = current_app.extensions[self.key]
        return ruleset


rules = Rules()
