"""Steps shared by the browser journeys."""

from __future__ import annotations

from datetime import date

from tinnhiem.conferences.usecases import campaigns, rated


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-123456")
    page.click("main button[type=submit]")
    page.get_by_role("link", name="Đăng xuất").or_(page.get_by_role("button", name="Đăng xuất")).wait_for()


def commune_conference(office, *, title: str, place: str, legal_basis: str):
    """A commune People's Committee conference under QĐ 96, today, rating its two Vice-Chairmen."""
    body = campaigns.create_body(office, name="UBND xã Hải Xuân", level="commune")
    campaign = campaigns.create_campaign(
        office,
        body=body,
        name="Đợt 2026",
        legal_basis=legal_basis,
        term="2021–2026",
        rule_set="qd96-2023",
        rating_year=date.today().year,
    )
    conference = campaigns.create_conference(
        office, campaign=campaign, title=title, date=date.today(), place=place, convening_body="UBND xã"
    )
    rated.add_rated_person(office, conference, full_name="Trần Minh Đức", post="Phó Chủ tịch UBND xã")
    rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch UBND xã")
    return conference
