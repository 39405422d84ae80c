"""Use cases shared by the CLI and the web app. Interfaces call these, nothing below them."""
