"""Flask plumbing the channels share: the session cookie and idle limit, security headers, JSON,
languages, templates' helpers, formatting, error pages, PDFs."""
