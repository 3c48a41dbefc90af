"""Every extension, created unbound here and attached to an app in create_app()."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from triage.engine import RuleSet, load_rules
from triage.questionnaire import Questionnaire
from triage.storage.models import Base
from triage.web.limits import setting


class Rules:
    """Loads and validates rules/ once per app, at start-up; a broken rule file stops the app."""

    key = "triage_rules"
    questionnaire_key = "triage_questionnaire"

    def init_app(self, app: Flask) -> None:
        """Load the rule set named by RULES_DIR (raises RulesInvalid naming file and rule)."""
        ruleset = load_rules(app.config["RULES_DIR"])
        app.extensions[self.key] = ruleset
        app.extensions[self.questionnaire_key] = Questionnaire.of(ruleset)

    @property
    def current(self) -> RuleSet:
        """The rule set of the app handling this request."""
        ruleset: RuleSet = current_app.extensions[self.key]
        return ruleset

    @property
    def questionnaire(self) -> Questionnaire:
        """The pages and routing of that rule set, built once with it."""
        flow: Questionnaire = current_app.extensions[self.questionnaire_key]
        return flow


rules = Rules()
babel = Babel()
csrf = CSRFProtect()
db = SQLAlchemy(model_class=Base)
migrate = Migrate()
mail = Mail()  # SMTP settings MAIL_* (triage/config.py); only triage/ops/alerts.py sends
login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.session_protection = "basic"
#: Every rate limit is a view's (Flask-Limiter's decorators); limits for every other request only
#: where a deployment sets RATELIMIT_DEFAULT. The store is RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[setting("RATELIMIT_DEFAULT")])
