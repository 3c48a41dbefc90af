"""Real-browser tests: Debian's Chromium, driven by Playwright, against the app on a real server."""
