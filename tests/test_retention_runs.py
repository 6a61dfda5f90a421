"""Retention runs on a Koha-shaped library (SQLite, and a real MariaDB): exactly what the policy says is unlinked,
nothing a legal hold covers, nothing a user chose to keep; a dry run changes nothing; a stopped or interrupted run
resumes to the same end; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from closedstacks.audit.models import AuditEntry
from closedstacks.ils import generators
from closedstacks.ils.connectors.db import ConnectionSettings, connect
from closedstacks.ils.models import Connection
from closedstacks.matters.procedure import perform
from closedstacks.retention import koha as koha_engine
from closedstacks.retention import runs
from closedstacks.retention.models import RetentionRun
from tests.ils import ils_url  # noqa: F401 (a fixture)
from tests.procedure import instrument_data, matter_at, set_officer

HOLD_FROM, HOLD_TO = dt.date(2021, 1, 1), dt.date(2023, 12, 31)
# Renewals a patron made of their own loans, still naming them.
OWN_RENEWALS = ("SELECT COUNT(*) FROM checkout_renewals r JOIN old_issues o ON o.issue_id = r.checkout_id "
                "WHERE r.renewer_id = o.borrowernumber AND r.renewer_id <> %s")


def build(url: str, name: str = "koha") -> dict:
    where = ConnectionSettings.from_url(url)
    generators.get("koha")(where, users=120, loans=4000, seed=21)
    connection = Connection(name=name, connector="koha", driver=where.driver, host=where.host or "127.0.0.1",
                            port=where.port, database=where.database, read_user=where.user or "",
                            write_user=where.user or "")
    connection.set_password("read", where.password or "")
    connection.set_password("write", where.password or "")
    connection.save()
    return {"where": where, "connection": connection}


def statistics(where) -> dict[tuple, int]:
    """Statistics rows counted by (user, older than 30 days): Koha gives the table no key to compare rows by."""
    cutoff = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    with connect(where) as db:
        return {(user, bool(int(old))): int(n) for user, old, n in db.rows(
            "SELECT borrowernumber, CASE WHEN datetime < %s THEN 1 ELSE 0 END, COUNT(*) FROM statistics "
            "GROUP BY borrowernumber, CASE WHEN datetime < %s THEN 1 ELSE 0 END", (cutoff, cutoff))}


def fines(where) -> tuple[dict[int, int | None], set[int]]:
    """Every fine's user, and the fines the policy unlinks: paid over 30 days ago, of users who did not opt in."""
    cutoff = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    with connect(where) as db:
        anonymous = int(db.one("SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron'")[0])
        users = {int(pk): user for pk, user in db.rows("SELECT accountlines_id, borrowernumber FROM accountlines")}
        due = {int(r[0]) for r in db.rows(
            "SELECT a.accountlines_id FROM accountlines a JOIN borrowers p ON p.borrowernumber = a.borrowernumber "
            "WHERE a.borrowernumber <> %s AND a.timestamp < %s AND (a.amountoutstanding = 0 OR a.amountoutstanding "
            "IS NULL) AND p.privacy <> 0", (anonymous, cutoff))}
    return users, due


def loans(where) -> dict[int, int | None]:
    with connect(where) as db:
        return {int(r[0]): r[1] for r in db.rows("SELECT issue_id, borrowernumber FROM old_issues")}


def held_card(where) -> tuple[str, int]:
    with connect(where) as db:
        anonymous = int(db.one("SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron'")[0])
        card, user = db.one("SELECT p.cardnumber, p.borrowernumber FROM old_issues x JOIN borrowers p ON "
                            "p.borrowernumber = x.borrowernumber WHERE p.privacy = 1 AND p.borrowernumber <> %s "
                            "GROUP BY p.cardnumber, p.borrowernumber ORDER BY COUNT(*) DESC LIMIT 1", (anonymous,))
    return card, int(user)


def outside_the_hold(where, held_user: int, sql: str) -> set[int]:
    """The keys ``sql`` selects (key, user, date; its parameters: the AnonymousPatron and the 30-day cutoff), less
    the held user's rows within the hold's dates."""
    cutoff = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    with connect(where) as db:
        anonymous = int(db.one("SELECT value FROM systempreferences WHERE variable = 'AnonymousPatron'")[0])
        return {int(pk) for pk, user, day in db.rows(sql, (anonymous, cutoff))
                if not (int(user) == held_user and HOLD_FROM.isoformat() <= str(day)[:10] <= HOLD_TO.isoformat())}


def expected_unlinked(where, held_user: int) -> set[int]:
    """The test's own answer: returned more than 30 days ago, linked, not opted in, not under the hold."""
    return outside_the_hold(where, held_user, "SELECT x.issue_id, x.borrowernumber, x.issuedate FROM old_issues x "
                            "JOIN borrowers p ON p.borrowernumber = x.borrowernumber WHERE x.borrowernumber <> %s "
                            "AND x.returndate < %s AND p.privacy <> 0")


def logs(where) -> set[int]:
    with connect(where) as db:
        return {int(r[0]) for r in db.rows("SELECT action_id FROM action_logs")}


def expected_logs_deleted(where, held_user: int) -> set[int]:
    """Koha's circulation and patron log entries naming a patron, older than the loans' 30 days, not opted in, not
    under the hold (the hold covers the loans' dates): deleted, as Koha's cleanup_database.pl --logs does."""
    return outside_the_hold(where, held_user, "SELECT l.action_id, l.object, l.timestamp FROM action_logs l LEFT "
                            "JOIN borrowers p ON p.borrowernumber = l.object WHERE l.module IN ('CIRCULATION', "
                            "'MEMBERS') AND l.object <> %s AND l.timestamp < %s AND (p.privacy IS NULL OR "
                            "p.privacy <> 0)")


def hold_on(accounts, card: str):
    set_officer(accounts["officer"])
    matter = matter_at("explained", accounts)
    return perform(matter, "attach_instrument", by=accounts["director"], **instrument_data(
        type="preservation_request", designated=[("card", card)], record_kinds=["past_loans"],
        date_from=HOLD_FROM, date_to=HOLD_TO))


@pytest.mark.parametrize("driver", ["sqlite", "mysql"])
def test_a_run_unlinks_exactly_what_the_policy_says_and_nothing_held(driver, accounts, ils_url):  # noqa: F811
    library = build(ils_url(driver))
    where = library["where"]
    card, held_user = held_card(where)
    hold_on(accounts, card)
    before = loans(where)
    want = expected_unlinked(where, held_user)
    assert want
    with connect(where) as db:
        last_before = db.one("SELECT COUNT(*) FROM items_last_borrower")[0]
        own_renewals_before = db.one(OWN_RENEWALS, (koha_engine.anonymous_patron(db),))[0]
    stats_before = statistics(where)
    fines_before, fines_due = fines(where)
    logs_before, logs_due = logs(where), expected_logs_deleted(where, held_user)

    dry = runs.execute(runs.start(library["connection"], by=accounts["officer"], dry_run=True), batch_size=250)
    assert dry.status == "done" and dry.progress["past_loans"]["unlinked"] == len(want)
    with connect(where) as db:  # the held user did not opt in: every opted-in user's old loan is kept by choice
        opted = db.one("SELECT COUNT(*) FROM old_issues x JOIN borrowers p ON p.borrowernumber = x.borrowernumber "
                       "WHERE p.privacy = 0 AND x.returndate < %s AND x.borrowernumber <> %s",
                       ((timezone.localdate() - dt.timedelta(days=30)).isoformat(),
                        koha_engine.anonymous_patron(db)))[0]
    assert dry.progress["past_loans"]["kept_opt_in"] == opted > 0
    assert loans(where) == before  # a dry run changes nothing

    done = runs.execute(runs.start(library["connection"], by=accounts["officer"]), batch_size=250)
    assert done.status == "done", done.problem
    after = loans(where)
    changed = {pk for pk in before if before[pk] != after[pk]}
    assert changed == want and done.progress["past_loans"]["unlinked"] == len(want)
    with connect(where) as db:
        anonymous = koha_engine.anonymous_patron(db)
    assert all(after[pk] == anonymous for pk in changed)  # Koha's own convention: the AnonymousPatron
    # Held rows untouched; kept counts reported as counts only.
    held_rows = [pk for pk, user in before.items() if user == held_user]
    assert any(after[pk] == held_user for pk in held_rows)
    assert done.progress["past_loans"]["kept_for_holds"] == dry.progress["past_loans"]["kept_for_holds"] > 0
    assert done.progress["past_loans"]["kept_opt_in"] is None  # a real run leaves that count to the dry run
    assert done.progress["past_loans"]["longest_batch_s"] < 5
    entry = AuditEntry.objects.filter(action="retention.run_finished").last()
    assert card not in entry.details and str(held_user) not in entry.details.replace('"', " ").split()

    # The links Koha's own anonymization leaves behind: the patron's renewals, the item's last borrower,
    # and search history (deleted after a day, as Koha's cleanup does).
    cutoff = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    with connect(where) as db:
        unlinked_pairs = {(pk, before[pk]) for pk in changed}
        renewals = list(db.rows("SELECT checkout_id, renewer_id FROM checkout_renewals"))
        assert not any((int(c), r) in unlinked_pairs for c, r in renewals if r is not None)
        items = {int(pk): item for pk, item in db.rows("SELECT issue_id, itemnumber FROM old_issues")}
        last = {(item, user) for item, user, day in db.rows(
            "SELECT itemnumber, borrowernumber, created_on FROM items_last_borrower") if str(day)[:10] < cutoff}
        assert not any((items[pk], user) in last for pk, user in unlinked_pairs)
        old_searches = db.one("SELECT COUNT(*) FROM search_history WHERE time < %s",
                              ((timezone.localdate() - dt.timedelta(days=1)).isoformat(),))[0]
        last_after = db.one("SELECT COUNT(*) FROM items_last_borrower")[0]
        own_renewals_after = db.one(OWN_RENEWALS, (anonymous,))[0]
    assert old_searches == 0 and done.progress["search_history"]["unlinked"] > 0
    assert last_after < last_before and own_renewals_after < own_renewals_before
    # Statistics: older than 30 days, to the AnonymousPatron; a user under a hold keeps all of theirs.
    want_stats: dict[tuple, int] = {}
    for (user, old), n in stats_before.items():
        key = (anonymous, old) if old and user not in (None, anonymous, held_user) else (user, old)
        want_stats[key] = want_stats.get(key, 0) + n
    assert statistics(where) == want_stats and done.progress["statistics"]["unlinked"] > 0
    assert done.progress["statistics"]["kept_for_holds"] == stats_before.get((held_user, True), 0) > 0
    # Fines: paid more than 30 days ago, to the AnonymousPatron (the amounts stay); owed ones kept.
    fines_after, _left = fines(where)
    assert {pk for pk in fines_before if fines_before[pk] != fines_after[pk]} == fines_due
    assert fines_due and all(fines_after[pk] == anonymous for pk in fines_due)
    # Koha's log: exactly its entries naming a patron past the period, the held user's within the hold kept.
    assert logs_due and logs_before - logs(where) == logs_due
    assert done.progress["action_logs"]["unlinked"] == len(logs_due)

    again = runs.execute(runs.start(library["connection"], by=accounts["officer"]), batch_size=250)
    assert again.progress["past_loans"]["unlinked"] == 0 and loans(where) == after  # nothing more to do
    assert again.totals()["unlinked"] == 0


def test_a_stopped_run_resumes_to_the_same_end_as_an_uninterrupted_one(accounts, tmp_path):
    straight, stopped = (build(f"sqlite:///{tmp_path / name}.sqlite3", name) for name in ("straight", "stopped"))
    card, _ = held_card(straight["where"])
    hold_on(accounts, card)
    runs.execute(runs.start(straight["connection"], by=accounts["officer"]), batch_size=100)

    run = runs.start(stopped["connection"], by=accounts["officer"])
    calls = []
    for stop_after in (3, 7, 2):  # stopped three times, at different points
        calls.clear()
        run = runs.execute(run, batch_size=100, should_stop=lambda n=stop_after: calls.append(1) or len(calls) > n)
        assert run.status == "stopped"
        with pytest.raises(Exception, match="unfinished"):
            runs.start(stopped["connection"], by=accounts["officer"])
    run = runs.execute(run, batch_size=100)
    assert run.status == "done"
    assert loans(stopped["where"]) == loans(straight["where"])
    first = RetentionRun.objects.get(connection=straight["connection"])
    assert run.progress["past_loans"]["unlinked"] == first.progress["past_loans"]["unlinked"]
    assert AuditEntry.objects.filter(action="retention.run_stopped").count() == 3


def test_a_batch_interrupted_after_its_commit_is_counted_once(accounts, tmp_path, monkeypatch):
    """Killed between the library system's commit and the run's own record: resumed, nothing is lost or doubled."""
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    run = runs.start(library["connection"], by=accounts["officer"])
    real_apply, real_walk, crashed, step = runs._apply, runs._walk, [], []

    def walk(run, walk, *args):  # which step a batch belongs to
        step[:] = [walk.step]
        return real_walk(run, walk, *args)

    def crash_once(state, batch, *, unlinked):
        if unlinked and not crashed and step == ["past_loans"]:
            crashed.append(batch.to)
            raise KeyboardInterrupt  # as if the process died right after the commit
        return real_apply(state, batch, unlinked=unlinked)

    monkeypatch.setattr(runs, "_apply", crash_once)
    monkeypatch.setattr(runs, "_walk", walk)
    with pytest.raises(KeyboardInterrupt):
        runs.execute(run, batch_size=200)
    run.refresh_from_db()
    assert run.progress["past_loans"]["pending"]["to"] == crashed[0]
    monkeypatch.setattr(runs, "_apply", real_apply)
    before_resume = loans(library["where"])
    done = runs.execute(run, batch_size=200)
    reference = build(f"sqlite:///{tmp_path / 'r'}.sqlite3", "reference")
    untouched = loans(reference["where"])
    straight = runs.execute(runs.start(reference["connection"], by=accounts["officer"]), batch_size=200)
    assert loans(library["where"]) == loans(reference["where"]) != untouched
    assert done.progress["past_loans"]["unlinked"] == straight.progress["past_loans"]["unlinked"]
    assert before_resume != untouched  # the crashed batch had committed in the library system


def test_without_an_anonymous_patron_the_run_fails_clearly(accounts, tmp_path):
    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    import sqlite3

    with sqlite3.connect(library["where"].database) as db:
        db.execute("UPDATE systempreferences SET value = '' WHERE variable = 'AnonymousPatron'")
    before = loans(library["where"])
    run = runs.execute(runs.start(library["connection"], by=accounts["officer"]))
    assert run.status == "failed" and "AnonymousPatron" in run.problem
    assert loans(library["where"]) == before


def test_the_officer_starts_a_dry_run_from_the_page_and_the_job_does_it(accounts, tmp_path, client_for):
    from tests.conftest import run_jobs, text

    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    before = loans(library["where"])
    officer = client_for("officer")
    url = f"/retention/connections/{library['connection'].pk}/run/"
    assert officer.post(url, {"dry_run": "yes"}).status_code == 302
    assert client_for("director").post(url, {"dry_run": "yes"}).status_code == 403
    assert run_jobs() >= 1
    run = RetentionRun.objects.get()
    assert run.dry_run and run.status == "done" and run.totals()["unlinked"] > 0
    assert loans(library["where"]) == before
    page = text(client_for("auditor").get("/retention/"))
    assert "Recent runs" in page and "dry run" in page and str(run.totals()["unlinked"]) in page


def test_a_real_run_from_the_page_is_confirmed_against_a_dry_run_of_the_same_policies(accounts, tmp_path,
                                                                                         client_for):
    from closedstacks.retention import confirming
    from closedstacks.retention.models import RetentionPolicy
    from tests.conftest import run_jobs, text

    library = build(f"sqlite:///{tmp_path / 'k'}.sqlite3")
    before = loans(library["where"])
    officer = client_for("officer")
    url = f"/retention/connections/{library['connection'].pk}/run/"
    first = officer.post(url, {"dry_run": "no"}, follow=True)
    assert "Run a dry run of" in text(first) and not RetentionRun.objects.exists()
    assert officer.post(url, {"dry_run": "yes"}).status_code == 302 and run_jobs() >= 1
    dry = RetentionRun.objects.get()
    shown = officer.post(url, {"dry_run": "no"})
    page = text(shown)
    assert shown.status_code == 200 and library["connection"].name in page and "cannot be re-linked" in page
    kinds = confirming.confirmation(library["connection"], by=accounts["officer"]).kinds
    assert f"Dry run {dry.pk} of the same policies" in page and kinds and sum(k.unlinked for k in kinds) == \
        dry.totals()["unlinked"]
    assert all(f'<td>{k.label}</td><td class="num">{k.examined}</td><td class="num">{k.unlinked}</td>' in page
               for k in kinds)
    assert RetentionRun.objects.count() == 1 and loans(library["where"]) == before  # shown, nothing started
    stale = officer.post(url, {"dry_run": "no", "confirm": "yes", "dry_run_pk": dry.pk + 99}, follow=True)
    assert "no longer the latest" in text(stale) and RetentionRun.objects.count() == 1
    assert officer.post(url, {"dry_run": "no", "confirm": "yes", "dry_run_pk": dry.pk}).status_code == 302
    real = RetentionRun.objects.get(dry_run=False)
    assert real.policies.keys() == dry.policies.keys()
    policy = RetentionPolicy.objects.filter(connection=library["connection"], enabled=True).first()
    policy.keep_days += 1
    policy.version += 1
    policy.save()
    changed = officer.post(url, {"dry_run": "no"}, follow=True)
    assert "Run a dry run of" in text(changed)
