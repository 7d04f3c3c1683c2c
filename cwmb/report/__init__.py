"""``cwmb report``: the paper's tables and plots from run directories, beside the published numbers.

- :mod:`cwmb.report.runs` reads run directories into a tidy pandas table;
- :mod:`cwmb.report.aggregate` groups runs (method, LLM, budget) and averages over envs;
- :mod:`cwmb.report.tables`, :mod:`~cwmb.report.usage`, :mod:`~cwmb.report.actions` make
  the tables (Table 2, Tables 10/11, LLM usage, Table 7);
- :mod:`cwmb.report.published` holds the paper's numbers (``published.json``);
- :mod:`cwmb.report.writers` writes Markdown, CSV, LaTeX, JSON and terminal tables;
- :mod:`cwmb.report.plots` draws the figures (matplotlib, imported only there);
- :mod:`cwmb.report.tree_html` makes the self-contained search-tree page of ``cwmb show``.
"""

from cwmb.report.build import Report, build_report, write_report

__all__ = ["Report", "build_report", "write_report"]
