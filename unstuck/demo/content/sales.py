"""Sales: the new call logging and forecasting in Acme CRM, stages and pipeline rules.

The rules written here are the rules the sample CRM enforces (unstuck/demo/crm.py):
stages and their forecast categories, amount required from Proposal on, close date
never in the past while a deal is open, a next step on every open deal.
"""

from __future__ import annotations

from .format import question, scenario, steps, vtt

UNITS = [
    {
        "slug": "log-a-call",
        "kind": "guide",
        "title": "Log a call in under a minute",
        "summary": "Record a sales call with its outcome, notes and next step so your pipeline and your "
        "manager's forecast stay true.",
        "skills": ["logging-calls"],
        "tags": ["crm", "calls", "log-call", "activity"],
        "body_md": (
            "Every customer call you log feeds three things: the account history your colleagues read before "
            "they call, the *last activity* date your manager checks in pipeline reviews, and the forecast. "
            "A call that is not logged did not happen as far as Acme CRM is concerned."
        ),
        "payload": {
            "steps": steps(
                (
                    "Open Log a call",
                    "From the top bar choose **Log a call**, or on a contact's row choose **Log call**. "
                    "Starting from the contact fills in the contact for you.",
                ),
                (
                    "Pick the contact and the opportunity",
                    "Choose who you spoke to. If the call was about a live deal, pick the opportunity too — "
                    "the call then shows on the deal's timeline and counts as activity on it.",
                ),
                (
                    "Choose the outcome",
                    "**Connected** means you had a real conversation. **Left voicemail** and **No answer** "
                    "still count as attempts; log them, they explain gaps in the history.",
                ),
                (
                    "Write two lines of notes",
                    "For a connected call the notes are required. Write what the customer said, not what you "
                    'said: *"Budget approved for Q3, wants pricing for 40 seats."*',
                ),
                (
                    "Set the next step and a follow-up date",
                    'A next step is a concrete action with an owner: *"Send 40-seat quote by Thursday."* '
                    "The follow-up date cannot be in the past. Save — you are done.",
                ),
            )
        },
    },
    {
        "slug": "logging-calls-video",
        "kind": "video",
        "title": "Logging calls: a three-minute walkthrough",
        "summary": "Watch a rep log a connected call, a voicemail and a follow-up in the new call form.",
        "skills": ["logging-calls"],
        "tags": ["crm", "calls", "log-call", "video"],
        "body_md": "A screen recording of the new **Log a call** form, narrated by Dana from Sales Enablement.",
        "payload": {
            "source": "demo/logging-calls-video.webm",
            "length_s": 170,
            "chapters": [
                {"start_s": 0, "title": "Why we log every call"},
                {"start_s": 35, "title": "A connected call"},
                {"start_s": 95, "title": "Voicemails and no answers"},
                {"start_s": 130, "title": "Next step and follow-up"},
            ],
            "transcript_vtt": vtt(
                [
                    (
                        0,
                        12,
                        "Hi, I'm Dana from Sales Enablement. In three minutes you'll log calls the new way.",
                    ),
                    (
                        12,
                        35,
                        "Why bother? Because the account history is what your colleague reads before "
                        "calling your customer, and the forecast trusts the last activity date.",
                    ),
                    (
                        35,
                        60,
                        "Here I've just spoken to Maria at Northwind. I open Log a call from her contact "
                        "row, so the contact is already filled in.",
                    ),
                    (
                        60,
                        95,
                        "I pick the Northwind renewal opportunity, choose Connected, and write what Maria "
                        "told me: budget approved, wants pricing for forty seats.",
                    ),
                    (
                        95,
                        130,
                        "Voicemail? Still log it. Choose Left voicemail; notes are optional. Three "
                        "attempts in a week is useful history, not noise.",
                    ),
                    (
                        130,
                        160,
                        "Last, the next step: a concrete action, send the forty-seat quote by Thursday, "
                        "and a follow-up date that is today or later.",
                    ),
                    (160, 170, "Save. That's it. Under a minute per call."),
                ]
            ),
        },
    },
    {
        "slug": "opportunity-stages",
        "kind": "quick_reference",
        "title": "Opportunity stages at a glance",
        "summary": "The six stages of an Acme opportunity, what must be true to enter each one, and the "
        "forecast category each stage counts in.",
        "skills": ["opportunity-stages", "forecasting"],
        "tags": ["crm", "stage", "opportunity", "reference"],
        "sections_md": (
            "### The six stages\n"
            "| Stage | Enter it when… | Probability | Forecast category |\n"
            "|---|---|---|---|\n"
            "| Prospecting | You have a named contact and a reason to talk | 10% | Pipeline |\n"
            "| Qualification | The contact confirmed a problem, a budget owner and a timeline | 25% | Pipeline |\n"
            "| Proposal | You sent pricing; **amount is required** from here on | 50% | Best case |\n"
            "| Negotiation | The buyer is working on terms or legal review | 75% | Commit |\n"
            "| Closed won | The order form is signed | 100% | Closed |\n"
            "| Closed lost | The buyer said no, or went silent for 60 days | 0% | Omitted |\n\n"
            "### Rules the CRM checks when you save\n"
            "- Every open opportunity (not Closed won or Closed lost) needs a close date **today or later** "
            "and a next step.\n"
            "- From **Proposal** on, the amount is required and must be more than zero.\n"
            "- Moving backwards is allowed — do it when the deal really moved back. An honest pipeline beats "
            "a pretty one.\n"
            "\n### Three deals, placed\n"
            "- *Globex asked for pricing for 60 seats and got it yesterday* → **Proposal**, with the amount of the quote.\n"
            "- *Northwind's lawyer sent back the contract with comments* → **Negotiation**: the buyer is working on terms.\n"
            "- *Stark Retail answered your email and agreed to an intro call* → **Prospecting**: no confirmed problem yet.\n"
            "\nWhen two stages seem to fit, pick the earlier one. Your manager would rather be surprised by a deal moving faster than by one that was never where the CRM said it was.\n"
            "\n### Signs a deal is in the wrong stage\n"
            "- **Proposal for more than 30 days** with no reply to the pricing: the buyer is not working on it. Ask directly whether it is still a priority; if not, move it back to Qualification.\n"
            "- **Negotiation without a named person in legal or procurement**: nobody is working on terms yet, so it is still a Proposal.\n"
            "- **Qualification without a budget owner**: you have an interested user, not a buyer. It stays in Prospecting until someone who can sign joins a call.\n"
            '- **A next step that only you can do** (*"follow up"*): a real deal has a step the buyer agreed to, with a date.\n'
            "\n### Before you move a deal forward\n"
            "Say the sentence in the *Enter it when…* column out loud with the customer's name in it. If you cannot, or you would not say it to your manager with the buyer listening, the deal stays where it is. Moving it later, with the evidence in the description, costs you nothing.\n"
        ),
        "payload": {},
    },
    {
        "slug": "move-opportunity-stage",
        "kind": "guide",
        "title": "Move an opportunity to the next stage",
        "summary": "Change an opportunity's stage without tripping the amount, close date and next step rules.",
        "skills": ["opportunity-stages"],
        "tags": ["crm", "stage", "opportunity", "edit"],
        "body_md": (
            "The stage is the single most read field in Acme CRM: it sets the deal's probability and which "
            "forecast line it counts in. Move it when the buyer did something, not when you feel good."
        ),
        "payload": {
            "steps": steps(
                (
                    "Check the exit criterion",
                    "Qualification → Proposal needs a sent price. Proposal → Negotiation needs the buyer "
                    "working on terms. If you cannot name the buyer's action, stay where you are.",
                ),
                (
                    "Open the opportunity and choose the new stage",
                    "In **Opportunities**, open the deal and pick the stage from the **Stage** list.",
                ),
                (
                    "Fill the fields the new stage needs",
                    "From Proposal on, enter the **Amount** (the total first-year value in euros). Check the "
                    "**Close date**: an open deal cannot close in the past.",
                ),
                (
                    "Update the next step",
                    'A new stage almost always means a new next step. Replace *"send proposal"* with '
                    '*"review proposal with CFO on 14 May"*.',
                ),
                (
                    "Save and read the message",
                    "If the CRM refuses, the message sits right under the field that needs fixing. Fix it and "
                    "save again — nothing you typed is lost.",
                ),
            )
        },
    },
    {
        "slug": "amount-and-close-date-rules",
        "kind": "quick_reference",
        "title": "Amount and close date rules",
        "summary": "When the CRM requires an amount, which close dates it accepts, and how to pick an honest "
        "close date.",
        "skills": ["pipeline-hygiene", "opportunity-stages"],
        "tags": ["crm", "amount", "close-date", "validation", "reference"],
        "sections_md": (
            "### Amount\n"
            "- Optional in Prospecting and Qualification — you rarely know it yet.\n"
            '- **Required from Proposal on**: the CRM shows *"Enter an amount: it is required from the '
            'Proposal stage on"* if it is empty or zero.\n'
            "- Enter the first-year contract value in euros, without VAT. Multi-year deals: first year only; "
            "put the total in the description.\n\n"
            "### Close date\n"
            "- Required on every opportunity.\n"
            '- For an open deal it must be **today or later**. The message *"Close date is in the past"* '
            "means the deal slipped and nobody moved it.\n"
            "- For Closed won / Closed lost, the close date is the day it actually closed, so past dates are "
            "fine.\n\n"
            "### Picking an honest close date\n"
            'Ask the buyer: *"When do you need this running?"* Work back from their date, add the time '
            "legal and procurement take (usually two to three weeks at Acme's customers), and use that. "
            "Never use the last day of the quarter as a default.\n"
            "\n### Examples\n"
            "- A Proposal for Hooli with no amount: enter the quote's first-year value, e.g. 18,500.\n"
            "- A Negotiation deal whose close date was last Friday: ask the buyer, then move it to the date they give plus two weeks for procurement.\n"
            "- A deal lost last month: set Closed lost and keep the past date — that is when it really ended.\n"
            "\n### When the amount changes\n"
            "Update the amount the day the quote changes — seats added or removed, a discount agreed, a module dropped — and say why in the next step or the description. The amount on the opportunity should always match the latest quote the buyer has seen, not the first one and not the one you hope for.\n"
            "\n### Moving a close date\n"
            "- Move it the day you learn the deal will not close on time, not at the end of the month.\n"
            '- Write the buyer\'s reason in the description (*"procurement needs a second supplier quote"*), so your manager does not have to ask.\n'
            "- A close date that moved twice in the same quarter is a question for your one-to-one: is the deal still real, and is the stage still right?\n"
            "\n### Why the CRM is strict about both\n"
            "Every report that adds up the pipeline by month uses these two fields. An open deal without an amount counts as zero; a close date in the past counts in a month that is already over, so the deal disappears from every view of what is coming. The save rules catch the mistake while you still remember the deal.\n"
        ),
        "payload": {},
    },
    {
        "slug": "fix-close-date-in-the-past",
        "kind": "guide",
        "title": 'Fix "Close date is in the past"',
        "summary": "The CRM refused to save because an open deal's close date has passed. Here is how to fix it "
        "honestly in two minutes.",
        "skills": ["pipeline-hygiene", "opportunity-stages"],
        "tags": ["crm", "close-date", "error", "close_date_past", "validation"],
        "body_md": (
            "You saw **Close date is in the past** under the close date field. The CRM only refuses this "
            "for open deals: a deal that should have closed already and has not is a slipped deal, and "
            "slipped deals quietly inflate the forecast."
        ),
        "payload": {
            "steps": steps(
                (
                    "Decide what really happened",
                    "Did the deal close? Then set the stage to **Closed won** or **Closed lost** and keep the "
                    "date. Still alive? Go on.",
                ),
                (
                    "Ask for a real date",
                    'Call or mail your contact: *"Where are we on the signature — what date should I plan '
                    'for?"* Use their answer plus the time procurement needs.',
                ),
                (
                    "Set the new close date",
                    "Pick today or a later date in the **Close date** field. Do not pick tomorrow just to make "
                    "the message go away — your manager sees every slip in the forecast history.",
                ),
                (
                    "Write why it slipped in the next step",
                    '*"Legal review moved to 3 June, signature expected 10 June."* One line saves a question '
                    "in the forecast call.",
                ),
                (
                    "Save",
                    "The message disappears and the deal moves to the right week in the forecast.",
                ),
            )
        },
    },
    {
        "slug": "forecast-categories",
        "kind": "guide",
        "title": "New: the forecast page and forecast categories",
        "summary": "What changed in forecasting this quarter: categories come from the stage, you can move a deal "
        "between Best case and Commit, and the page shows your quarter against quota.",
        "skills": ["forecasting"],
        "tags": ["crm", "forecast", "release-note", "new-feature"],
        "body_md": (
            "From this quarter Acme CRM has a **Forecast** page. It replaces the spreadsheet you sent your "
            "manager every Monday: the numbers now come straight from your opportunities."
        ),
        "payload": {
            "steps": steps(
                (
                    "Categories follow the stage",
                    "Prospecting and Qualification count as **Pipeline**, Proposal as **Best case**, "
                    "Negotiation as **Commit**, Closed won as **Closed**. Closed lost is left out.",
                ),
                (
                    "You can override Best case and Commit",
                    "On the forecast page each open deal in Proposal or Negotiation has a category list. Move a "
                    "Proposal deal to Commit when the buyer has confirmed budget and date in writing; move a "
                    "Negotiation deal back to Best case when legal is stuck.",
                ),
                (
                    "Read the quarter line",
                    "The top line shows Closed, Commit, Best case and Pipeline for the current quarter next to "
                    "your quota. *Closed + Commit* is the number your manager will repeat upwards.",
                ),
                (
                    "Only deals closing this quarter count",
                    "A deal with a close date next quarter is not in this quarter's forecast. That is why an "
                    "honest close date matters more than ever.",
                ),
            )
        },
    },
    {
        "slug": "forecasting-video",
        "kind": "video",
        "title": "Forecasting in Acme CRM: what's new",
        "summary": "A four-minute tour of the forecast page: categories, overrides and the quarter line.",
        "skills": ["forecasting"],
        "tags": ["crm", "forecast", "video", "new-feature"],
        "body_md": "Recorded by Sam Patel, Head of Sales, for the forecasting launch.",
        "payload": {
            "source": "demo/forecasting-video.webm",
            "length_s": 215,
            "chapters": [
                {"start_s": 0, "title": "Goodbye, Monday spreadsheet"},
                {"start_s": 40, "title": "Where the categories come from"},
                {"start_s": 105, "title": "Moving a deal to Commit"},
                {"start_s": 165, "title": "What I look at in the forecast call"},
            ],
            "transcript_vtt": vtt(
                [
                    (
                        0,
                        20,
                        "Hi everyone, Sam here. From this quarter the Monday forecast spreadsheet is gone.",
                    ),
                    (
                        20,
                        40,
                        "Your forecast is now a page in the CRM, built from your opportunities, so it is "
                        "only as good as your stages and close dates.",
                    ),
                    (
                        40,
                        75,
                        "Categories follow the stage. Prospecting and Qualification are Pipeline. "
                        "Proposal is Best case. Negotiation is Commit. Closed won is Closed.",
                    ),
                    (
                        75,
                        105,
                        "Only deals with a close date in this quarter count. If a deal slipped, move the "
                        "date; the CRM won't let an open deal sit in the past anyway.",
                    ),
                    (
                        105,
                        140,
                        "You can override two categories. A Proposal deal where the buyer confirmed "
                        "budget and date in writing can go to Commit.",
                    ),
                    (
                        140,
                        165,
                        "And a Negotiation deal stuck in legal can drop to Best case. Overrides are "
                        "yours; I see them, and I'll ask about them.",
                    ),
                    (
                        165,
                        200,
                        "In the forecast call I look at Closed plus Commit against quota, then at every "
                        "Commit deal without activity in the last two weeks.",
                    ),
                    (
                        200,
                        215,
                        "So log your calls, keep dates honest, and the forecast writes itself. Thanks.",
                    ),
                ]
            ),
        },
    },
    {
        "slug": "opportunity-lifecycle",
        "kind": "process_map",
        "title": "From lead to closed: the opportunity lifecycle",
        "summary": "The path of an Acme deal through the stages, with the decision at each gate.",
        "skills": ["opportunity-stages"],
        "tags": ["crm", "stage", "process", "opportunity"],
        "body_md": "Follow a deal from the first conversation to a signed order form. Each diamond is a question "
        "you answer with evidence from the buyer.",
        "payload": {
            "nodes": [
                {"id": "start", "type": "start", "label": "Named contact with a reason to talk"},
                {"id": "prospecting", "type": "step", "label": "Prospecting: first call logged"},
                {
                    "id": "q1",
                    "type": "decision",
                    "label": "Problem, budget owner and timeline confirmed?",
                },
                {
                    "id": "qualification",
                    "type": "step",
                    "label": "Qualification: discovery notes in CRM",
                },
                {"id": "q2", "type": "decision", "label": "Pricing sent to the budget owner?"},
                {"id": "proposal", "type": "step", "label": "Proposal: amount and close date set"},
                {"id": "q3", "type": "decision", "label": "Buyer working on terms or legal?"},
                {"id": "negotiation", "type": "step", "label": "Negotiation: counts as Commit"},
                {"id": "q4", "type": "decision", "label": "Order form signed?"},
                {"id": "won", "type": "end", "label": "Closed won"},
                {"id": "lost", "type": "end", "label": "Closed lost (record the reason)"},
            ],
            "edges": [
                {"from": "start", "to": "prospecting"},
                {"from": "prospecting", "to": "q1"},
                {"from": "q1", "to": "qualification", "label": "yes"},
                {"from": "q1", "to": "lost", "label": "no after 60 days"},
                {"from": "qualification", "to": "q2"},
                {"from": "q2", "to": "proposal", "label": "yes"},
                {"from": "q2", "to": "lost", "label": "no fit"},
                {"from": "proposal", "to": "q3"},
                {"from": "q3", "to": "negotiation", "label": "yes"},
                {"from": "q3", "to": "lost", "label": "buyer chose another vendor"},
                {"from": "negotiation", "to": "q4"},
                {"from": "q4", "to": "won", "label": "yes"},
                {"from": "q4", "to": "lost", "label": "no"},
            ],
        },
    },
    {
        "slug": "pipeline-hygiene-checklist",
        "kind": "checklist",
        "title": "Friday pipeline hygiene checklist",
        "summary": "Ten minutes every Friday that keep your forecast honest and your Monday forecast call short.",
        "skills": ["pipeline-hygiene", "forecasting"],
        "tags": ["crm", "pipeline", "checklist", "weekly"],
        "body_md": "Block ten minutes on Friday afternoon. Work through the list from the top; the required "
        "items are the ones your manager checks.\n\n"
        "Why Friday: the week's calls are still fresh, and the Monday forecast call is built from what the "
        "CRM says on Friday evening. A deal you fix on Monday morning has already been discussed as it was. "
        "If the list takes much longer than ten minutes, the problem is the week, not the Friday: log calls "
        "as you make them and the list shrinks to a quick look.",
        "payload": {
            "items": [
                {
                    "text": "No open deal has a close date in the past",
                    "details": 'Filter Opportunities by *Mine* and look for **overdue**. Ask each buyer for a real date; see *Fix "Close date is in the past"*.',
                    "required": True,
                },
                {
                    "text": "Every deal in Proposal or later has an amount",
                    "details": "The first-year value from the quote you sent. No quote yet? Then the deal is not in Proposal.",
                    "required": True,
                },
                {
                    "text": "Every open deal has a next step with a date in it",
                    "details": '"Follow up" is not a next step. "Send revised quote to Priya by Thursday" is.',
                    "required": True,
                },
                {
                    "text": "All calls from this week are logged",
                    "details": "Voicemails and no-answers too: they explain the gaps in an account's history.",
                    "required": True,
                },
                {
                    "text": "Deals silent for 60 days are moved to Closed lost with a reason",
                    "details": 'Send one last honest email first (*"Should I close this for now?"*); it gets more replies than any follow-up. No answer in a week: Closed lost, reason *No decision*. You can reopen it any time.',
                    "required": False,
                },
                {
                    "text": "Commit overrides are backed by something the buyer wrote",
                    "details": 'An email or a signed step in their process, linked in the description. *"They sounded positive on the call"* is Best case, not Commit.',
                    "required": False,
                },
                {
                    "text": "Contacts who left their company are marked as such",
                    "details": "An email that bounced or an out-of-office saying they moved on. Ask who took over and add the new contact, so the deal does not go silent without anyone noticing.",
                    "required": False,
                },
            ]
        },
    },
    {
        "slug": "opportunity-stages-quiz",
        "kind": "quiz",
        "title": "Quiz: opportunity stages",
        "summary": "Five questions to check you can place a deal in the right stage.",
        "skills": ["opportunity-stages"],
        "tags": ["crm", "stage", "quiz"],
        "body_md": "Pick the best answer. Each answer explains itself.",
        "payload": {
            "questions": [
                question(
                    "The buyer asked for pricing for 40 seats and you sent it today. Which stage?",
                    (
                        "Qualification",
                        False,
                        "Qualification ends when you send pricing — this deal moved on.",
                    ),
                    (
                        "Proposal",
                        True,
                        "Right: pricing sent means Proposal, and the amount is now required.",
                    ),
                    (
                        "Negotiation",
                        False,
                        "Not yet: Negotiation starts when the buyer works on terms.",
                    ),
                ),
                question(
                    "Which field becomes required when a deal enters Proposal?",
                    (
                        "Amount",
                        True,
                        "Yes — from Proposal on, the amount must be filled and above zero.",
                    ),
                    (
                        "Account",
                        False,
                        "The account is required at every stage, not only from Proposal.",
                    ),
                    ("Loss reason", False, "A loss reason is only asked for Closed lost."),
                ),
                question(
                    "A Negotiation deal's close date passed last week; the buyer's legal team is still "
                    "reviewing. What do you do?",
                    (
                        "Leave it, it will close soon",
                        False,
                        "The CRM will refuse the save, and the forecast "
                        "counts it in the wrong week.",
                    ),
                    (
                        "Ask for a realistic date and move the close date",
                        True,
                        "Yes — and note why it slipped in the next step.",
                    ),
                    (
                        "Move it to Closed lost",
                        False,
                        "Only if the buyer said no or went silent; this one is alive.",
                    ),
                ),
                question(
                    "In which forecast category does a Negotiation deal count by default?",
                    ("Pipeline", False, "Pipeline is Prospecting and Qualification."),
                    ("Best case", False, "Best case is Proposal by default."),
                    ("Commit", True, "Right. You can drop it to Best case if it gets stuck."),
                ),
                question(
                    "Is moving a deal back a stage allowed?",
                    (
                        "No, stages only move forward",
                        False,
                        "They can move back — and should when the deal did.",
                    ),
                    (
                        "Yes, when the deal really moved back",
                        True,
                        "Correct: an honest pipeline beats a pretty one.",
                    ),
                ),
            ]
        },
    },
    {
        "slug": "forecasting-quiz",
        "kind": "quiz",
        "title": "Quiz: the new forecast",
        "summary": "Four questions on forecast categories, overrides and what counts this quarter.",
        "skills": ["forecasting"],
        "tags": ["crm", "forecast", "quiz"],
        "body_md": "Check what you remember from the forecasting launch.",
        "payload": {
            "questions": [
                question(
                    "Which number does your manager report upwards?",
                    ("Pipeline", False, "Pipeline is too early to promise."),
                    ("Closed + Commit", True, "Yes: what is signed plus what you would bet on."),
                    (
                        "Closed + Commit + Best case",
                        False,
                        "Best case is the upside, not the promise.",
                    ),
                ),
                question(
                    "A Proposal deal's buyer confirmed budget and signature date by email. What may you do?",
                    (
                        "Override its category to Commit",
                        True,
                        "Right — written confirmation is the bar.",
                    ),
                    ("Move the stage to Closed won", False, "Not until the order form is signed."),
                    (
                        "Nothing; categories are fixed",
                        False,
                        "Best case and Commit can be overridden on the forecast page.",
                    ),
                ),
                question(
                    "A Commit deal has a close date in the next quarter. Is it in this quarter's forecast?",
                    ("Yes", False, "Only deals closing this quarter count."),
                    ("No", True, "Correct — the close date decides the quarter."),
                ),
                question(
                    "Which category does a Closed lost deal count in?",
                    ("Pipeline", False, "Lost deals do not count anywhere."),
                    ("None — it is omitted", True, "Right."),
                ),
            ]
        },
    },
    {
        "slug": "logging-calls-quiz",
        "kind": "quiz",
        "title": "Quiz: logging calls",
        "summary": "Four quick questions on outcomes, notes and next steps.",
        "skills": ["logging-calls"],
        "tags": ["crm", "calls", "quiz"],
        "body_md": "One minute, four questions.",
        "payload": {
            "questions": [
                question(
                    "You called and got voicemail. Log it?",
                    (
                        "Yes, as Left voicemail",
                        True,
                        "Yes — attempts explain the gaps in the history.",
                    ),
                    (
                        "No, nothing happened",
                        False,
                        "Attempts are history too; your manager reads them.",
                    ),
                ),
                question(
                    "When are notes required?",
                    ("Always", False, "Voicemails and no-answers can be logged without notes."),
                    (
                        "When the outcome is Connected",
                        True,
                        "Right: a real conversation needs two lines.",
                    ),
                    ("Never", False, "A connected call without notes is not saved."),
                ),
                question(
                    "Which is a good next step?",
                    ("Follow up", False, "Too vague: who, what, by when?"),
                    ("Send 40-seat quote to Maria by Thursday", True, "Concrete, owned and dated."),
                ),
                question(
                    "Which follow-up date does the form refuse?",
                    ("Today", False, "Today is fine."),
                    ("Yesterday", True, "Right: a follow-up cannot be in the past."),
                    ("Next month", False, "Later dates are fine."),
                ),
            ]
        },
    },
    {
        "slug": "forecast-call-audio",
        "kind": "audio",
        "title": "The forecast call: what your manager will ask",
        "summary": "Three minutes from Sam Patel on the four questions every rep gets in the Monday forecast call.",
        "skills": ["forecasting", "pipeline-hygiene"],
        "tags": ["crm", "forecast", "audio", "manager"],
        "body_md": "Listen on your way in on Monday. The transcript is below the player.",
        "payload": {
            "source": "demo/forecast-call-audio.mp3",
            "length_s": 180,
            "transcript_vtt": vtt(
                [
                    (
                        0,
                        25,
                        "Morning. This is what I'll ask you in the forecast call, so you can have the "
                        "answers ready.",
                    ),
                    (
                        25,
                        60,
                        "One: what's your Closed plus Commit, and how does it compare with last week? If "
                        "it dropped, tell me which deal moved and why.",
                    ),
                    (
                        60,
                        100,
                        "Two: every Commit deal — when did you last speak to the buyer? If it's more "
                        "than two weeks, I'll ask why it's still Commit.",
                    ),
                    (
                        100,
                        140,
                        "Three: which close dates moved since last week? A slip is fine. A slip "
                        "without a reason in the next step is not.",
                    ),
                    (
                        140,
                        170,
                        "Four: what do you need from me? An executive call, a discount approval, a "
                        "reference customer. Ask early.",
                    ),
                    (170, 180, "That's it. See you at nine."),
                ]
            ),
        },
    },
    {
        "slug": "price-objection-scenario",
        "kind": "scenario",
        "title": '"Your price is too high": handling a discount request',
        "summary": "A buyer at Proposal stage asks for 20% off. Practise trading value instead of giving it away.",
        "skills": ["opportunity-stages", "forecasting"],
        "tags": ["sales", "negotiation", "scenario", "discount"],
        "body_md": "You are on a call with Priya Shah, procurement lead at Globex. Your proposal for 60 seats is "
        "with her.",
        "payload": scenario(
            start="ask",
            nodes=[
                {
                    "id": "ask",
                    "text": 'Priya: "We like the product, but your price is 20% above what we budgeted. Can you '
                    'do something?"',
                    "choices": [
                        {
                            "text": '"Sure, I can take 20% off."',
                            "next": "gave_away",
                            "feedback": "You conceded the whole gap before learning anything about it.",
                        },
                        {
                            "text": '"Help me understand — what is the budget based on?"',
                            "next": "probe",
                            "feedback": "Good: a question before a concession.",
                        },
                        {
                            "text": '"Our price is fixed, sorry."',
                            "next": "wall",
                            "feedback": "A flat no ends the conversation instead of steering it.",
                        },
                    ],
                },
                {
                    "id": "probe",
                    "text": 'Priya: "Last year\'s tool cost us 48,000 for 60 users. Finance set the same number."',
                    "choices": [
                        {
                            "text": '"If we start with 45 seats now and add 15 in Q3, you stay inside this '
                            "year's budget.\"",
                            "next": "trade",
                            "feedback": "You changed the scope, not the price — the deal value stays intact.",
                        },
                        {
                            "text": '"Then I\'ll match 48,000."',
                            "next": "gave_away",
                            "feedback": "Matching the old price teaches the buyer that asking works.",
                        },
                    ],
                },
                {
                    "id": "trade",
                    "text": 'Priya: "That could work if you can hold the per-seat price for the Q3 seats."',
                    "choices": [
                        {
                            "text": '"Agreed, with a signed order by the 30th."',
                            "next": "won",
                            "feedback": "You traded a price hold for a date: a fair exchange that firms up the "
                            "close date.",
                        },
                    ],
                },
                {
                    "id": "won",
                    "text": "Priya agrees to sign by the 30th. Update the amount, keep the stage at "
                    "Negotiation and set the close date to the 30th.",
                    "outcome": "success",
                },
                {
                    "id": "gave_away",
                    "text": "Priya accepts — and asks procurement to push for another 5%. The "
                    "deal closes at a margin your manager has to explain.",
                    "outcome": "failure",
                },
                {
                    "id": "wall",
                    "text": 'Priya says she will "look at alternatives". The deal goes quiet for '
                    "three weeks.",
                    "outcome": "failure",
                },
            ],
        ),
    },
]

# Drafts for the studio: work in progress an author would find there.
DRAFTS = [
    {
        "slug": "renewal-opportunities",
        "kind": "guide",
        "title": "Renewal opportunities (draft)",
        "summary": "How renewals are created 90 days before contract end and who owns them.",
        "skills": ["opportunity-stages"],
        "tags": ["crm", "renewal"],
        "status": "draft",
        "body_md": "Renewals are created automatically 90 days before a contract ends. This guide is being "
        "reviewed with Customer Success before it is published.",
        "payload": {
            "steps": steps(
                ("Find your renewals", "Filter Opportunities by type **Renewal**."),
                (
                    "Confirm the owner",
                    "The account owner owns the renewal unless Customer Success took it over.",
                ),
            )
        },
    },
]
