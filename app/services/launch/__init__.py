"""Launch day 开盘: 认筹 registrations, the queue (排号 or a verifiable 摇号) and the
选房 selection session. Modules: launches (the launch and its lock), registrations (认筹 and
finance), lottery (commit, draw, verify), selection (call, miss, pick, pause, hall).
"""
