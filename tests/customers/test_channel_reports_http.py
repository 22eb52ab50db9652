"""Channel reports through the pages: who may file which report (seed 001), the refusal with
its reason for the office, and a confirmation refused when the report does not match."""
from sqlalchemy import select

from app.extensions import db
from app.models import ChannelReport, Customer, Project, User
from app.services.customers import channels
from tests.fixtures.customers import add_customer, at, browser_for, office


def _channels(app):
    with app.app_context():
        project = db.session.scalar(select(Project))
        manager = db.session.scalar(select(User).where(User.username == "liuqiang"))
        link = channels.save_company(project, "链家地产", "agency", by=manager)
        dist = channels.save_company(project, "房多多分销", "distributor", by=manager)
        broker = channels.save_company(project, "全民经纪人", "broker", by=manager)
        ids = {"agency": channels.add_agent(link, "刘洋", by=manager).id,
               "distributor": channels.add_agent(dist, "马超", by=manager).id,
               "broker": channels.add_agent(broker, "郑文博", id_number="110101198805061234",
                                            by=manager).id}
        db.session.commit()
        return ids


def _post(browser, agent_id, name="张三", gender="男", mask="1380**38000"):
    browser.get("/channels/")
    return browser.post("/channels/reports", {"agent_id": str(agent_id), "customer_name": name,
                                              "gender": gender, "phone_mask": mask})


def test_consultants_file_reports_only_for_brokers(app):
    """Seed 001: 全民经纪人(置业顾问代录); agencies and distributors go through the secretary."""
    office(app)
    agents = _channels(app)
    consultant = browser_for(app, "wangfang")
    page = consultant.get("/channels/").text
    assert "郑文博" in page and "刘洋" not in page and "马超" not in page
    for kind in ("agency", "distributor"):
        refused = _post(consultant, agents[kind])
        assert refused.status_code == 422
        assert "置业顾问只能代录全民经纪人的报备" in refused.text
    assert _post(consultant, agents["broker"]).status_code == 302
    secretary = browser_for(app, "zhaomin")
    assert _post(secretary, agents["agency"], "李四", "女", "1390**39000").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ChannelReport)) == 2


def test_a_refused_report_shows_its_reason_to_the_office_only(app):
    ids = office(app)
    agents = _channels(app)
    add_customer(app, ids["b"], "李四", "13900139000", when=at(2026, 3, 1))
    secretary = browser_for(app, "zhaomin")
    done = _post(secretary, agents["agency"], "李四", "女", "1390**39000")
    page = secretary.get(done.headers["Location"]).text
    assert "报备失败:该客户已在案场登记或处于保护期" in page
    assert "客户已于 2026-03-01 录入营销系统(置业顾问 李军,建档有效期至 2026-05-01 已过)" in page
    broker_page = browser_for(app, "wangfang").get("/channels/").text
    assert "录入营销系统" not in broker_page  # consultants see the public refusal only


def test_a_confirmation_that_does_not_match_the_report_is_refused(app):
    ids = office(app)
    agents = _channels(app)
    secretary = browser_for(app, "zhaomin")
    assert _post(secretary, agents["agency"]).status_code == 302
    customer_id = add_customer(app, ids["a"], "张叁", "13800138000")
    with app.app_context():
        db.session.get(Customer, customer_id).gender = "男"
        report_id = db.session.scalar(select(ChannelReport.id))
        db.session.commit()
    secretary.get("/channels/")
    refused = secretary.post(f"/channels/reports/{report_id}/confirm",
                             {"customer_id": str(customer_id)}, follow_redirects=True)
    assert "报备信息与来访确认信息不一致,视为无效" in refused.text
    assert "姓名 报备“张三”/ 来访“张叁”" in refused.text
    with app.app_context():
        assert db.session.get(ChannelReport, report_id).status == "reported"
