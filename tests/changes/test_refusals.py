"""What the rules refuse, through HTTP: each refusal is shown and changes nothing."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import ChangeRequest, Unit
from tests.changes.conftest import ask, last_change, sell


def count():
    return db.session.scalar(select(func.count()).select_from(ChangeRequest))


def test_exchange_to_a_sold_unit_is_refused(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 101", 1001)
        sold, _ = sell(office, "1栋 104", 1010, customer="li", consultant="lijun")
    refused = ask(browser_for("wangfang"), unit_id, "exchange", target_unit_id=sold)
    assert refused.status_code == 422 and "已认购" in refused.text and "不能换入" in refused.text
    with app.app_context():
        assert count() == 0


def test_exchange_to_a_unit_another_consultant_holds_is_refused(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 101", 1001)
    target = office["units"]["1栋 104"]
    assert browser_for("lijun").post(f"/board/units/{target}/hold", {},
                                     htmx=True).status_code == 200
    refused = ask(browser_for("wangfang"), unit_id, "exchange", target_unit_id=target)
    assert refused.status_code == 422 and "李军" in refused.text
    # held by the deal's own consultant: allowed
    mine = office["units"]["1栋 204"]
    consultant = browser_for("wangfang")
    assert consultant.post(f"/board/units/{mine}/hold", {}, htmx=True).status_code == 200
    assert ask(consultant, unit_id, "exchange", target_unit_id=mine).status_code == 302


def test_consultant_may_not_execute_nor_approve(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)
    consultant = browser_for("wangfang")
    assert ask(consultant, unit_id, "refund").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert consultant.post(f"/changes/{change_id}/approve", {}).status_code == 403
    assert browser_for("liuqiang").post(f"/changes/{change_id}/approve",
                                        {"penalty": "0"}).status_code == 302
    assert consultant.post(f"/changes/{change_id}/execute", {}).status_code == 403
    assert browser_for("liuqiang").post(f"/changes/{change_id}/execute", {}).status_code == 403
    with app.app_context():
        assert last_change().status == "approved"
        assert db.session.get(Unit, unit_id).status == "subscribed"


def test_manager_may_not_approve_their_own_request(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)
    manager = browser_for("liuqiang")
    assert ask(manager, unit_id, "refund").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert manager.post(f"/changes/{change_id}/approve", {}).status_code == 403
    assert "须由其他经理审批" in manager.get(f"/changes/{change_id}").text


def test_consultant_asks_only_for_their_own_customers_deals(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)  # 张三, owned by 王芳
    other = browser_for("lijun")
    refused = ask(other, unit_id, "refund")
    assert refused.status_code in (403, 422)
    with app.app_context():
        assert count() == 0


def test_refund_after_contract_without_override_is_refused_at_execution(app, office,
                                                                       browser_for):
    """Approved before the contract, contract signed after: execution refuses the refund."""
    from datetime import timedelta

    from app.models import Subscription
    from app.services import clock
    from app.services.deals import contracts
    from app.services.deals.common import new_form_key
    from tests.changes.conftest import users
    with app.app_context():
        unit_id, sub_id = sell(office, "1栋 103", 1001)
    assert ask(browser_for("wangfang"), unit_id, "refund").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert browser_for("liuqiang").post(f"/changes/{change_id}/approve",
                                        {"penalty": "0"}).status_code == 302
    with app.app_context():
        contracts.sign(db.session.get(Subscription, sub_id), {
            "form_key": new_form_key(), "number": "HT-9", "sign_date": clock.today(),
            "first_due": clock.today() + timedelta(days=3)}, users("zhaomin")[0])
        db.session.commit()
    refused = browser_for("zhaomin").post(f"/changes/{change_id}/execute", {})
    assert refused.status_code == 422 and "没有经理特批" in refused.text
    with app.app_context():
        assert db.session.get(Unit, unit_id).status == "contracted"
        assert last_change().status == "approved"


def test_one_open_request_per_deal_and_withdrawal(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 102", 1001)
    consultant = browser_for("wangfang")
    assert ask(consultant, unit_id, "refund").status_code == 302
    again = ask(consultant, unit_id, "rename", rename_action="remove", rename_name="无")
    assert again.status_code == 422 and "未完成" in again.text
    with app.app_context():
        change_id = last_change().id
    assert consultant.post(f"/changes/{change_id}/cancel", {}).status_code == 422
    assert consultant.post(f"/changes/{change_id}/cancel",
                           {"reason": "客户改主意"}).status_code == 302
    with app.app_context():
        assert last_change().status == "cancelled"
    assert ask(consultant, unit_id, "refund").status_code == 302


def test_no_change_on_a_unit_without_a_deal(app, office, browser_for):
    refused = ask(browser_for("zhaomin"), office["units"]["1栋 101"], "refund")
    assert refused.status_code == 422
    with app.app_context():
        assert count() == 0


def test_approving_an_exchange_whose_target_was_taken_is_refused(app, office, browser_for):
    with app.app_context():
        unit_id, _ = sell(office, "1栋 101", 1001)
    target = office["units"]["1栋 104"]
    assert ask(browser_for("wangfang"), unit_id, "exchange",
               target_unit_id=target).status_code == 302
    assert browser_for("lijun").post(f"/board/units/{target}/hold", {},
                                     htmx=True).status_code == 200
    with app.app_context():
        change_id = last_change().id
    refused = browser_for("liuqiang").post(f"/changes/{change_id}/approve", {})
    assert refused.status_code == 422 and "已被 李军 保留" in refused.text
    with app.app_context():
        assert last_change().status == "pending"


def test_no_second_contract_for_a_subscription_an_exchange_carried_one_to(app, office,
                                                                          browser_for):
    """A 换房 after 签约 moves the contract to the new 认购书: that 认购书 offers no 签约, and
    a 签约 form opened before the exchange (on the old one) or posted to the new one is
    refused in Chinese, never a second contract nor a 500."""
    from app.models import Contract
    from tests.changes.test_paths import approve, execute
    from tests.deals.test_stale_tabs import contract_post
    with app.app_context():
        unit_id, old_sub = sell(office, "1栋 201", 1001, contract=True)
        _, unsigned = sell(office, "1栋 101", 1010)
    secretary = browser_for("zhaomin")
    # a 签约 form as a browser has it (its one-time key), posted where no form is offered
    stale_tab = secretary.get(f"/deals/subscriptions/{unsigned}/contract").text
    assert ask(secretary, unit_id, "exchange", target_unit_id=office["units"]["1栋 204"],
               reason="floor").status_code == 302
    with app.app_context():
        change_id = last_change().id
    assert approve(browser_for("liuqiang"), change_id).status_code == 302
    assert execute(secretary, change_id).status_code == 302
    with app.app_context():
        fresh = last_change().new_subscription_id
        number = db.session.scalar(select(Contract.number))
    detail = secretary.get(f"/deals/subscriptions/{fresh}").text
    assert f"/deals/subscriptions/{fresh}/contract\"" not in detail
    form = secretary.get(f"/deals/subscriptions/{fresh}/contract").text
    assert "确认签约" not in form and f"该认购书已签约(合同 {number})" in form
    again = contract_post(secretary, fresh, stale_tab, "HT-9999")
    assert again.status_code == 422 and f"该认购书已签约(合同 {number})" in again.text
    old = contract_post(secretary, old_sub, stale_tab, "HT-9998")
    assert old.status_code == 422 and "该认购书已作废" in old.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contract)) == 1
