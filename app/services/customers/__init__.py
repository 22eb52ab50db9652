"""Customers 客户: cards 温馨卡 and their option lists (cards, options), visits and calls
来人来电 with follow-ups and grades (visits, visit_stats), ownership 客户归属 and deal credit
(ownership, attribution), channel reports 报备 (channels), the front desk and its rotation
轮流接待 (reception, rotation), a consultant's day (today), personal data (privacy, phones)."""
