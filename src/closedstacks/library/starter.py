"""Starter content a library adapts: counsel's checklists per instrument type and a first policy.

Written for Closed Stacks from the ALA's guidance and the federal rules; the
library's counsel should review both. Loaded once by a data migration; after
that, the data in the database is what counts.
"""

COMMON = [
    ("Issued by a court or authority that has jurisdiction over the library.",
     "A subpoena from another state usually must be domesticated before it binds the library."),
    ("Shows the case caption and number, and the date it was issued.", ""),
    ("Signed by the clerk or by an attorney authorised in that court.",
     "A pre-printed signature on a blank, fill-in form is a known defect."),
    ("Served properly: the date and manner of service are recorded, with any witness fee tendered.", ""),
    ("Commands attendance or production at a stated time and place, returnable to the court or the prosecutor, "
     "not to the police.", "'Forthwith' demands on grand-jury forms are a known defect."),
    ("Leaves reasonable time to comply.",
     "Objections are due by the compliance date or within 14 days of service, whichever is earlier "
     "(FRCP 45(d)(2)(B)); too little time is a known defect."),
    ("Describes the records with particularity and gives a date range.",
     "An overbroad demand (a fishing expedition) is a known defect."),
    ("Is the kind of process the state's confidentiality statute accepts for these records.",
     "Several states require a court order, not a subpoena."),
    ("Shows good cause, or rests on a judicial finding.", ""),
    ("Says whether a nondisclosure order is attached, and until when.", ""),
]

CHECKLISTS = {
    "subpoena": COMMON,
    "subpoena_duces_tecum": COMMON,
    "administrative_subpoena": COMMON + [
        ("Names the statute that authorises the agency to issue it.",
         "An administrative subpoena is not self-executing: the agency must go to court to enforce it."),
    ],
    "other": COMMON,
    "court_order": [
        ("Issued and signed by a judge of a court with jurisdiction over the library.", ""),
        ("Shows the case caption and number, and the date.", ""),
        ("Rests on a finding of good cause, or states the legal basis for disclosure.", ""),
        ("Describes the records with particularity and gives a date range.", ""),
        ("Sets a reasonable time and manner to comply.", ""),
        ("Says whether a nondisclosure order is attached, and until when.", ""),
    ],
    "search_warrant": [
        ("Signed by a judge or magistrate.", ""),
        ("States probable cause.", ""),
        ("Describes the place to be searched and the items to be seized with particularity.", ""),
        ("Executed within the time it allows (14 days under FRCrP 41) and in daytime unless otherwise authorised.",
         ""),
        ("A copy of the warrant and a receipt for what was taken were left with the library.", ""),
        ("Only the records it names were taken, and no other user's records were viewed.", ""),
    ],
    "nsl": [
        ("Issued by an FBI official authorised to sign national security letters.", ""),
        ("Certifies that the records are relevant to an authorised investigation.", "18 U.S.C. 2709"),
        ("Asks only for what the statute allows (subscriber and transactional records, not content).", ""),
        ("States the nondisclosure requirement and the library's right to challenge it.", ""),
    ],
    "fisa_order": [
        ("Issued by a judge of the Foreign Intelligence Surveillance Court.", ""),
        ("Describes the tangible things sought with particularity.", ""),
        ("States the nondisclosure requirement, and whom the library may consult.", ""),
    ],
    "preservation_request": [
        ("Comes from a government entity and identifies the records and the period to preserve.", ""),
        ("States how long to preserve (commonly 90 days, renewable once).", ""),
        ("Asks only to preserve, not to disclose: disclosure needs its own process.", ""),
    ],
    "consent": [
        ("Signed and dated by the user whose records are asked for.", ""),
        ("Names the records and the person or body who may receive them.", ""),
        ("Has not expired or been withdrawn.", ""),
        ("The user's identity and signature were verified.", ""),
    ],
}

POLICY_TITLE = "Confidentiality of library records"

# The warning at the head of the starter text: for the editor only, never printed in a letter (letterhead.py).
STARTER_WARNING = """\
**This is a starting text. The responsible officer adapts it, and the library's counsel reviews it, before it is
used.**"""

POLICY_TEXT = STARTER_WARNING + """

## What we keep confidential

The library keeps confidential every record that identifies a library user together with what they read,
borrowed, searched for, asked about or used: circulation records, holds, fines, search histories, computer and
network sessions, room bookings and registration records.

## Who may see these records

Only library staff who need them for the library's own operations. We do not disclose them to anyone else —
including law enforcement, employers, family members or other agencies — unless the law requires it through a
valid process, order or subpoena, or the user has consented in writing, or our state's law provides otherwise.

## How we respond to a request

1. Any staff member who receives a request for these records refers the person at once to the library's
   responsible officer, who explains this policy.
2. If a subpoena, court order or other legal process is presented, the director consults the library's legal
   counsel on whether it is in proper form and shows good cause.
3. If it is not in proper form, or good cause has not been shown, the library insists that the defects be cured
   before any record is released.
4. When a valid process requires records, the library produces only the records it designates, and no others.

## What we keep, and for how long

We keep as little as we can for as short a time as we can. A loan is unlinked from the user once the item is
returned and any fine is settled, unless the user asked us to keep their reading history.
"""
