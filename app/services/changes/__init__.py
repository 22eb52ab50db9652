"""Exchange 换房, refund 退房 and name change 换名: request → manager's decision → the
office executes it in one transaction that moves units and money together.

requests: ask, decide, cancel; deal: what a unit's deal holds (money, documents);
execute: the three executions; payouts: finance pays refunds, confirms transfer fees;
ledger: where every fen received now sits; registers: 换房退房一览表 and the reasons report.
"""
KINDS = {"exchange": "换房", "refund": "退房", "rename": "换名"}
STATUS = {"pending": "待审批", "approved": "已批准待执行", "rejected": "已驳回",
          "executed": "已执行", "cancelled": "已撤回"}
# why the customer changes or leaves: a fixed list so the reasons report can count them
REASONS = {"funds": "资金不足", "loan": "贷款未获批", "family": "家庭原因", "job": "工作变动",
           "layout": "户型/面积不合适", "floor": "楼层/朝向/景观", "price": "价格原因",
           "competitor": "选择其他楼盘", "buyer": "买受人变更(婚姻/亲属)", "other": "其他"}
RENAME_ACTIONS = {"add": "增加共同购房人", "remove": "减少共同购房人", "replace": "更换买受人"}
UNIT_AFTER = {"available": "恢复可售", "withheld": "转为销控(暂不推售)"}
PAYOUT_STATUS = {"pending": "待财务付款", "paid": "已付款"}
FEE_STATUS = {"pending": "待财务确认", "confirmed": "已确认", "rejected": "已退回"}
