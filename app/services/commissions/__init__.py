"""Commissions 佣金 and bonuses 提成 (DESIGN.md "Commissions"): rules, accrual and reversal,
提成审批 and payout, registers."""
