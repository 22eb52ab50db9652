"""Exchange 换房, refund 退房 and name change 换名: request → manager's decision → the
office executes it in one transaction that moves units and money together.

requests: ask, decide, cancel; deal: what a unit's deal holds (money, documents);
execute: the three executions; payouts: finance pays refunds, confirms transfer fees;
ledger: where every fen received now sits; registers: 换房退房一览表 and the reasons report.
"""
from app.models import ChangeStatus, MoneyStatus, PayoutStatus, UnitStatus

KINDS = {"exchange": "换房", "refund": "退房", "rename": "换名"}
STATUS = ChangeStatus.LABELS
# why the customer changes or leaves: a fixed list so the reasons report can count them
REASONS = {"funds": "资金不足", "loan": "贷款未获批", "family": "家庭原因", "job": "工作变动",
           "layout": "户型/面积不合适", "floor": "楼层/朝向/景观", "price": "价格原因",
           "competitor": "选择其他楼盘", "buyer": "买受人变更(婚姻/亲属)", "other": "其他"}
RENAME_ACTIONS = {"add": "增加共同购房人", "remove": "减少共同购房人", "replace": "更换买受人"}
UNIT_AFTER = {UnitStatus.AVAILABLE: "恢复可售", UnitStatus.WITHHELD: "转为销控(暂不推售)"}
PAYOUT_STATUS = PayoutStatus.LABELS
# a 过户费 is never refunded: its statuses are the money's less that one
FEE_STATUS = {status: MoneyStatus.LABELS[status]
              for status in (MoneyStatus.PENDING, MoneyStatus.CONFIRMED, MoneyStatus.REJECTED)}
