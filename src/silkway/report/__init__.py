"""The study report: plots (matplotlib, offline) and a self-contained HTML file."""

from silkway.report.html import build_report

__all__ = ["build_report"]
