"""Starter training a library adapts: four modules, each with its questions and attestation.

Written for Closed Stacks from the ALA's *Policy on Confidentiality of Library
Records* and its *Suggested Procedures*, for a public library in the United
States. The responsible officer adapts them to the library's own policy and
state law, and the library's counsel should review the module on law
enforcement. Loaded once by a data migration; after that, the data in the
database is what counts, and every change is a new version.

Each question is ``(text, [(choice, correct), ...])`` with exactly one correct choice.
"""

EVERYONE = ["staff", "officer", "director", "counsel", "custodian", "auditor", "admin"]
# Everyone who meets the public or acts on a matter: the desk and the privileged roles.
DESK_AND_PRIVILEGED = ["staff", "officer", "director", "counsel", "custodian"]

PASS_MARK = 80

ADAPT = ("*This is a starting text. The responsible officer adapts it to the library's policy and state law "
         "before staff take it.*\n\n")

POLICY_BODY = ADAPT + """\
## Why library records are confidential

People come to the library to read, look things up and ask questions about anything — their health, their
debts, their faith, their immigration status, a crime they read about. They can do that freely only if what
they read and ask stays between them and the library. The ALA's *Code of Ethics* puts it plainly: we protect
each library user's right to privacy and confidentiality with respect to information sought or received and
resources consulted, borrowed, acquired or transmitted.

Almost every state protects library records by law (for example New York CPLR 4509 or Illinois 75 ILCS
70/1). Our policy says what that means here; the library's counsel decides what the law requires in a given case.

## What is confidential

Any record that identifies a library user together with what they used or asked:

- circulation records: current and past loans, holds, renewals, fines and fees;
- search histories, catalogue and database use, computer and wireless sessions;
- reference questions, interlibrary loan requests, room and equipment bookings;
- registration records: name, address, card number, date of birth.

Even *whether* a person is a library user, or was in the library on a given day, is confidential.

## Who may see these records

Only staff who need them to do the library's own work, and only as much as that work needs. No one else —
not the police, an employer, a spouse, a parent of an adult, another agency or a journalist — unless the law
requires it through a valid process, order or subpoena, or the user consented in writing, or our state's law
provides otherwise (some states let the custodial parent of a young child see the child's records).

## What you do

- Never tell anyone outside the library's work what a user borrowed, asked or used — not even a colleague who
  does not need to know, and not after you leave the library.
- When anyone asks for such information, do not answer it yourself: log the inquiry in Closed Stacks and refer
  the person at once to the responsible officer.
- Keep as little as you can: do not write down users' names with what they asked, and do not keep lists.
- Look up a user's record only for the work in front of you.
"""

POLICY_QUESTIONS = [
    ("Which of these is a confidential library record?", [
        ("The list of titles a user borrowed last year", True),
        ("The library's opening hours", False),
        ("The number of books the library lent last month", False),
        ("The name of the branch manager", False),
    ]),
    ("A man says he is a patron's husband and asks whether she has overdue books. What do you do?", [
        ("Tell him, since they are married", False),
        ("Tell him only the number of overdue items, not the titles", False),
        ("Say you cannot discuss anyone's records, log the inquiry and refer him to the responsible officer", True),
        ("Ask the patron's address to check that he lives with her", False),
    ]),
    ("Is it confidential whether a particular person was in the library yesterday?", [
        ("Yes: whether someone is a user, or was here, is confidential too", True),
        ("No: only what they borrowed is confidential", False),
        ("Only if they used a computer", False),
    ]),
    ("Who may see a user's circulation record without process or consent?", [
        ("Any member of staff who is curious", False),
        ("Staff who need it for the library's own work, and only as much as that work needs", True),
        ("A police officer in uniform", False),
        ("The user's employer, if the user is at work", False),
    ]),
]

PROCEDURE_BODY = ADAPT + """\
## The procedure, step by step

Closed Stacks follows the ALA's *Suggested Procedures for Implementing Policies on the Confidentiality of
Library Records*. The software makes this procedure the only road out of the library, and every step is on
the audit trail.

1. **Refer at once.** Whoever receives a request for records that identify a library user refers the person
   at once to the responsible officer. In Closed Stacks: **Log an inquiry**. Write down who asked and what
   they asked for, in their words; attach any paper they handed you. The officer (and the alternate) are told
   immediately. Do not search for the records, confirm that they exist, or promise anything.
2. **The officer explains the policy.** The officer tells the requester what the library's confidentiality
   policy is, and that records are released only on valid legal process or the user's consent. Many
   requests end here.
3. **The director consults counsel.** When a subpoena, court order or other process is presented, the
   director attaches it to the matter and assigns the library's legal counsel, who reviews whether it is in
   proper form and shows good cause, item by item on the checklist.
4. **Defects are cured first.** If counsel finds the process defective, or good cause is not shown, the library
   insists that the defects be cured before any record is released. Nothing is released while a matter is
   defective or challenged.
5. **Produce exactly what is designated.** When a valid process requires records, the library produces only
   the records it designates — those users, those kinds of records, those dates — and no others. The scope
   is proposed and approved by two people before the records custodian gathers anything.

Threats, demands without process, and any other privacy problem go to the officer as a report (see the
module on reporting).

## Your part

- At the desk: log it and refer it. That is all, and it is the most important step.
- If you hold a role on a matter: act only through the matter's steps in Closed Stacks, only on what is in
  front of you, and never outside them (no copies, no e-mails of records, no favours).
"""

PROCEDURE_QUESTIONS = [
    ("A detective at the desk asks for a patron's borrowing history. What is your first step?", [
        ("Look up the record so that it is ready for the officer", False),
        ("Log the inquiry in Closed Stacks and refer the detective at once to the responsible officer", True),
        ("Tell the detective the library never keeps such records", False),
        ("Ask the detective to e-mail the request to the director next week", False),
    ]),
    ("Who explains the library's confidentiality policy to the requester?", [
        ("The responsible officer", True),
        ("Whoever is at the desk", False),
        ("The records custodian", False),
    ]),
    ("Counsel finds that a subpoena is defective. What happens next?", [
        ("The records are released anyway, since a subpoena was served", False),
        ("The library insists that the defects be cured before any record is released", True),
        ("The desk staff decide whether the defect matters", False),
        ("The matter is deleted", False),
    ]),
    ("A valid subpoena designates one user's loans from March to June. What does the library produce?", [
        ("That user's full history, to be helpful", False),
        ("The loans of everyone who borrowed the same books", False),
        ("Exactly the designated records: that user's loans from March to June, and nothing else", True),
    ]),
    ("Who decides, with counsel's advice, how the library responds to legal process?", [
        ("The director, after consulting the library's legal counsel", True),
        ("The first person who reads the subpoena", False),
        ("The requester", False),
    ]),
]

LAW_ENFORCEMENT_BODY = ADAPT + """\
## When law enforcement comes to the library

Most requests from law enforcement are questions, not legal process. A question — "who was using this
computer at three?" — is answered like any other request: log it, refer the officer at once to the
responsible officer, and say politely that you are not permitted to discuss library records. You may ask for
the person's name, agency, badge number and a telephone number.

## A subpoena or a court order

A subpoena is not an instruction to hand over records on the spot: it gives a date to respond. Accept the
paper, log it in Closed Stacks with the paper attached, and refer it to the officer and the director. Do not
search for, print or describe any record. Counsel reviews it before anything else happens.

## A search warrant

A search warrant signed by a judge can be executed immediately. It is different from a subpoena:

- **Do not resist or obstruct it physically**, and do not hide, move or delete anything.
- **Call the responsible officer, the director and counsel immediately.** The contact list in Closed Stacks
  has their numbers, after hours too.
- **Ask politely that the search wait until counsel is present.** The officers may agree or may not; they
  are not required to wait.
- **Ask for a copy of the warrant**, read what it names, and keep the copy for the library.
- Where you can, stay with the officers, note what they look at and take, and ask for a receipt (an inventory)
  of what was taken. Do not volunteer anything beyond what the warrant names.
- Log it in Closed Stacks as soon as you can, with the copy of the warrant attached.
- **Do not discuss it** with colleagues, users or the press; the officer and the director decide what is said.

## National security letters and FISA orders

A national security letter (NSL) from the FBI, or an order of the Foreign Intelligence Surveillance Court, can
come with a **nondisclosure requirement**: the library may not tell anyone it received it, except the people
needed to comply and a lawyer for legal advice. Log it, tell only the officer and the director (and counsel),
and say nothing to anyone else. In Closed Stacks a matter under a nondisclosure order is visible only to the
people named on it. The library may challenge both the demand and the nondisclosure requirement: that is
counsel's decision.

## Emergencies

If an officer says someone is in imminent danger, log it and refer it at once to the officer: some states allow a
narrow disclosure in an emergency, and the director decides, as the law allows. Do not decide it yourself.
"""

LAW_ENFORCEMENT_QUESTIONS = [
    ("Officers arrive with a search warrant signed by a judge and begin to search. What do you do?", [
        ("Block the door to the staff area until the director arrives", False),
        ("Do not resist; call the officer, the director and counsel at once, ask that the search wait for "
         "counsel, and ask for a copy of the warrant", True),
        ("Delete the computer logs before they can be taken", False),
        ("Help them by searching the records yourself", False),
    ]),
    ("A police officer hands you a subpoena for circulation records. What do you do?", [
        ("Print the records and give them to the officer, since a subpoena is an order", False),
        ("Refuse to take the paper", False),
        ("Accept it, log it in Closed Stacks with the paper attached and refer it to the officer and the "
         "director; do not search for or describe any record", True),
    ]),
    ("The library receives a national security letter with a nondisclosure requirement. Whom may you tell?", [
        ("Only the people needed to respond, such as the officer, the director and counsel", True),
        ("Your colleagues at the desk, so that they are prepared", False),
        ("The patron it is about, so that they can get a lawyer", False),
        ("A reporter, since it is in the public interest", False),
    ]),
    ("After a warrant has been executed, a colleague asks what the police took. What do you say?", [
        ("Say you cannot discuss it; the officer and the director decide what is said", True),
        ("Tell them everything, since they work here", False),
        ("Post a notice at the desk", False),
    ]),
    ("An officer says a child is in danger and wants a patron's address now. What do you do?", [
        ("Give the address, since it is an emergency", False),
        ("Tell the officer to come back with a subpoena and do nothing else", False),
        ("Log it and refer it at once to the responsible officer, who brings it to the director", True),
    ]),
]

REPORTING_BODY = ADAPT + """\
## What to report

Report to the responsible officer, at once:

- **threats** and insistent demands — someone who pressures, threatens or tries to intimidate you into giving
  out information about a library user;
- **unauthorized demands** — any demand for users' records that is not backed by a process, order or subpoena:
  a phone call "from the police", an e-mail from an employer, a parent asking about an adult child's loans;
- **any other privacy problem** — records seen or sent by mistake, a lost list or device, a screen left signed
  in, a vendor asking for data, anything that does not look right.

Report it even if you said nothing, even if you are not sure it matters, and even if you made the mistake
yourself. The officer would much rather hear about ten harmless things than miss one that is not.

## How to report

In Closed Stacks: **Report a problem**. Say what happened, when and where, who was involved as far as you know,
and whether anything was disclosed. If someone is asking for records right now, **log an inquiry** instead:
the officer is told immediately, and can turn it into a report.

You can see your own reports and what became of them. The officer triages every report; if records were
disclosed outside the procedure, the officer and the director handle it as a breach.

## What not to do

- Do not investigate on your own, look up the user's record, or contact the user.
- Do not discuss the report with colleagues who do not need to know.
- Do not wait until the end of your shift.

You will never be blamed for reporting in good faith. Your training may lapse; your duty to report does not:
anyone can always log an inquiry or report a problem, whatever the state of their training.
"""

REPORTING_QUESTIONS = [
    ("Someone phones, says he is a detective, and asks whether a patron has a card here. What do you do?", [
        ("Say you cannot discuss it, and report the call to the responsible officer", True),
        ("Confirm it, since he is a detective", False),
        ("Hang up and forget it", False),
    ]),
    ("You e-mailed a list of overdue patrons to the wrong address. What do you do?", [
        ("Nothing, since it was an accident", False),
        ("Ask the recipient to delete it and tell no one", False),
        ("Report it at once to the responsible officer in Closed Stacks", True),
    ]),
    ("A visitor shouts at you and insists you tell him what his neighbour borrowed. What do you do?", [
        ("Tell him, to calm him down", False),
        ("Refuse politely, get help if you need it, and report the threat to the officer", True),
        ("Look up the record to see if it matters", False),
    ]),
    ("Your training has lapsed, and someone asks you for a patron's records. What do you do?", [
        ("Nothing until your training is current", False),
        ("Ask a colleague to deal with it later", False),
        ("Log the inquiry and refer them to the officer: anyone can always log an inquiry or report", True),
    ]),
]

MODULES = [
    {
        "slug": "confidentiality-policy",
        "title": "Our confidentiality policy: why library records are confidential",
        "roles": EVERYONE,
        "body": POLICY_BODY,
        "attestation": "I have read and will follow the library's confidentiality policy.",
        "questions": POLICY_QUESTIONS,
    },
    {
        "slug": "the-procedure",
        "title": "The procedure for a request for library records",
        "roles": DESK_AND_PRIVILEGED,
        "body": PROCEDURE_BODY,
        "attestation": "I have read and will follow the library's procedure for requests for library records.",
        "questions": PROCEDURE_QUESTIONS,
    },
    {
        "slug": "law-enforcement",
        "title": "Responding to law enforcement, subpoenas and search warrants",
        "roles": DESK_AND_PRIVILEGED,
        "body": LAW_ENFORCEMENT_BODY,
        "attestation": "I have read and will follow the library's procedure for responding to law enforcement and "
                       "search warrants.",
        "questions": LAW_ENFORCEMENT_QUESTIONS,
    },
    {
        "slug": "reporting",
        "title": "Reporting threats, unauthorized demands and privacy problems",
        "roles": EVERYONE,
        "body": REPORTING_BODY,
        "attestation": "I have read and will follow the library's procedure for reporting threats, unauthorized "
                       "demands and privacy problems.",
        "questions": REPORTING_QUESTIONS,
    },
]
