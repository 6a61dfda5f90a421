"""Pages: security headers, navigation by role, the home page, the demo banner."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_security_headers_on_every_page():
    response = Client().get("/sign-in/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_no_inline_script_or_style_in_pages(client_for):
    for role, url in [("admin", "/accounts/"), ("auditor", "/audit/"), ("staff", "/"), ("staff", "/account/")]:
        html = client_for(role).get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html, url
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], url


def test_cookies_are_secure_httponly_and_samesite_over_https(settings, accounts):
    assert settings.HTTPS and settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    client = Client()
    response = client.post("/sign-in/", {"username": "staff", "password": "correct horse battery staple"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_navigation_shows_each_role_only_what_it_may_open(client_for):
    admin = client_for("admin").get("/").content.decode()
    auditor = client_for("auditor").get("/").content.decode()
    staff = client_for("staff").get("/").content.decode()
    assert 'href="/accounts/"' in admin and 'href="/audit/"' not in admin
    assert 'href="/audit/"' in auditor and 'href="/accounts/"' not in auditor
    assert 'href="/audit/"' not in staff and 'href="/accounts/"' not in staff


def test_the_home_page_shows_what_waits(client_for, accounts):
    from closedstacks.accounts import services

    for _ in range(5):
        Client().post("/sign-in/", {"username": "officer", "password": "wrong"})
    admin_home = client_for("admin").get("/").content.decode()
    assert "1 locked account waits for you" in admin_home and "officer" in admin_home
    assert "privileged accounts have not set up a second factor" in admin_home
    auditor_home = client_for("auditor").get("/").content.decode()
    assert "Not yet verified" in auditor_home
    services.unlock_account(accounts["officer"], by="cli:root")
    assert "No locked accounts" in client_for("admin").get("/").content.decode()


def test_the_demo_banner_shows_only_in_demo_mode(settings, client_for):
    assert "DEMO" not in client_for("staff").get("/").content.decode()
    settings.DEMO = True
    assert "DEMO" in client_for("staff").get("/").content.decode()
    assert "DEMO" in Client().get("/sign-in/").content.decode()


def test_demo_accounts_skip_the_second_factor_only_in_demo_mode(settings):
    from closedstacks.demo.accounts import ensure_demo_accounts

    ensure_demo_accounts(by="cli:demo")
    client = Client()
    client.post("/sign-in/", {"username": "director", "password": "demo-director-pass"})
    assert client.get("/").url == "/sign-in/second-factor/"
    settings.DEMO = True
    assert client.get("/").status_code == 200
    login_page = Client().get("/sign-in/").content.decode()
    assert "demo-auditor-pass" in login_page


def test_health_check_is_public():
    response = Client().get("/health/")
    assert response.status_code == 200 and response.content == b"ok"


def test_not_found_page_names_nothing(client_for):
    response = client_for("staff").get("/accounts/999999/x/")
    assert response.status_code in (403, 404)
    response = client_for("admin").get("/accounts/999999/")
    assert response.status_code == 404 and b"nothing you may open" in response.content
