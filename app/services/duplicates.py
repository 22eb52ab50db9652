"""Every unique constraint the app relies on, with the Chinese refusal a duplicate gets.

The services check for duplicates first and say so precisely (收据已使用过, 该认购书已签约...);
the database constraint is the last word when two people (or two tabs) submit at the same
moment. Its refusal comes from here, so a lost race is a 4xx in Chinese, never a 500.
A new unique constraint must be added here (tests/deals/test_stale_tabs.py checks) and proved
through its page or listed as app-generated (tests/deals/test_unique_by_page.py checks).
"""
import re

AGAIN = ",请刷新页面后查看"
MESSAGES = {
    "project(code)": "项目编号已被使用",
    "user(username)": "该用户名已被使用",
    "project_member(project_id,user_id)": "该用户已是本项目成员" + AGAIN,
    "building(project_id,name)": "本项目已有同名楼栋",
    "unit(building_id,entrance,unit_no)": "该楼栋(单元)已有此房号",
    "channel_company(project_id,name)": "已有同名渠道公司",
    "customer(project_id,phone)": "该手机号已登记过客户(客户归属以先登记者为准)",
    "customer_option(project_id,kind,label)": "该选项已存在",
    "discount_approval_limit(project_id,user_id)": "该经理的审批权限已设置" + AGAIN,
    "display_link(token)": "大屏链接生成冲突,请重试",
    "duty_day(project_id,day)": "当天的接待顺序已由他人建立" + AGAIN,
    "duty_entry(duty_day_id,user_id)": "该置业顾问已在当天的接待顺序中",
    "launch(public_token)": "开盘活动生成冲突,请重试",
    "price_rule(project_id,name)": "已有同名价格政策",
    "uq_discount_request_open": "该客户在此房源上已有未结的特殊优惠申请" + AGAIN,
    "receipt(project_id,number)": "该收据编号刚被使用(每张收据只能用一次)",
    "deposit(receipt_id)": "该收据已登记过定金",
    "deposit(form_key)": "该表单已提交过" + AGAIN,
    "discount_attachment(stored_name)": "附件保存冲突,请重新上传",
    "deal_share(deposit_id,user_id)": "同一置业顾问在一笔成交中只能有一份业绩分成",
    "launch_registration(form_key)": "该表单已提交过" + AGAIN,
    "launch_registration(launch_id,number)": "认筹号刚被他人占用,请重新提交",
    "launch_registration(launch_id,customer_id)": "该客户已认筹过本次开盘活动",
    "launch_registration(receipt_id)": "该收据已登记过诚意金",
    "subscription(form_key)": "该表单已提交过" + AGAIN,
    "subscription(project_id,number)": "认购书编号刚被他人占用,请重新提交",
    "change_request(form_key)": "该表单已提交过" + AGAIN,
    "contract(subscription_id)": "该认购书已签约" + AGAIN,
    "contract(project_id,number)": "合同编号已被使用",
    "contract(form_key)": "该表单已提交过" + AGAIN,
    "subscription_discount(subscription_id,seq)": "认购书的优惠明细冲突,请重新提交",
    "instalment(contract_id,seq)": "合同的付款期次冲突,请重新提交",
    "payout(change_id)": "该申请的退款已登记" + AGAIN,
    "payout(project_id,number)": "退款收据编号刚被他人占用,请重新提交",
    "transfer_fee(receipt_id)": "该收据已登记过过户费",
    "uq_transfer_fee_live": "该申请的过户费已登记" + AGAIN,
    "payment(form_key)": "该表单已提交过" + AGAIN,
    "payment(receipt_id)": "该收据已登记过回款",
}
SQLITE = re.compile(r"UNIQUE constraint failed: (?:index '(?P<index>[\w]+)'|(?P<cols>[\w., ]+))")
PG_KEY = re.compile(r"Key \((?P<cols>[\w, ]+)\)=")


def key_of(exc):
    """The registry key of the unique constraint an IntegrityError broke, or None."""
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        if getattr(orig, "sqlstate", None) != "23505":
            return None
        if diag.constraint_name in MESSAGES:
            return diag.constraint_name
        match = PG_KEY.search(diag.message_detail or "")
        cols = match and match["cols"].replace(" ", "")
        return f"{diag.table_name}({cols})" if cols else None
    match = SQLITE.search(str(orig))
    if match is None:
        return None
    if match["index"]:
        return match["index"]
    columns = [part.strip().split(".") for part in match["cols"].split(",")]
    return f"{columns[0][0]}({','.join(col for _, col in columns)})"


def refusal(exc):
    """The Chinese refusal for a broken unique constraint, or None (not a duplicate)."""
    key = key_of(exc)
    if key is None:
        return None
    return MESSAGES.get(key, "该记录已存在(可能刚被他人提交)" + AGAIN)
