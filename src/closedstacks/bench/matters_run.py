"""One engine's page benchmark, in its own process on a scratch database.

Usage: python -m closedstacks.bench.matters_run MATTERS AUDIT_ENTRIES
Prints one JSON line: each page's median time, and its ratio to a trivial
signed-in page (the account page) measured in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

REPEAT = 21


def main(argv: list[str]) -> None:
    matter_count, entry_count = int(argv[0]), int(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "closedstacks.conf.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from closedstacks.bench import matters_data
    from closedstacks.conf.planner import refresh_statistics
    from closedstacks.matters.models import Matter
    from closedstacks.web.kept import forget

    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    who = matters_data.people()
    began = time.perf_counter()
    matters_data.matters(matter_count, who)
    matters_data.audit_entries(entry_count)
    built_s = time.perf_counter() - began
    # As a library's server would have them after years of use: PostgreSQL's autovacuum analyzes what changed and
    # empties the trigram indexes' pending lists (which, just after a bulk load, every search reads through: a
    # case number's search took 16 ms instead of 0.8); on SQLite `closedstacks serve` and `migrate` gather the
    # statistics (conf/planner.py).
    if not refresh_statistics():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    def client_for(user):
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    director, counsel = client_for(who["director"]), client_for(who["counsel0"])
    sample = Matter.objects.filter(state="scope_approved", nondisclosure=False).order_by("-pk").first()
    case = sample.instruments.values_list("case_number", flat=True).first()
    # (client, address, what is POSTed: the search words, which never go into an address)
    pages = {
        "trivial (account page)": (director, "/account/", None),
        "queue: waiting (director)": (director, "/matters/queue/waiting/", None),
        "queue: open (director)": (director, "/matters/queue/open/", None),
        "queue: closed (director)": (director, "/matters/queue/closed/", None),
        "queue: waiting (counsel)": (counsel, "/matters/queue/waiting/", None),
        "search: a case number (director)": (director, "/matters/queue/open/", {"q": case.lower()}),
        "search: an agency (director)": (director, "/matters/queue/closed/", {"q": "agency 7"}),
        "filtered: counsel, overdue (director)": (director, "/matters/queue/open/?waiting_on=counsel&due=overdue",
                                                  None),
        "filtered: NSLs (director)": (director, "/matters/queue/open/?type=nsl", None),
        "sorted: next deadline (director)": (director, "/matters/queue/open/?order=deadline", None),
        "deadlines (director)": (director, "/matters/deadlines/", None),
        "matter page (director)": (director, f"/matters/{sample.reference}/", None),
        "matter page, first look after a change (director)": (director, f"/matters/{sample.reference}/", None),
        "home (director)": (director, "/", None),
        "home, first look after a change (director)": (director, "/", None),
        "home, first look after a change (counsel)": (counsel, "/", None),
    }
    # The home page and the matter page keep what they show until the trail records a change (web/kept.py): the
    # plain rows measure a look again with nothing changed, these the first look after a change (nothing kept).
    first_looks = {name for name in pages if "first look" in name}

    def ask(client, url, data):
        return client.post(url, data) if data is not None else client.get(url)

    def nothing_kept(name):
        if name in first_looks:
            forget()

    # Each page is measured alternating with the trivial page, so that a machine
    # that slows down or speeds up meanwhile affects both alike.
    trivial_client, trivial_url, _nothing = pages.pop("trivial (account page)")
    timings, trivial_runs, queries = {}, [], {}
    for name, (client, url, data) in pages.items():
        for _ in range(3):
            nothing_kept(name)
            assert ask(client, url, data).status_code == 200, (name, url)
            trivial_client.get(trivial_url)
        samples, baseline = [], []
        for _ in range(REPEAT):
            start = time.perf_counter()
            trivial_client.get(trivial_url)
            baseline.append(time.perf_counter() - start)
            nothing_kept(name)
            start = time.perf_counter()
            ask(client, url, data)
            samples.append(time.perf_counter() - start)
        timings[name] = (statistics.median(samples), statistics.median(baseline))
        trivial_runs += baseline
        nothing_kept(name)
        with CaptureQueriesContext(connection) as captured:
            ask(client, url, data)
        queries[name] = len(captured)
    with CaptureQueriesContext(connection) as captured:
        trivial_client.get(trivial_url)
    queries["trivial (account page)"] = len(captured)
    trivial = statistics.median(trivial_runs)
    ratios = {name: round(page / base, 2) for name, (page, base) in timings.items()}
    print(json.dumps({
        "engine": connection.vendor, "matters": matter_count, "audit_entries": entry_count,
        "built_s": round(built_s, 1), "trivial_ms": round(trivial * 1000, 2),
        "pages_ms": {name: round(page * 1000, 2) for name, (page, _base) in timings.items()},
        "queries": queries, "ratios": ratios, "page_vs_trivial_max": max(ratios.values()),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
