"""Accounts: signing in, one's own account, and administration. The scope of each page is declared here."""

from django.urls import path

from closedstacks.access.scopes import PUBLIC, SIGN_IN_STEP, SIGNED_IN, scope
from closedstacks.accounts.views import admin, changes, link, own, signin

app_name = "accounts"

urlpatterns = [
    path("sign-in/", scope(PUBLIC, signin.sign_in), name="login"),
    path("sign-out/", scope(SIGN_IN_STEP, signin.sign_out), name="logout"),
    path("sign-in/verify/", scope(SIGN_IN_STEP, signin.verify), name="mfa-verify"),
    path("sign-in/second-factor/", scope(SIGN_IN_STEP, signin.enrol), name="mfa-enrol"),
    path("sign-in/new-password/", scope(SIGN_IN_STEP, signin.new_password), name="password-required"),
    path("account/", scope(SIGNED_IN, own.me), name="me"),
    path("account/password/", scope(SIGNED_IN, own.change_password), name="password"),
    path("account/recovery-codes/", scope(SIGNED_IN, own.new_recovery_codes), name="recovery-codes"),
    # The one-time link from an e-mail (?t=token: the access log leaves query strings out), swapped at once for
    # the session.
    path("account/link/", scope(PUBLIC, link.use_link), name="link"),
    # Changes that wait for a second person: an administrator, the director or the officer decides them.
    path("accounts/changes/", scope("account:approve", changes.change_list), name="changes"),
    path("accounts/changes/decide/", scope("account:approve", changes.change_decide), name="change-decide"),
    path("accounts/", scope("account:manage", admin.account_list), name="list"),
    path("accounts/new/", scope("account:manage", admin.account_new), name="new"),
    path("accounts/<int:pk>/", scope("account:manage", admin.account_detail), name="detail"),
    path("accounts/<int:pk>/<slug:action>/", scope("account:manage", admin.account_action), name="action"),
]
