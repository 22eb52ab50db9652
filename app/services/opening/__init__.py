"""期初数据: what a new office already has on paper (customers, deals, staff) brought in from .xlsx
sheets, each checked line by line by the same services live entries use, previewed, and
applied all or nothing (app.services.opening.runner)."""
