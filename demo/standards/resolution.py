"""Demo standards book, part 2: resolving, closing, selling, offices, channels, judgement."""

# ruff: noqa: E501 - prose reads better unwrapped

RESOLUTION = "Resolution"
CHANNELS = "Channels and response times"
OFFICE = "Office"
SALES = "Sales"

FIRST_CONTACT = {
    "slug": "resolving-on-the-first-contact",
    "title": "Resolving on the first contact",
    "category": RESOLUTION,
    "channels": ["phone", "chat", "email", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 380,
            "kind": "major",
            "summary": "First version.",
            "body": """Every contact the customer has to make again costs them time and costs us trust. We aim to settle the request in the first contact, and we own it when we cannot.

- Check the customer's history before answering.
- Use everything you are allowed to decide yourself: refunds up to 200 PLN, replacement shipments, appointment changes.
- If a colleague is needed, bring them in during the contact (warm transfer or a chat consult).
""",
            "criteria": [
                ("Checks the customer's contact history before answering", 2, False),
                ("Resolves within own authority without passing the case on", 3, False),
                ("Uses a warm transfer when another team is needed", 2, False),
            ],
            "situations": [
                (
                    "A refund within your limit",
                    "Asks for a refund of 120 PLN for a late delivery.",
                    "Decide and process it during the contact; confirm the amount and the date the money arrives.",
                ),
            ],
        },
        {
            "days_ago": 90,
            "kind": "major",
            "summary": "Raised the refund limit to 300 PLN and defined what counts as resolved.",
            "body": """Every contact the customer has to make again costs them time and costs us trust. We aim to settle the request in the first contact, and we own it when we cannot.

A request is **resolved on the first contact** when the customer does not need to contact us again about the same issue within 7 days.

- Check the customer's history before answering.
- Use everything you are allowed to decide yourself: refunds up to 300 PLN, replacement shipments, appointment changes.
- If a colleague is needed, bring them in during the contact (warm transfer or a chat consult).
- If it cannot be resolved now, **you** keep the case: give your name, the next step and its time.
""",
            "criteria": [
                ("Checks the customer's contact history before answering", 2, False),
                (
                    "Resolves within own authority (refunds up to 300 PLN) without passing the case on",
                    3,
                    False,
                ),
                ("Uses a warm transfer when another team is needed", 2, False),
                ("Keeps ownership of an unresolved case and gives own name", 3, True),
            ],
            "situations": [
                (
                    "A refund within your limit",
                    "Asks for a refund of 250 PLN for a late delivery.",
                    "Decide and process it during the contact; confirm the amount and the date the money arrives.",
                ),
                (
                    "A technical fault only the specialists can fix",
                    "The device shows an error code the first line cannot clear.",
                    "Consult the specialist team in chat while the customer waits (at most 3 minutes, with updates every minute). If they cannot fix it now, book the specialist call-back and give its time.",
                ),
            ],
        },
    ],
}

NEXT_STEPS = {
    "slug": "what-happens-next-and-when",
    "title": "Telling the customer what happens next and when",
    "category": RESOLUTION,
    "channels": ["phone", "chat", "email", "social", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 355,
            "kind": "major",
            "summary": "First version.",
            "body": """Uncertainty is what makes customers call again. Before every contact ends, the customer knows **what** happens next, **who** does it and **when**, as a date or time, never "soon".

- Give a time we can keep, with a margin: "by Thursday 18:00", not "in a day or two".
- If the customer has to do something, say exactly what and how.
- Confirm in writing (e-mail or text message) when there are more than two steps or a date more than 2 days away.
- If a promised time cannot be kept, tell the customer **before** it passes.
""",
            "criteria": [
                ("States the next step, who takes it and a concrete date or time", 3, True),
                ('Uses no vague time words ("soon", "shortly", "as soon as possible")', 2, False),
                ("Sends a written confirmation for multi-step or distant follow-ups", 2, False),
                ("Contacts the customer before a promised time is missed", 3, False),
            ],
            "situations": [
                (
                    'The customer asks "when will it be fixed?" and you do not know',
                    '"So when will the technician come?"',
                    "\"I'll have the technician's date by 15:00 today and I'll call you before 15:30 to tell you.\" Then do it.",
                ),
                (
                    "A delay on our side",
                    "The promised replacement will not ship on time.",
                    "Call or write before the promised date: apologise, give the new date, and what we offer for the delay.",
                ),
            ],
        },
    ],
}

CLOSING = {
    "slug": "the-closing-question",
    "title": "The closing question",
    "category": RESOLUTION,
    "channels": ["phone", "chat", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 200,
            "kind": "major",
            "summary": "First version.",
            "body": """Before ending a contact we make sure nothing is left open. We ask: **"How else can I help you?"**, not "Is that all?", which invites a "yes".

Then we close warmly: thank the customer, use their name, and wish them a good day.
""",
            "criteria": [
                ('Asks "How else can I help you?" before closing', 2, False),
                ("Thanks the customer by name at the end", 1, False),
                ("Lets the customer end the call or chat", 1, False),
            ],
            "situations": [
                (
                    "The customer raises a new topic",
                    '"Actually, yes, while I have you: my invoice address is wrong."',
                    "Treat it as a full request: listen, solve or give the next step, then ask the closing question again.",
                ),
            ],
        },
    ],
}

SELLING = {
    "slug": "cross-and-up-selling-without-pressure",
    "title": "Cross- and up-selling without pressure",
    "category": SALES,
    "channels": ["phone", "chat", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 160,
            "kind": "major",
            "summary": "First version.",
            "body": """We offer more only when it helps the customer, and only after their request is settled.

1. Solve the request first. No offer to a customer whose problem is still open or who is upset.
2. Make at most **one** offer per contact, linked to what the customer told you.
3. Say the price and the conditions plainly, including any commitment period.
4. Accept the first "no". Do not repeat the offer in the same contact.
""",
            "criteria": [
                ("Makes an offer only after the customer's request is resolved", 3, True),
                ("Links the offer to a need the customer mentioned", 2, False),
                ("States price and commitment period clearly", 3, True),
                ("Accepts the first refusal without repeating the offer", 2, False),
            ],
            "situations": [
                (
                    "A customer mentions a need you have a product for",
                    '"The Wi-Fi never reaches my home office upstairs."',
                    'After the request is solved: "You mentioned the Wi-Fi upstairs. A mesh extender would cover it for 15 PLN a month, cancel any time. Would you like to hear more?"',
                ),
                (
                    "The customer says no",
                    '"No thanks, not now."',
                    '"Of course." Move on to the closing question; do not mention the offer again.',
                ),
            ],
        },
    ],
}

PREMISES = {
    "slug": "premises-and-appearance",
    "title": "Premises and appearance in our offices",
    "category": OFFICE,
    "channels": ["office"],
    "interval": 6,
    "versions": [
        {
            "days_ago": 260,
            "kind": "major",
            "summary": "First version.",
            "body": """The office is the company's face. Customers judge us by what they see before we say a word.

## Premises

- The entrance, waiting area and counters are checked at opening and every 2 hours: clean, tidy, leaflets in order.
- Opening hours are on the door and correct, including holidays.
- A numbered queue ticket machine works; the waiting time is shown.
- Seating for at least 4 waiting customers; water available.

## Appearance

- Company uniform or business casual in company colours; name badge visible.
- No eating or private phone calls at the counter.
""",
            "criteria": [
                ("Entrance, waiting area and counters clean and tidy at inspection", 2, False),
                ("Opening hours on the door match the calendar", 2, False),
                ("Employee wears a visible name badge", 2, False),
                ("No eating or private calls at the counter", 2, True),
            ],
            "situations": [
                (
                    "The queue machine is broken",
                    "Customers are unsure who is next and start arguing.",
                    'Apologise, take over the order personally ("I\'ll call you in order of arrival"), report the fault to the facilities team at once.',
                ),
            ],
        },
    ],
}

RESPONSE_TIMES = {
    "slug": "response-times-per-channel",
    "title": "Response times per channel",
    "category": CHANNELS,
    "channels": ["phone", "chat", "email", "social", "messenger", "office"],
    "interval": 6,
    "versions": [
        {
            "days_ago": 330,
            "kind": "major",
            "summary": "First version.",
            "body": """Customers choose a channel expecting a certain speed. These are the times within which a person (not an automatic reply) answers, during the channel's opening hours.

| Channel | First response | Resolution or next step |
|---|---|---|
| Phone | 80% of calls within 20 seconds | during the call |
| Chat | 90% within 60 seconds | during the chat |
| E-mail | within 8 business hours | within 2 business days |
| Social media | within 2 hours | within 1 business day |
| Messengers | within 15 minutes | within 1 business day |
| Office | queue wait under 10 minutes | during the visit |

The SLA module measures these times for every contact.
""",
            "criteria": [
                ("First response within the channel's time in the table", 3, True),
                ("The first response is written by a person, not a template alone", 2, False),
                ("Next step given within the channel's resolution time", 2, False),
            ],
            "situations": [
                (
                    "An e-mail arrives on Friday evening",
                    "Sent at 19:30 on Friday; the e-mail team works Monday to Friday 9:00-18:00.",
                    "The 8 business hours start on Monday at 9:00, so the answer is due by 17:00 on Monday. The automatic reply says when to expect it.",
                ),
            ],
        },
        {
            "days_ago": 25,
            "kind": "minor",
            "summary": "E-mail first response shortened to 4 business hours after the new team joined.",
            "body": """Customers choose a channel expecting a certain speed. These are the times within which a person (not an automatic reply) answers, during the channel's opening hours.

| Channel | First response | Resolution or next step |
|---|---|---|
| Phone | 80% of calls within 20 seconds | during the call |
| Chat | 90% within 60 seconds | during the chat |
| E-mail | within 4 business hours | within 2 business days |
| Social media | within 2 hours | within 1 business day |
| Messengers | within 15 minutes | within 1 business day |
| Office | queue wait under 10 minutes | during the visit |

The SLA module measures these times for every contact.
""",
            "situations": [
                (
                    "An e-mail arrives on Friday evening",
                    "Sent at 19:30 on Friday; the e-mail team works Monday to Friday 9:00-18:00.",
                    "The 4 business hours start on Monday at 9:00, so the answer is due by 13:00 on Monday. The automatic reply says when to expect it.",
                ),
            ],
        },
    ],
}

UNCOVERED = {
    "slug": "situations-no-standard-covers",
    "title": "Handling situations no standard covers",
    "category": RESOLUTION,
    "channels": ["phone", "chat", "email", "social", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 100,
            "kind": "major",
            "summary": "First version.",
            "body": """No book of standards foresees everything. When you meet a situation none of our standards covers, decide as the customer's advocate within the company's interest, and let us learn from it.

1. Ask: what would a fair, reasonable company do for this customer?
2. Stay within your authority; for anything above it, ask your team leader **during** the contact.
3. Tell the customer honestly what you can and cannot do, and what happens next.
4. Record the case with the tag `no-standard` so the standards owner can review it. Cases that repeat become new standards or typical situations.
""",
            "criteria": [
                (
                    "Acts within own authority or consults the team leader during the contact",
                    3,
                    True,
                ),
                ("Explains honestly what can and cannot be done", 2, False),
                ('Tags the ticket "no-standard" with a short description', 1, False),
            ],
            "situations": [
                (
                    "An unusual request",
                    "Asks to have a parcel delivered to a hospital ward.",
                    "Check with the courier team during the contact whether it is possible; if not, offer the nearest pick-up point and tag the case.",
                ),
            ],
        },
    ],
}

STANDARDS = [FIRST_CONTACT, NEXT_STEPS, CLOSING, SELLING, PREMISES, RESPONSE_TIMES, UNCOVERED]
