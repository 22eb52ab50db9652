"""Deals: receipts, deposits 定金, subscriptions 认购书, contracts 签约 and payments 回款.

Every unit move goes through app.services.board.unit_status (rows record_deposit, confirm_deposit,
reject_deposit, mark_sold, sign_contract); these modules keep the money records beside it, and
finance's confirm / reject of them (and a 认购书's void) go through app.services.record_status.
"""
