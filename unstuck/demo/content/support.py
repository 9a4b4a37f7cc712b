"""Customer support: de-escalating a frustrated customer, triage and escalation."""

from __future__ import annotations

from .format import question, scenario, steps, vtt

UNITS = [
    {
        "slug": "frustrated-customer-scenario",
        "kind": "scenario",
        "title": "Handling a frustrated customer",
        "summary": "A customer has been waiting four days for a fix and is angry on the phone. Choose your words "
        "and see how the call goes.",
        "skills": ["de-escalation"],
        "tags": ["support", "de-escalation", "scenario", "angry-customer", "phone"],
        "body_md": "Tom Berger, operations manager at Initech, calls the support line. His team cannot export "
        "invoices since Monday; ticket #4821 has had no update for two days.",
        "payload": scenario(
            start="opening",
            nodes=[
                {
                    "id": "opening",
                    "text": "Tom: \"This is the third time I'm calling. Nobody tells me anything and my finance "
                    "team can't close the month. Is anyone actually working on this?\"",
                    "choices": [
                        {
                            "text": '"I understand, but we have a lot of tickets right now."',
                            "next": "defensive",
                            "feedback": '"But" cancels the empathy, and your workload is not his problem.',
                        },
                        {
                            "text": "\"Three calls and no update — that's not OK, and I'm sorry. Let me pull up "
                            '#4821 right now."',
                            "next": "heard",
                            "feedback": "You named what happened, apologised for it and took ownership.",
                        },
                        {
                            "text": '"Please calm down, sir."',
                            "next": "escalated",
                            "feedback": "Telling someone to calm down almost always does the opposite.",
                        },
                    ],
                },
                {
                    "id": "defensive",
                    "text": 'Tom: "I don\'t care how many tickets you have. I want to talk to your manager."',
                    "choices": [
                        {
                            "text": "\"You're right, that's not your problem. I'll own this ticket from now on. "
                            'Can I tell you what I see?"',
                            "next": "heard",
                            "feedback": "A good recovery: you agreed with him and took ownership.",
                        },
                        {
                            "text": '"I\'ll transfer you."',
                            "next": "transferred",
                            "feedback": "Handing off an angry customer without context makes him tell the "
                            "story a fourth time.",
                        },
                    ],
                },
                {
                    "id": "escalated",
                    "text": 'Tom (louder): "Don\'t tell me to calm down! Get me someone who can fix this!"',
                    "choices": [
                        {
                            "text": "\"I'm sorry — you have every reason to be upset. I'm staying on this with "
                            'you. Let me look at #4821."',
                            "next": "heard",
                            "feedback": "Acknowledging his reason to be upset lowers the temperature.",
                        },
                        {
                            "text": '"I\'ll transfer you."',
                            "next": "transferred",
                            "feedback": "A transfer now feels like being dropped.",
                        },
                    ],
                },
                {
                    "id": "heard",
                    "text": 'You see the ticket is waiting on engineering; a fix is in testing. Tom: "So when '
                    'will it work?"',
                    "choices": [
                        {
                            "text": '"Should be soon."',
                            "next": "vague",
                            "feedback": '"Soon" is what he has heard for four days.',
                        },
                        {
                            "text": "\"The fix is in testing. I'll check with engineering and call you by 3 pm "
                            "today with a time — and here's a workaround: export as CSV from Reports.\"",
                            "next": "resolved",
                            "feedback": "A specific next contact, a time you control, and a workaround today.",
                        },
                    ],
                },
                {
                    "id": "resolved",
                    "text": 'Tom: "OK. CSV will get us through today. Call me at three." You '
                    "log the promise in the ticket and set a reminder for 2:45 pm.",
                    "outcome": "success",
                },
                {
                    "id": "vague",
                    "text": 'Tom: "That\'s what you all say." He hangs up and posts on LinkedIn '
                    "about Acme's support.",
                    "outcome": "failure",
                },
                {
                    "id": "transferred",
                    "text": "Tom waits eight minutes in the queue and reaches your team lead, "
                    "angrier than before. The case is now a complaint.",
                    "outcome": "failure",
                },
            ],
        ),
    },
    {
        "slug": "heard-method",
        "kind": "guide",
        "title": "The HEARD method for de-escalation",
        "summary": "Hear, Empathise, Apologise, Resolve, Diagnose: five steps that turn an angry call into a "
        "solved case.",
        "skills": ["de-escalation"],
        "tags": ["support", "de-escalation", "angry-customer", "method"],
        "body_md": "HEARD comes from hospitality and works on the phone, in chat and by email. Use it whenever a "
        "customer is upset, whoever's fault it is.",
        "payload": {
            "steps": steps(
                (
                    "Hear",
                    "Let the customer finish. Do not interrupt, do not correct facts yet. Take notes of the "
                    "facts you will need: ticket number, impact, deadline.",
                ),
                (
                    "Empathise",
                    'Name the impact in their words: *"Your finance team can\'t close the month."* '
                    'Avoid *"I understand"* followed by *"but"*.',
                ),
                (
                    "Apologise",
                    "Apologise for the experience, sincerely and once: *\"I'm sorry nobody updated "
                    'you."* You can apologise without admitting a defect.',
                ),
                (
                    "Resolve",
                    "Offer what you can do now: a workaround, an owner, a time for the next update. "
                    "Promise only what you control.",
                ),
                (
                    "Diagnose",
                    "After the call, find why it happened — a missing update rule, a slow handoff — "
                    "and tell your lead. That is how the next call does not happen.",
                ),
                (
                    "Put it together",
                    "*\"Three calls and no update — that's not OK, and I'm sorry. Let me pull up your ticket now… The fix is in testing. I'll call you by 3 pm with a time, and until then Reports → Export as CSV gets your invoices out.\"* Hear and empathise take ten seconds; the promise with a time is what the customer remembers.",
                ),
            )
        },
    },
    {
        "slug": "calm-voice-audio",
        "kind": "audio",
        "title": "Calm voice, clear next step",
        "summary": "Two and a half minutes from Lena, support team lead, on what she does in the first 30 "
        "seconds of an angry call.",
        "skills": ["de-escalation"],
        "tags": ["support", "de-escalation", "audio", "phone"],
        "body_md": "Lena has led Acme's support desk for six years. Transcript below.",
        "payload": {
            "source": "demo/calm-voice-audio.mp3",
            "length_s": 150,
            "transcript_vtt": vtt(
                [
                    (
                        0,
                        30,
                        "When a call starts angry, I do three things in the first thirty seconds. First, "
                        "I lower my voice and slow down. People match the pace you set.",
                    ),
                    (
                        30,
                        65,
                        "Second, I say the customer's name and repeat back the one thing that hurts "
                        "most. Not the whole story, the one thing. 'Your invoices can't go out.'",
                    ),
                    (
                        65,
                        100,
                        "Third, I say what I'm going to do next, before I do it. 'I'm opening your "
                        "ticket now.' Silence while you type feels like being ignored.",
                    ),
                    (
                        100,
                        135,
                        "And at the end: a time. Not soon, not shortly. 'I'll call you by three.' Then "
                        "I put a reminder in, because a missed promise is worse than no promise.",
                    ),
                    (135, 150, "That's it. Slow, their words, narrate, a time."),
                ]
            ),
        },
    },
    {
        "slug": "ticket-priority-matrix",
        "kind": "quick_reference",
        "title": "Ticket priority matrix",
        "summary": "How to set P1–P4 from impact and urgency, with the response time each priority promises.",
        "skills": ["ticket-triage"],
        "tags": ["support", "priority", "triage", "sla", "reference"],
        "sections_md": (
            "### Setting the priority\n"
            "| | Many users blocked | One team blocked | One user blocked | Question or cosmetic |\n"
            "|---|---|---|---|---|\n"
            "| **No workaround** | P1 | P2 | P3 | P4 |\n"
            "| **Workaround exists** | P2 | P3 | P3 | P4 |\n\n"
            "### What each priority promises\n"
            "| Priority | First response | Update every | Who is told |\n"
            "|---|---|---|---|\n"
            "| P1 | 30 minutes | 2 hours | On-call engineer and support lead, at once |\n"
            "| P2 | 2 hours | 1 working day | Support lead |\n"
            "| P3 | 1 working day | 3 working days | — |\n"
            "| P4 | 3 working days | when it changes | — |\n\n"
            "### Deadlines\n"
            "A month-end or payroll deadline raises the priority by one. Write the deadline in the ticket, "
            "in the customer's words and with the date, so whoever picks it up next sees why it is urgent.\n\n"
            "### When in doubt\n"
            "Pick the higher priority and say why in the first internal note. The support lead on duty "
            "lowers a priority in seconds; a customer who waited a day for a P2 that was set as P3 remembers "
            "it for a long time. Never lower a priority without telling the customer the new response time.\n"
            "\n### Examples\n"
            "- *Nobody at Initech can export invoices, and it is the last working day of the month* → P1 (many users, no workaround, a month-end deadline).\n"
            "- *One Globex user cannot upload an avatar* → P4.\n"
            "- *The Northwind finance team cannot run a report, but the CSV export gives them the data* → P3.\n"
            "\n### Four questions that find impact and urgency\n"
            "1. *How many people cannot do their work because of this?* One user, one team, or many.\n"
            "2. *Is there another way to get the same result today?* A workaround only counts when the customer has tried it and it works for them.\n"
            "3. *Is there a date by which it must work?* Month-end, payroll, a launch, an audit.\n"
            "4. *Is it getting worse?* More users affected since it started means the impact column moves right.\n"
            "\n### Changing a priority later\n"
            "- **Raise it** when the impact spreads: a second customer reports the same problem, or the workaround stops working. Link the tickets, so the on-call engineer sees one incident, not two.\n"
            "- **Lower it** only when the customer confirms the workaround works, and tell them the new response time in the same message.\n"
            "- Every change gets an internal note with the reason; the next person should not have to guess.\n"
            "\n### Common mistakes\n"
            "- Setting the priority by how upset the customer sounds. Tone is not impact: calm them down first, then ask the four questions.\n"
            "- Raising a priority because the customer is large. A P3 for a big account is still a P3; tell their account owner instead.\n"
            "- Leaving a feature request at P3. A request for something the product has never done is P4, with a link to the request on the product board.\n"
        ),
        "payload": {},
    },
    {
        "slug": "de-escalation-quiz",
        "kind": "quiz",
        "title": "Quiz: de-escalation",
        "summary": "Four situations from the support desk: pick the reply that calms things down.",
        "skills": ["de-escalation"],
        "tags": ["support", "de-escalation", "quiz"],
        "body_md": "Choose the best reply.",
        "payload": {
            "questions": [
                question(
                    'A customer says: "This is ridiculous, nothing works!" Your first sentence?',
                    ('"Please calm down."', False, "This usually makes things worse."),
                    (
                        '"That sounds really frustrating — tell me what stopped working."',
                        True,
                        "Empathy first, then a question that moves to facts.",
                    ),
                    (
                        '"Have you tried restarting?"',
                        False,
                        "Jumping to a fix before listening feels dismissive.",
                    ),
                ),
                question(
                    "Which promise should you make?",
                    (
                        '"It\'ll be fixed soon."',
                        False,
                        'You do not control the fix, and "soon" is vague.',
                    ),
                    ('"I\'ll update you by 3 pm today."', True, "A time you control."),
                ),
                question(
                    "In HEARD, what does the D stand for?",
                    ("Deflect", False, "Never."),
                    (
                        "Diagnose",
                        True,
                        "Yes: find the cause after the call so it does not happen again.",
                    ),
                    ("Document", False, "You do document, but the D is Diagnose."),
                ),
                question(
                    "The customer asks for your manager. What now?",
                    ("Transfer at once", False, "Without context they will repeat the story."),
                    (
                        "Offer to keep ownership, and brief your lead if they still want it",
                        True,
                        "Ownership often removes the need; a warm handoff keeps trust if not.",
                    ),
                ),
            ]
        },
    },
    {
        "slug": "before-you-escalate",
        "kind": "checklist",
        "title": "Before you escalate a ticket",
        "summary": "What engineering needs in a ticket before they can start, so it does not bounce back.",
        "skills": ["ticket-triage"],
        "tags": ["support", "escalation", "checklist", "engineering"],
        "body_md": "A ticket that bounces back costs the customer a day: engineering reads it, cannot start, "
        "asks a question, and waits for you while you wait for the customer. Everything on this list is "
        "something an engineer has had to ask for. Tick these off first; the required ones are the minimum, "
        "and the others often save a second round trip.",
        "payload": {
            "items": [
                {
                    "text": "Steps to reproduce, tried by you",
                    "details": "Numbered steps from a fresh sign-in. If you could not reproduce it, say so and attach what the customer sent.",
                    "required": True,
                },
                {
                    "text": "Customer account id and affected users",
                    "details": "Engineering looks up logs by account id; the number of affected users sets the priority.",
                    "required": True,
                },
                {
                    "text": "Expected and actual result, with a screenshot or the error text",
                    "required": True,
                },
                {
                    "text": "Priority set from the matrix, with the customer's deadline",
                    "details": "See *Ticket priority matrix*. Write the deadline in the customer's words, with the date.",
                    "required": True,
                },
                {
                    "text": "When it started, and what changed just before",
                    "details": "The first time the customer saw it, to the hour if you can. A release, a new user, an import or a changed setting that day is often the whole answer.",
                    "required": False,
                },
                {
                    "text": "Browser, device or integration involved",
                    "details": "Browser and version for anything on screen; the integration's name and the failing request's time for anything automated. *Works in Firefox, fails in Chrome* halves the search.",
                    "required": False,
                },
                {
                    "text": "Checked for a known issue or an open ticket",
                    "details": "Search open engineering tickets for the error text. If it is known, link your ticket to it instead of opening a new one, and tell the customer the known status.",
                    "required": True,
                },
                {
                    "text": "Workaround offered to the customer (or why there is none)",
                    "details": "A workaround the customer confirmed lowers the priority; one they could not use does not.",
                    "required": False,
                },
                {
                    "text": "Customer told who owns the ticket and when the next update comes",
                    "details": "You stay the owner towards the customer while engineering works on it.",
                    "required": True,
                },
            ]
        },
    },
    {
        "slug": "escalation-path",
        "kind": "process_map",
        "title": "Ticket escalation path",
        "summary": "From a new ticket to engineering and back: who owns it at each step.",
        "skills": ["ticket-triage"],
        "tags": ["support", "escalation", "process"],
        "body_md": "The support agent who takes the ticket stays its owner towards the customer, even while "
        "engineering works on it.",
        "payload": {
            "nodes": [
                {"id": "new", "type": "start", "label": "New ticket"},
                {"id": "triage", "type": "step", "label": "Agent sets priority from the matrix"},
                {"id": "known", "type": "decision", "label": "Known issue or how-to?"},
                {"id": "answer", "type": "step", "label": "Answer with the help-center article"},
                {"id": "p1", "type": "decision", "label": "P1?"},
                {"id": "oncall", "type": "step", "label": "Page the on-call engineer"},
                {
                    "id": "eng",
                    "type": "step",
                    "label": "Escalate to engineering queue (checklist done)",
                },
                {"id": "update", "type": "step", "label": "Agent updates the customer on schedule"},
                {"id": "solved", "type": "end", "label": "Solved, customer confirms"},
            ],
            "edges": [
                {"from": "new", "to": "triage"},
                {"from": "triage", "to": "known"},
                {"from": "known", "to": "answer", "label": "yes"},
                {"from": "answer", "to": "solved"},
                {"from": "known", "to": "p1", "label": "no"},
                {"from": "p1", "to": "oncall", "label": "yes"},
                {"from": "p1", "to": "eng", "label": "no"},
                {"from": "oncall", "to": "update"},
                {"from": "eng", "to": "update"},
                {"from": "update", "to": "solved"},
            ],
        },
    },
    {
        "slug": "writing-a-calm-email",
        "kind": "guide",
        "title": "Replying to an angry email",
        "summary": "A four-part structure for written replies that lower the temperature and get a case moving.",
        "skills": ["de-escalation"],
        "tags": ["support", "de-escalation", "email", "writing"],
        "body_md": "Written anger reads louder than spoken anger, and so does a cold reply. Use this structure.",
        "payload": {
            "steps": steps(
                (
                    "Open with their impact",
                    "*\"I can see your team hasn't been able to export invoices since "
                    'Monday, right before month end."*',
                ),
                (
                    "Apologise once, specifically",
                    '*"I\'m sorry we left you without an update for two days."*',
                ),
                (
                    "Say what happens next, with times",
                    "*\"The fix is in testing. I'll write again by 3 pm CET "
                    'today. Until then, Reports → Export as CSV gives you the same data."*',
                ),
                (
                    "Sign with your name",
                    'Not *"The Support Team"*. A name tells them someone owns it.',
                ),
                (
                    "Read it once as the customer",
                    'Before sending, read your reply as someone who has waited two days. Remove "unfortunately", "as previously stated" and anything that explains our process instead of their problem. Check that the time you promised is in their time zone. Then set yourself a reminder for that time — a missed promise in writing is worse than the original delay.',
                ),
            )
        },
    },
]
