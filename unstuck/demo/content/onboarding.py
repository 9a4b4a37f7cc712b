"""Onboarding: a new hire's first week, who to ask, the tools map."""

from __future__ import annotations

from .format import question, steps

UNITS = [
    {
        "slug": "first-week-checklist",
        "kind": "checklist",
        "title": "Your first week at Acme",
        "summary": "What to get done in your first five days, in order, so that week two is real work.",
        "skills": ["first-week"],
        "tags": ["onboarding", "new-hire", "checklist", "first-week"],
        "body_md": "Welcome to Acme! Your buddy and your manager have the same list. Tick items as you go — "
        "your progress is kept.",
        "payload": {
            "items": [
                {
                    "text": "Day 1: collect your laptop and badge from IT (ground floor, room 0.12)",
                    "required": True,
                },
                {
                    "text": "Day 1: sign in to Google Workspace and set up two-factor authentication",
                    "required": True,
                },
                {"text": "Day 1: lunch with your buddy", "required": False},
                {
                    "text": "Day 2: request access to Acme CRM, the support desk and the wiki",
                    "details": "Use the access request form on the wiki; see *Request access to a tool*. Approval usually takes a working day.",
                    "required": True,
                },
                {
                    "text": "Day 2: read the security policy and confirm it in the HR portal",
                    "required": True,
                },
                {
                    "text": "Day 3: 30 minutes with your manager: goals for your first 90 days",
                    "details": "Bring the three things you most want to learn. Agree how you will know the first 90 days went well.",
                    "required": True,
                },
                {
                    "text": "Day 3: shadow a colleague on a customer call or ticket",
                    "required": False,
                },
                {
                    "text": "Day 4: complete your team's starter units in the help center",
                    "details": "About 15 minutes in total, split into short units. Your progress is kept.",
                    "required": True,
                },
                {
                    "text": "Day 5: write three questions you still have and bring them to your buddy",
                    "required": False,
                },
            ]
        },
    },
    {
        "slug": "who-to-ask",
        "kind": "quick_reference",
        "title": "Who to ask for what",
        "summary": "The people and channels for the questions every new hire has in the first month.",
        "skills": ["first-week"],
        "tags": ["onboarding", "new-hire", "contacts", "reference"],
        "sections_md": (
            "### People and channels\n"
            "| You need… | Ask | Where |\n"
            "|---|---|---|\n"
            "| Laptop, password, VPN | IT service desk | #it-help, or extension 1100 |\n"
            "| Access to a tool | Your manager approves, IT grants | Access request form on the wiki |\n"
            "| Payroll, holidays, benefits | People team (Rita Kovács) | HR portal → Ask HR |\n"
            "| How we do things in your team | Your buddy | In person, any time |\n"
            "| CRM how-to | Help, I'm stuck! in the CRM, then Sales Ops | #sales-ops |\n"
            "| Customer escalations | Support lead on duty | #support-leads |\n"
            "| Training and learning time | L&D (Olivia Brooks) | #learning |\n"
            "| Expenses | Finance | Expense tool, questions to #finance |\n"
            "| A lost laptop, a phishing email, a password you shared by mistake | IT security, at once, even out of hours | #security, or extension 1111 |\n"
            "| Your goals and your first review | Your manager | Your weekly one-to-one |\n\n"
            "### When to ask\n"
            "No question is too small in your first month. Asking early is cheaper than fixing later.\n"
            "\n### How to ask so you get a fast answer\n"
            'Say what you are trying to do, what you tried, and what happened — with the exact error message or a screenshot. *"I\'m trying to log a call in the CRM; Save says the follow-up date can\'t be in the past; I picked today"* gets an answer in minutes. *"The CRM doesn\'t work"* gets a question back.\n'
            "\nIn the CRM, try **Help, I'm stuck!** first: it shows help for the very field you are on.\n"
            "\n### Where answers are already written down\n"
            "- **The wiki**: how-tos for every tool, the access request form, team pages with who does what.\n"
            "- **The help center**: short guides, checklists and videos for the CRM and the support desk, searchable by what you are trying to do.\n"
            "- **Channel history**: search #it-help or #sales-ops before you post; most first-month questions have been asked and answered there.\n"
            "\n### If nobody answers\n"
            "A channel question without an answer after one working day is not a no: ask your buddy who the right person is and message them directly, linking the original post. Anything that blocks a customer today goes to the support lead on duty in #support-leads straight away, not into a queue.\n"
            "\n### Questions for your manager in week one\n"
            "- What does a good first month look like, and how will we both know?\n"
            "- Which meetings are mine to attend, and which are optional?\n"
            "- Which three colleagues should I meet first?\n"
            "- How do you want to hear about problems — at once, in our one-to-one, or in writing?\n"
        ),
        "payload": {},
    },
    {
        "slug": "tools-map",
        "kind": "process_map",
        "title": "Acme tools map",
        "summary": "Which system holds what, and how work flows between them, on one page.",
        "skills": ["tools-and-access"],
        "tags": ["onboarding", "tools", "systems", "new-hire"],
        "body_md": "Customers move from left to right: marketing finds them, sales wins them, support keeps "
        "them. Each box is a system you will hear about in week one.",
        "payload": {
            "nodes": [
                {"id": "web", "type": "start", "label": "Website and events (leads)"},
                {
                    "id": "crm",
                    "type": "step",
                    "label": "Acme CRM: contacts, opportunities, calls, forecast",
                },
                {"id": "signed", "type": "decision", "label": "Order signed?"},
                {"id": "billing", "type": "step", "label": "Billing: invoices and contracts"},
                {
                    "id": "desk",
                    "type": "step",
                    "label": "Support desk: tickets and help-center articles",
                },
                {"id": "wiki", "type": "step", "label": "Wiki: processes, policies, team pages"},
                {"id": "happy", "type": "end", "label": "Renewal (back in the CRM)"},
            ],
            "edges": [
                {"from": "web", "to": "crm"},
                {"from": "crm", "to": "signed"},
                {"from": "signed", "to": "billing", "label": "yes"},
                {"from": "signed", "to": "crm", "label": "not yet"},
                {"from": "billing", "to": "desk"},
                {"from": "desk", "to": "wiki", "label": "known issues documented"},
                {"from": "wiki", "to": "desk", "label": "articles linked in replies"},
                {"from": "desk", "to": "happy"},
            ],
        },
    },
    {
        "slug": "request-tool-access",
        "kind": "guide",
        "title": "Request access to a tool",
        "summary": "Get into Acme CRM, the support desk or any other system on your first days, without "
        "chasing anyone.",
        "skills": ["tools-and-access"],
        "tags": ["onboarding", "access", "tools", "it"],
        "body_md": "Access is granted per role. Your manager approves, IT grants, and usually it takes one "
        "working day.",
        "payload": {
            "steps": steps(
                (
                    "Open the access request form",
                    "On the wiki home page, choose **IT → Request access**.",
                ),
                (
                    "Pick the tool and the role",
                    "For the CRM choose the role your manager named: *Sales rep*, "
                    "*Sales manager* or *Read only*. Pick one role per tool.",
                ),
                (
                    "Say why in one line",
                    '*"New sales rep in the DACH team, starting 3 June."* It speeds up '
                    "the approval.",
                ),
                (
                    "Watch for the approval email",
                    "Your manager gets an email with an approve button. If "
                    "nothing happens in a day, remind them — it is usually buried.",
                ),
                (
                    "Sign in",
                    "All Acme tools use your Google Workspace account. If the sign-in fails after "
                    "approval, post the exact message in #it-help.",
                ),
                (
                    "Keep a list of what you have",
                    "Note each tool, the role you got and the date. When you change teams, that list is what your new manager and IT need to adjust your access — and what is removed when you no longer need it.",
                ),
            )
        },
    },
    {
        "slug": "onboarding-quiz",
        "kind": "quiz",
        "title": "Quiz: finding your way at Acme",
        "summary": "Four questions to check you know where to go for help in your first month.",
        "skills": ["first-week", "tools-and-access"],
        "tags": ["onboarding", "new-hire", "quiz"],
        "body_md": "A light check at the end of your first week.",
        "payload": {
            "questions": [
                question(
                    "Your VPN does not connect. Where do you go?",
                    ("#it-help or extension 1100", True, "Right: the IT service desk."),
                    (
                        "Your buddy",
                        False,
                        "Your buddy is great for how-we-work questions; VPN is IT's job.",
                    ),
                ),
                question(
                    "Who approves your access to Acme CRM?",
                    ("IT", False, "IT grants it after approval."),
                    ("Your manager", True, "Yes, through the access request form."),
                ),
                question(
                    "Where do opportunities and forecasts live?",
                    ("Billing", False, "Billing holds invoices and contracts."),
                    ("Acme CRM", True, "Correct."),
                    ("The wiki", False, "The wiki has processes, not deals."),
                ),
                question(
                    "When should you ask a question you think is small?",
                    ("Early", True, "Asking early is cheaper than fixing later."),
                    (
                        "After trying for a day",
                        False,
                        "A day lost on a small question helps nobody.",
                    ),
                ),
            ]
        },
    },
]

DRAFTS = [
    {
        "slug": "mentor-program",
        "kind": "guide",
        "title": "Joining the mentor program (draft)",
        "summary": "How new hires are matched with a mentor after their first month.",
        "skills": ["onboarding"],
        "tags": ["onboarding", "mentoring"],
        "status": "draft",
        "body_md": "Draft for review by the People team: the matching rules are not final yet.",
        "payload": {
            "steps": steps(
                ("Sign up", "Tell L&D in #learning that you would like a mentor."),
                (
                    "Meet",
                    "Mentors and mentees meet for 30 minutes every two weeks for three months.",
                ),
            )
        },
    },
]
