"""Project management: an agile refresher after a missed sprint goal, planning, retros."""

from __future__ import annotations

from .format import question, steps, vtt

UNITS = [
    {
        "slug": "agile-refresher-missed-sprint-goal",
        "kind": "guide",
        "title": "Five-minute agile refresher after a missed sprint goal",
        "summary": "The sprint goal slipped. Refresh what a sprint goal is for, why goals get missed and what to "
        "change in the next planning.",
        "skills": ["agile", "sprint-planning"],
        "tags": ["project-management", "agile", "sprint", "sprint-goal", "scrum"],
        "body_md": "Missing a sprint goal is information, not failure. Five minutes before the retro, refresh "
        "the basics so the conversation is about causes rather than blame.",
        "payload": {
            "steps": steps(
                (
                    "A sprint goal is one outcome, not a list",
                    '*"Customers can export invoices as CSV"* is a '
                    'goal. *"Finish tickets 12, 14, 15 and 19"* is a to-do list. A goal lets the team drop or '
                    'swap items and still succeed. Test your last goal: could someone outside the team tell, on the last day, whether it was met? If the answer needs a spreadsheet, the goal was a list in disguise. A good goal also says why it matters now — "so that finance can close the month without manual exports" — which is what lets the team make trade-offs on day six without asking permission.',
                ),
                (
                    "The usual causes",
                    "Most missed goals come from four places: the goal was really three "
                    "goals; unplanned work took a third of the sprint; one item was far bigger than estimated; "
                    "or work waited on another team. Notice what is missing from the list: people not working hard enough. In Acme's retros over the last year, effort was almost never the cause; planning and flow were. Starting from the system rather than the people keeps the retro honest and keeps people talking.",
                ),
                (
                    "Look at the data before the opinions",
                    "Check the burn-down: a flat line in the first days "
                    "points to unclear items; a step late in the sprint points to waiting. Count the unplanned "
                    "tickets that came in. Then compare what was planned with what was done, item by item. Items that were started but not finished matter more than items never started: they show work in progress piling up. Three half-done items are worth less to a customer than one finished item.",
                ),
                (
                    "Change one thing",
                    "Pick the single biggest cause and one experiment for the next sprint: "
                    "a 20% buffer for unplanned work, splitting items above 3 days, or agreeing hand-off dates "
                    'with the other team at planning. Write the experiment down with a way to check it: "Keep 20% of capacity free; at the next retro we look at how much of it unplanned work used." One change you can measure beats five good intentions, and it gives the next retro something concrete to start from.',
                ),
                (
                    "Say it out loud at review",
                    "Tell stakeholders what was not delivered, why, and when it will "
                    'be. Trust survives a missed goal; it does not survive a surprise. A simple script works: "We planned to let customers export invoices as CSV. We got the export working but not the formatting finance needs; that slips to the middle of next sprint. The cause was unplanned support work, and we are keeping a buffer for it from now on."',
                ),
            )
        },
    },
    {
        "slug": "retro-checklist",
        "kind": "checklist",
        "title": "Sprint retrospective checklist",
        "summary": "Everything a facilitator needs for a 45-minute retro that ends with actions people keep.",
        "skills": ["retrospectives", "agile"],
        "tags": ["project-management", "retro", "retrospective", "checklist", "facilitation"],
        "body_md": "Use it before, during and after the retro. Print it or keep it open in the widget.\n\n"
        "A 45-minute retro that works: **5 minutes** on the data, **5** on last time's actions, **10** "
        "collecting notes, **15** discussing the top two topics, **10** agreeing actions. If the team is "
        "larger than eight, give it an hour rather than cutting the discussion.",
        "payload": {
            "items": [
                {
                    "text": "Bring the sprint data: goal, burn-down, unplanned tickets, carried-over items",
                    "details": "Data first keeps the discussion on causes. Five numbers on one slide are enough.",
                    "required": True,
                },
                {
                    "text": "Read last retro's actions aloud: done, not done, dropped?",
                    "details": "An action not done twice in a row is dropped on purpose, with a sentence on why, or it becomes this retro's first topic. Actions nobody checks teach the team that retros change nothing.",
                    "required": True,
                },
                {
                    "text": "Set the prime directive: everyone did the best they could with what they knew",
                    "details": "Say it aloud, especially after a hard sprint. The retro looks for causes in how the team works, not for someone to blame.",
                    "required": False,
                },
                {
                    "text": "Collect what went well and what didn't, silently first (5 minutes)",
                    "details": "One idea per sticky note or card. Writing alone first means the quietest person's idea gets on the board before the loudest person's opinion.",
                    "required": True,
                },
                {
                    "text": "Group and dot-vote; discuss the top two only",
                    "details": "Three dots per person. Time-box each topic to ten minutes.",
                    "required": True,
                },
                {
                    "text": "Agree at most two actions, each with an owner and a date",
                    "details": 'Write each as an experiment you can check at the next retro: "Keep 20% of capacity free; check how much unplanned work used."',
                    "required": True,
                },
                {
                    "text": "Put the actions in the next sprint's backlog",
                    "details": "As items with the owner's name, sized like any other work, so they take capacity instead of competing with it.",
                    "required": True,
                },
                {
                    "text": "Ask for a one-word check-out from everyone",
                    "details": "It tells you how the retro landed. Several tired or frustrated words in a row are worth a private chat with the team lead.",
                    "required": False,
                },
            ]
        },
    },
    {
        "slug": "sprint-planning-video",
        "kind": "video",
        "title": "Sprint planning in four minutes",
        "summary": "How Acme's delivery teams plan a two-week sprint: goal first, capacity second, items last.",
        "skills": ["sprint-planning", "agile"],
        "tags": ["project-management", "sprint", "planning", "video"],
        "body_md": "Narrated by Jonas, delivery lead for the Billing team.",
        "payload": {
            "source": "demo/sprint-planning-video.webm",
            "length_s": 235,
            "chapters": [
                {"start_s": 0, "title": "Goal first"},
                {"start_s": 70, "title": "Capacity, honestly"},
                {"start_s": 140, "title": "Pulling items"},
                {"start_s": 200, "title": "The last check"},
            ],
            "transcript_vtt": vtt(
                [
                    (
                        0,
                        35,
                        "Hi, I'm Jonas. Our planning starts with one question: what will be different for "
                        "a customer at the end of these two weeks?",
                    ),
                    (
                        35,
                        70,
                        "The product owner proposes a goal, the team challenges it, and we write it in "
                        "one sentence on the board. If we can't, we have two goals and we pick one.",
                    ),
                    (
                        70,
                        105,
                        "Then capacity. Holidays, on-call, the training day. We take the days we really "
                        "have and keep twenty percent for unplanned work, because there always is some.",
                    ),
                    (
                        105,
                        140,
                        "Last sprint we skipped that buffer and missed the goal by two days. The data "
                        "was clear in the retro.",
                    ),
                    (
                        140,
                        175,
                        "Now we pull items that serve the goal, biggest risk first. Anything over three "
                        "days gets split before it goes in.",
                    ),
                    (
                        175,
                        200,
                        "Items that depend on another team get a hand-off date agreed with that team in "
                        "the meeting, not after.",
                    ),
                    (
                        200,
                        235,
                        "Final check: read the goal aloud, look at the items, and ask everyone, can we "
                        "do this? Any hesitation, we cut scope now, not on day nine.",
                    ),
                ]
            ),
        },
    },
    {
        "slug": "agile-basics-quiz",
        "kind": "quiz",
        "title": "Quiz: sprint goals and planning",
        "summary": "Five questions on sprint goals, capacity and what to do when a goal is at risk.",
        "skills": ["agile", "sprint-planning"],
        "tags": ["project-management", "agile", "quiz"],
        "body_md": "Two minutes. Each answer explains itself.",
        "payload": {
            "questions": [
                question(
                    "Which is a sprint goal?",
                    (
                        "Finish tickets 12, 14 and 15",
                        False,
                        "That is a task list; it gives the team no room to adapt.",
                    ),
                    ("Customers can export invoices as CSV", True, "One outcome for a customer."),
                ),
                question(
                    "How much capacity does Acme keep for unplanned work?",
                    (
                        "None",
                        False,
                        "Unplanned work always arrives; with no buffer the goal pays for it.",
                    ),
                    ("About 20%", True, "Right."),
                    (
                        "Half",
                        False,
                        "Then the sprint is mostly unplanned — look at the intake instead.",
                    ),
                ),
                question(
                    "On day six you see the goal is at risk. What do you do?",
                    ("Wait for the review", False, "Too late to change anything."),
                    (
                        "Tell the product owner and agree what to cut",
                        True,
                        "Negotiating scope early keeps the goal.",
                    ),
                    ("Work the weekend", False, "A heroic weekend hides the real cause."),
                ),
                question(
                    "An item is estimated at five days. At planning you…",
                    ("Split it before pulling it in", True, "Items over three days hide risk."),
                    (
                        "Pull it in as it is",
                        False,
                        "Large items are the most common reason for a missed goal.",
                    ),
                ),
                question(
                    "How many actions should a retro end with?",
                    ("As many as ideas came up", False, "Long lists are not done."),
                    ("One or two, with owners and dates", True, "Small and owned gets done."),
                ),
            ]
        },
    },
    {
        "slug": "sprint-cycle-map",
        "kind": "process_map",
        "title": "The two-week sprint cycle at Acme",
        "summary": "The events of a sprint in order, and the decision that closes each one.",
        "skills": ["agile"],
        "tags": ["project-management", "agile", "scrum", "process"],
        "body_md": "Every delivery team at Acme runs two-week sprints starting on Wednesday.",
        "payload": {
            "nodes": [
                {"id": "planning", "type": "start", "label": "Planning (Wed, 2 h): goal and items"},
                {"id": "daily", "type": "step", "label": "Daily stand-up (15 min)"},
                {"id": "risk", "type": "decision", "label": "Goal at risk?"},
                {"id": "scope", "type": "step", "label": "Agree scope cut with the product owner"},
                {
                    "id": "review",
                    "type": "step",
                    "label": "Review (Tue, 1 h): show working software",
                },
                {
                    "id": "retro",
                    "type": "step",
                    "label": "Retrospective (Tue, 45 min): one or two actions",
                },
                {"id": "next", "type": "end", "label": "Next sprint's planning"},
            ],
            "edges": [
                {"from": "planning", "to": "daily"},
                {"from": "daily", "to": "risk"},
                {"from": "risk", "to": "scope", "label": "yes"},
                {"from": "scope", "to": "daily"},
                {"from": "risk", "to": "review", "label": "no, sprint ends"},
                {"from": "review", "to": "retro"},
                {"from": "retro", "to": "next"},
            ],
        },
    },
    {
        "slug": "definition-of-done",
        "kind": "quick_reference",
        "title": "Definition of ready and definition of done",
        "summary": "The shared bar an item must meet before it enters a sprint and before it counts as done.",
        "skills": ["sprint-planning", "agile"],
        "tags": ["project-management", "agile", "definition-of-done", "reference"],
        "sections_md": (
            "### Ready (before planning)\n"
            "- Written as a user outcome, with acceptance criteria\n"
            "- Estimated at three days or less (otherwise split)\n"
            "- Dependencies named, with a hand-off date agreed\n"
            "- Designs attached where the UI changes\n\n"
            "### Done (before the review)\n"
            "- Code reviewed and merged to main\n"
            "- Automated tests pass; new behaviour has tests\n"
            "- Deployed to staging and checked by someone other than the author\n"
            "- Help content updated or a request filed with L&D\n"
            "- Product owner accepted it against the criteria\n\n"
            "### Almost done is not done\n"
            "An item that meets *almost* all of these is not done. It goes back to the backlog with a note "
            "saying what is missing, and it does not count towards the sprint goal. Splitting the finished "
            "part into its own item is fine when it is useful to a customer on its own.\n"
            "\n### Why both lists exist\n"
            "Ready protects the sprint from work nobody understands yet; done protects the customer from work that only looks finished. Most teams that miss sprint goals skip the first list, and most teams with unhappy stakeholders skip the second. Review both lists at the retro every few sprints and change them when the team learns something.\n"
            "\n### Checking ready in refinement\n"
            "Read each candidate item aloud against the ready list and ask one question: *could two of us start this tomorrow morning without asking anyone anything?* If not, the item gets an owner and a date for the missing piece — the design, the hand-off, the criteria — and stays out of planning. Do not estimate an item that is not ready; the number will be wrong and everyone will remember it.\n"
            "\n### A ready item, and one that is not\n"
            "- **Ready:** *A sales rep can log a voicemail without writing notes.* Criteria: the outcome Left voicemail makes Notes optional; Save works with an empty Notes field; the call appears in the account history. Estimated at one day; no dependencies; the form design is attached.\n"
            "- **Not ready:** *Improve the forecast page.* No user outcome, no criteria, no size. Ask who is stuck on the page today and what they are trying to do, then write one item per outcome.\n"
            "\n### Bugs and unplanned work\n"
            "A bug in work from this sprint is part of that item: it is not done until the bug is fixed. A bug in older work goes to the backlog like any other item and meets the same ready list before it enters a sprint — unless support set it as P1 or P2, which the team takes at once and mentions in the review.\n"
        ),
        "payload": {},
    },
]
