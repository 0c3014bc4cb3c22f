"""Reports: the model report (HTML) and the monitoring page."""

from finduo.reporting.html import monitoring_page
from finduo.reporting.model_report import ModelReport, write_model_report

__all__ = ["ModelReport", "monitoring_page", "write_model_report"]
