"""Chinese names of audited actions and objects, for the audit log, the board's unit history
and the home page's activity: every area's in one registry, read by app.services.audit.

An action written without a name here shows as its code; tests/foundation/test_audit.py
checks that the demo project's story needs none of those.
"""
from types import MappingProxyType

from app.services.changes import REASONS, RENAME_ACTIONS

_ACTIONS = {
    # accounts, sessions and settings
    "login": "登录", "logout": "退出登录", "login_failed": "登录失败",
    "login_throttled": "登录被限制", "login_lockout_cleared": "解除登录锁定",
    "sessions_revoked": "登录失效", "password_changed": "修改密码", "password_reset": "重置密码",
    "user_created": "新建用户", "user_updated": "修改用户", "user_activated": "启用用户",
    "user_deactivated": "停用用户", "project_settings_changed": "修改项目设置",
    "project_created": "新建项目", "project_archived": "归档项目", "project_restored": "恢复项目",
    "project_member_set": "设置项目成员", "project_member_removed": "移出项目",
    "opening_imported": "期初导入",
    "demo_loaded": "载入演示数据",

    # 销控表: unit moves (one per row of board.unit_status.MOVES), imports, hall displays
    "unit_hold": "保留房源", "unit_cancel_hold": "取消保留", "unit_extend_hold": "延长保留",
    "unit_hold_expired": "保留到期", "unit_withhold": "销控(暂不推售)", "unit_release": "推售",
    "unit_record_deposit": "收取定金", "unit_confirm_deposit": "财务确认定金",
    "unit_reject_deposit": "财务退回定金", "unit_mark_sold": "认购(已售)",
    "unit_sign_contract": "签约", "unit_refund": "退房(恢复可售)",
    "unit_refund_withhold": "退房(转销控)", "unit_exchange_out": "换房换出",
    "unit_exchange_in": "换房换入", "unit_exchange_in_contracted": "换房换入(已签约)",
    "unit_launch_pick": "开盘选房(定金待确认)",
    "unit_launch_pick_confirmed": "开盘选房(诚意金转定金)",
    "units_imported": "导入房源表", "unit_created": "新增房源",
    "unit_price_changed": "调整价格", "unit_updated": "修改房源信息",
    "display_link_created": "创建大屏链接", "display_link_revoked": "撤销大屏链接",

    # 客户: cards, visits and follow-ups, ownership, front desk, channels, personal data
    "customer_registered": "登记客户", "customer_card_updated": "修改温馨卡",
    "customer_options_changed": "修改温馨卡选项",
    "visit_recorded": "登记来人来电", "follow_up_recorded": "登记跟进",
    "customer_grade_changed": "修改客户级别", "downgrade_acknowledged": "确认降级",
    "customer_grade_proposed": "申请降级(待经理确认)", "downgrade_rejected": "驳回降级",
    "follow_up_judged_ineffective": "判为无效跟进", "customer_consent_recorded": "记录客户授权",
    "customers_anonymised_by_retention": "超过保存期限批量匿名化",
    "customer_linked": "关联老带新/家庭成员", "duty_busy": "忙于接待", "duty_free": "接待完毕",
    "customer_owner_changed": "客户归属变更", "customers_recycled": "月度回收客户",
    "customers_released": "释放过期客户", "customer_deal_marked": "客户成交",
    "customer_deal_cleared": "清除成交标记",
    "duty_order_set": "设置接待顺序", "duty_away": "顾问外出", "duty_back": "顾问返回",
    "walk_in_assigned": "分配来访客户",
    "channel_company_saved": "保存渠道公司", "channel_agent_saved": "保存经纪人",
    "channel_reported": "渠道报备", "channel_report_refused": "渠道报备失败",
    "channel_visit_confirmed": "渠道到访确认",
    "customer_anonymised": "客户匿名化", "data_exported": "导出数据",

    # 成交: deposits, receipts, 认购书, contracts and 回款, price policy, registers
    "deposit_recorded": "登记定金", "deposit_confirmed": "财务确认定金",
    "deposit_rejected": "财务退回定金",
    "split_confirmed": "确认投诉分成", "split_rejected": "驳回投诉分成",
    "receipt_book_registered": "登记收据本", "receipt_issued": "开具收据",
    "receipt_confirmed": "确认收据", "receipt_voided": "作废收据", "receipt_refunded": "收据退款",
    "subscription_signed": "签认购书(已售)", "subscription_voided": "作废认购书",
    "subscription_reissued": "重开认购书",
    "contract_signed": "签约", "payment_recorded": "登记回款",
    "payment_confirmed": "财务确认回款", "payment_rejected": "财务退回回款",
    "price_rule_created": "新增价格政策", "price_rule_changed": "修改价格政策",
    "price_rule_disabled": "停用价格政策", "price_rule_enabled": "启用价格政策",
    "register_exported": "导出明细表",

    # 换房退房: change requests, the deals they move, refunds and 过户费
    "change_requested": "申请换房/退房/换名", "change_approved": "批准换房/退房/换名",
    "change_rejected": "驳回换房/退房/换名", "change_cancelled": "撤回换房/退房/换名",
    "change_executed": "执行换房/退房/换名", "deposit_moved": "定金转入新房源",
    "deposit_refunded": "定金退房", "contract_moved": "合同转入新房源",
    "contract_transferred": "合同过户", "payout_created": "生成退款",
    "payout_paid": "财务支付退款", "fee_recorded": "登记过户费",
    "fee_confirmed": "财务确认过户费", "fee_rejected": "财务退回过户费",
    "changes_exported": "导出换房退房一览表",

    # 特殊优惠: requests and their decisions (discounts.events kinds), approval limits
    "discount_requested": "申请特殊优惠", "discount_approved": "批准特殊优惠",
    "discount_rejected": "驳回特殊优惠", "discount_verbal": "登记口头批准",
    "discount_confirmed": "确认口头批准", "discount_written": "补书面审批",
    "discount_withdrawn": "撤回特殊优惠申请", "discount_used": "使用特殊优惠",
    "discount_expired": "特殊优惠过期", "discount_attachment": "上传特殊优惠附件",
    "discount_limit_changed": "修改审批权限", "discount_log_exported": "导出特殊优惠客户一览表",

    # 开盘: launch day, 认筹 and the draw
    "launch_created": "创建开盘活动", "launch_registered": "认筹登记",
    "launch_registration_confirmed": "财务确认诚意金",
    "launch_registration_rejected": "财务退回诚意金",
    "launch_registration_refunded": "诚意金退款", "launch_queue_fixed": "按认筹顺序排号",
    "launch_seed_committed": "公示摇号种子哈希", "launch_drawn": "摇号",
    "launch_started": "开始选房", "launch_paused": "暂停选房", "launch_resumed": "继续选房",
    "launch_closed": "结束选房", "launch_called": "叫号", "launch_missed": "过号顺延",
    "launch_picked": "选房成交", "launch_released": "选房批次推售",
    "launch_registration_exported": "导出认筹明细",

    # 佣金/提成: rules, lines, 提成审批 and payout
    "commission_rule_created": "新增佣金规则", "commission_rule_ended": "佣金规则截止",
    "commission_settings_changed": "修改佣金结算条件", "product_type_set": "设置楼栋业态",
    "staff_referrer_set": "登记内部员工推荐", "commission_accrued": "计提佣金",
    "commission_offset": "冲销佣金", "commission_clawback": "追回佣金",
    "commission_payable": "佣金可结算", "commission_approved": "审批提成",
    "commission_paid": "发放佣金", "commission_recovered": "登记追回佣金",
    "commission_cancelled": "取消佣金",
    "commission_batch_approved": "提成审批(批次)", "commissions_exported": "导出佣金报表",
}

_OBJECTS = {
    # accounts and settings
    "user": "用户", "project": "项目",
    # 销控表
    "unit": "房源", "display_link": "大屏链接",
    # 客户
    "customer": "客户", "visit": "来人来电", "follow_up": "跟进", "duty_day": "接待轮排",
    "channel_company": "渠道公司", "channel_agent": "经纪人", "channel_report": "渠道报备",
    # 成交
    "deposit": "定金", "receipt": "收据", "receipt_book": "收据本", "subscription": "认购书",
    "contract": "合同", "payment": "回款", "price_rule": "价格政策",
    # 佣金
    "commission_rule": "佣金规则", "commission_line": "佣金", "commission_batch": "提成审批批次",
    "building": "楼栋",
    # 换房退房
    "change_request": "换房退房申请", "payout": "退款", "transfer_fee": "过户费",
    # 特殊优惠
    "discount_request": "特殊优惠申请", "discount_limit": "特殊优惠审批权限",
    # 开盘
    "launch": "开盘活动", "launch_registration": "认筹",
}

# The keys of an audit row's before/after values, as the office says them.
_FIELDS = {
    # the status of any record, and who / when
    "status": "状态", "unit_after": "房源状态", "stage": "阶段", "kind": "类型",
    "customer": "客户", "consultant": "顾问", "owner": "归属顾问", "holder": "保留人",
    "held_by": "保留人", "hold_expires_at": "保留到期", "unit": "房源", "target": "目标房源",
    "reason": "原因", "override": "经理特批", "override_reason": "特批原因",
    # accounts and settings
    "username": "用户名", "name": "名称", "role": "角色", "is_admin": "管理员",
    "active": "启用", "board_version": "销控表版本", "buildings": "楼栋数", "units": "房源数",
    "skipped": "跳过", "order": "顺序", "day": "日期",
    # the customer card 温馨卡, visits and follow-ups
    "grade": "级别", "from": "原级别", "to": "新级别", "channel": "认知途径",
    "gender": "性别", "age_band": "年龄", "employer_type": "单位性质", "housing": "现住房",
    "purpose": "购房目的", "area_band": "需求面积", "price_band": "可接受单价",
    "income_band": "家庭年收入", "family_structure": "家庭结构", "wanted_layout": "需求户型",
    "appearance": "外貌特征", "concerns": "关注点", "objections": "抗性",
    "visit_no": "到访次数", "way": "跟进方式", "effective": "有效跟进", "next_on": "下次跟进",
    "anonymous": "匿名", "is_peer": "同行踩盘",
    # channels 渠道报备
    "company": "渠道公司", "agent": "经纪人", "channel_report": "渠道报备",
    "protected_until": "保护期至", "recommendation": "推荐次数",
    # money: deposits, receipts, subscriptions, contracts
    "amount": "金额", "method": "付款方式", "receipt_no": "收据号", "number": "编号",
    "deal_price": "成交价", "total_price": "总价", "plan": "付款方式", "discounts": "优惠",
    "deal_at": "成交日期", "split": "业绩/奖金分配",
    "credit": "业绩", "percent": "奖金", "split_case": "分配情形",
    "penalty": "违约金", "deposit_credited": "转入定金", "received": "已收",
    "instalments": "分期", "contract": "合同", "replaces": "替代", "rename": "换名",
    "first_no": "起始号", "last_no": "结束号", "seq": "序号",
    "valid_from": "生效日", "valid_until": "截止日", "value": "数值",
    "old_price": "原价", "new_price": "新价", "verbal_by": "口头批准人",
    # receipts, exports, rotation and approvals
    "blank": "空白收据", "confirmed_at": "确认时间", "late": "逾期确认", "count": "数量",
    "customers": "客户数", "deposit": "定金", "deposit_status": "定金状态",
    "display_name": "姓名", "export": "导出", "file": "文件", "filters": "筛选条件",
    "format": "格式", "full_phones": "完整手机号", "last_instalment": "末期款", "limit": "权限",
    "owed": "待补轮次", "records": "条数", "register": "明细表", "released": "推售",
    "rows": "行数", "subscription": "认购书", "show_prices": "显示价格",
    # 期初导入: what an opening sheet brought in
    "statuses": "各状态套数", "totals": "合计金额", "counts": "笔数", "small": "小定",
    "large": "大定", "contract_total": "合同总价", "paid": "已收回款",
    "subscriptions": "认购书", "contracts": "合同", "payments": "回款",
    "owners": "各顾问客户数", "owned": "归属有效", "pooled": "进入公共池", "roles": "各角色人数",
    # project settings
    "hold_cap": "每人保留上限", "reveal_limit": "每小时显示上限",
    # commissions 佣金
    "payee_kind": "佣金对象", "product_type": "业态", "value_2": "第2套", "value_3": "第3套及以上",
    "commission_payable": "结算条件", "commission_percent": "回款比例", "payee": "收款人",
    "basis": "计算方式", "batch_id": "审批批次", "paid_on": "发放日期", "pay_method": "发放方式",
    "pay_reference": "凭证号", "staff_referrer": "推荐员工",
    # launch day 开盘
    "first": "首批", "misses": "过号次数", "participants": "参与人数",
    "paused_seconds": "暂停秒数", "position": "排位", "queue_no": "排号",
    "seed": "摇号种子", "seed_hash": "种子哈希", "window_ends_at": "选房截止",
    "mode": "方式", "window_seconds": "每位限时(秒)", "miss_penalty": "过号顺延",
    "layouts": "意向户型",
    # 补录: when a visit or call really happened, and when it was entered
    "entered_at": "录入时间", "happened_at": "发生时间",
}

# Coded values, shown by their Chinese names (a code with no name shows as itself).
_VALUES = {
    # statuses of units and of the records finance or a manager decides
    "withheld": "销控", "available": "可售", "held": "保留", "deposit_pending": "定金待确认",
    "deposit_confirmed": "定金已确认", "subscribed": "已认购", "contracted": "已签约",
    "pending": "待处理", "confirmed": "已确认", "rejected": "已退回", "refunded": "已退款",
    "approved": "已批准", "withdrawn": "已撤回", "expired": "已过期", "used": "已使用",
    "issued": "已开具", "voided": "已作废", "signed": "有效", "paid": "已支付",
    "executed": "已执行", "cancelled": "已撤回",
    # roles
    "consultant": "置业顾问", "secretary": "销售秘书", "finance": "财务",
    "manager": "销售经理", "admin": "管理员",
    # ways, kinds, methods, plans
    "phone": "电话", "visit": "到访", "wechat": "微信", "sms": "短信", "call": "来电",
    "agency": "渠道/中介", "broker": "全民经纪人", "distributor": "分销",
    "small": "小定", "large": "大定", "cash": "现金", "pos": "刷卡", "transfer": "转账",
    "alipay": "支付宝", "full": "一次性", "mortgage": "按揭", "instalments": "分期",
    "own": "本人成交", "buyer": "客户原因", "competitor": "竞品", "add": "增加共同买受人",
    "remove": "减少共同买受人", "lottery": "摇号", "exchange": "换房", "refund": "退房",
    "rename": "换名",
    # front desk assignments 轮流接待
    "turn": "轮接", "makeup": "补接", "named": "指定", "assist": "代接", "return": "老客户重访",
    "pdf": "PDF", "xlsx": "Excel", "csv": "CSV",
    # the kinds of opening sheets 期初数据
    "customers": "期初客户", "deals": "期初成交", "users": "员工账号",
    # commissions 佣金: line statuses and kinds, payees, 业态, when payable
    "accrued": "应计", "payable": "可结算", "recovering": "待追回", "clawback": "已追回",
    "deducted": "从应发佣金中扣回", "accrual": "计提",
    "offset": "冲销", "adjustment": "补差", "channel": "渠道公司", "staff": "内部员工推荐",
    "high_rise": "小高层", "garden": "洋房", "villa": "别墅(180-300万)",
    "grand_villa": "别墅(300万以上)", "shop": "商铺", "rate": "按比例", "amount": "固定金额",
    "down_payment": "首付款到账", "percent": "回款比例",
}

# Fields whose codes an area names itself (a code can mean one thing in one field and
# another elsewhere: a change request's reason 'buyer' is 买受人变更, not 客户原因).
_FIELD_VALUES = {"reason": REASONS, "rename": RENAME_ACTIONS}

# Read-only: an area adds its names here, never at import time elsewhere.
ACTION_LABELS = MappingProxyType(_ACTIONS)
OBJECT_LABELS = MappingProxyType(_OBJECTS)
FIELD_LABELS = MappingProxyType(_FIELDS)
# Kept in the rows for tracing, not changes a person reads: the board's change counter.
INTERNAL_FIELDS = frozenset({"board_version"})
VALUE_LABELS = MappingProxyType(_VALUES)
FIELD_VALUE_LABELS = MappingProxyType(_FIELD_VALUES)
