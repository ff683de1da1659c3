"""Demo standards book, part 1: how we talk to customers.

Each entry: slug, title, category, channels (codes, or channel kinds), review interval, and its
versions oldest first. A later version repeats only what changed (body, criteria, situations).
"""

# ruff: noqa: E501 - prose reads better unwrapped

COMMUNICATION = "Communication"

GREETING = {
    "slug": "greeting-the-customer",
    "title": "Greeting the customer",
    "category": COMMUNICATION,
    "channels": ["phone", "chat", "email", "social", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 420,
            "kind": "major",
            "summary": "First version of the greeting standard.",
            "body": """The first seconds of a contact decide how the customer hears everything after them. We greet every customer the same way on every channel: quickly, by name where we know it, and with the company greeting.

## On the phone

Answer within three rings and say: "Good morning, Northwind Service, this is Anna. How can I help you?"

## In writing

Open every chat, e-mail and message with a greeting and your first name.

## In the office

Look up, make eye contact and greet the visitor as soon as they come in.
""",
            "criteria": [
                ("Answers the phone within 3 rings", 2, False),
                ("Uses the company greeting with own first name", 3, True),
                ("Greets an office visitor on entering", 2, False),
            ],
            "situations": [
                (
                    "The customer starts talking before the greeting",
                    "Starts describing the problem the moment the call connects.",
                    'Let them finish the first sentence, then: "Good morning, Northwind Service, this is Anna. I\'m listening."',
                ),
            ],
        },
        {
            "days_ago": 240,
            "kind": "major",
            "summary": "Measured the greeting in seconds instead of rings; added the chat greeting time.",
            "body": """The first seconds of a contact decide how the customer hears everything after them. We greet every customer the same way on every channel: quickly, by name where we know it, and with the company greeting.

## On the phone

Answer within 5 seconds of the call being put through and say: "Good morning, Northwind Service, this is Anna. How can I help you?"

## In chat and messengers

Send the first personal greeting within 30 seconds of the customer's first message. An automatic "Thank you for writing" does not count.

## By e-mail

Open with "Dear Mr Smith" or "Dear Ms Smith" when the name is known, otherwise "Hello". Sign with your first name and the team name.

## In the office

Look up, make eye contact and greet the visitor within 10 seconds of them coming in, even when you are serving someone else.
""",
            "criteria": [
                (
                    "Greets within the first 5 seconds of the call, using the company greeting",
                    3,
                    True,
                ),
                ("Says own first name in the greeting", 2, False),
                ("Sends a personal chat greeting within 30 seconds of the first message", 3, False),
                ("Addresses an e-mail customer by surname when it is known", 1, False),
                ("Greets an office visitor within 10 seconds of entering", 2, False),
            ],
        },
        {
            "days_ago": 35,
            "kind": "minor",
            "summary": "Fixed the wording of the phone greeting and two typos.",
            "body": """The first seconds of a contact decide how the customer hears everything after them. We greet every customer the same way on every channel: quickly, by name where we know it, and with the company greeting.

## On the phone

Answer within 5 seconds of the call being put through and say: "Good morning, Northwind Service, Anna speaking. How can I help you?" After 12:00 say "Good afternoon".

## In chat and messengers

Send the first personal greeting within 30 seconds of the customer's first message. An automatic "Thank you for writing" does not count.

## By e-mail

Open with "Dear Mr Smith" or "Dear Ms Smith" when the name is known, otherwise "Hello". Sign with your first name and the team name.

## In the office

Look up, make eye contact and greet the visitor within 10 seconds of them coming in, even when you are serving someone else: "Good morning, I'll be with you in a moment."
""",
            "situations": [
                (
                    "The customer starts talking before the greeting",
                    "Starts describing the problem the moment the call connects.",
                    'Let them finish the first sentence, then: "Good morning, Northwind Service, Anna speaking. I\'m listening."',
                ),
                (
                    "A visitor arrives while you are with another customer",
                    "Stands at the door or in the queue, looking around.",
                    'Make eye contact within 10 seconds, smile and say: "Good morning, I\'ll be with you in a moment." Tell them the expected wait if it is longer than 5 minutes.',
                ),
                (
                    "A returning chat customer",
                    'Writes "Hi, it\'s me again about my order."',
                    "Greet them by name, say you can see the earlier conversation, and summarise it in one sentence so they do not have to repeat it.",
                ),
            ],
        },
    ],
}

ACTIVE_LISTENING = {
    "slug": "active-listening",
    "title": "Active listening",
    "category": COMMUNICATION,
    "channels": ["phone", "chat", "office", "messenger"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 300,
            "kind": "major",
            "summary": "First version.",
            "body": """Customers forgive a lot when they feel heard. Listening is something the customer can notice: we let them finish, we show we are following, and we check that we understood before we act.

- Do not interrupt; wait until the customer has finished the sentence.
- On the phone, show you are there: short confirmations ("yes", "I see") at least every 20 seconds of a long explanation.
- Take notes in the ticket while the customer speaks, not afterwards.
- Before proposing a solution, summarise the problem in one or two sentences and ask "Did I get that right?"
""",
            "criteria": [
                ("Does not interrupt the customer while they describe the problem", 3, False),
                ("Summarises the problem in their own words before proposing a solution", 3, True),
                ("Asks at least one clarifying question when the request is ambiguous", 2, False),
                ("Records the customer's words in the ticket during the contact", 1, False),
            ],
            "situations": [
                (
                    "A long, unstructured story",
                    "Talks for several minutes about the history of the problem, jumping between topics.",
                    'Listen without interrupting, note the key facts, then: "Let me check I have understood: your order arrived damaged on Monday, and the replacement has not arrived. Is that right?"',
                ),
            ],
        },
        {
            "days_ago": 60,
            "kind": "major",
            "summary": "Added how to listen in writing (chat and messengers).",
            "body": """Customers forgive a lot when they feel heard. Listening is something the customer can notice: we let them finish, we show we are following, and we check that we understood before we act.

## In a conversation

- Do not interrupt; wait until the customer has finished the sentence.
- On the phone, show you are there: short confirmations ("yes", "I see") at least every 20 seconds of a long explanation.
- Take notes in the ticket while the customer speaks, not afterwards.
- Before proposing a solution, summarise the problem in one or two sentences and ask "Did I get that right?"

## In writing

- Read the whole message, including earlier messages in the thread, before replying.
- Answer every question the customer asked, in the order they asked them.
- Quote the customer's own words when you confirm what they need.
""",
            "criteria": [
                ("Does not interrupt the customer while they describe the problem", 3, False),
                ("Summarises the problem in their own words before proposing a solution", 3, True),
                ("Asks at least one clarifying question when the request is ambiguous", 2, False),
                ("Answers every question in a written message", 3, True),
                ("Records the customer's words in the ticket during the contact", 1, False),
            ],
            "situations": [
                (
                    "A long, unstructured story",
                    "Talks for several minutes about the history of the problem, jumping between topics.",
                    'Listen without interrupting, note the key facts, then: "Let me check I have understood: your order arrived damaged on Monday, and the replacement has not arrived. Is that right?"',
                ),
                (
                    "Three questions in one e-mail",
                    "Asks about a refund, a delivery date and a discount code in one message.",
                    "Answer all three, numbered in the same order. If one needs more time, say which one and when you will answer it.",
                ),
            ],
        },
    ],
}

COMPOSURE = {
    "slug": "composure-in-a-conflict",
    "title": "Composure in a conflict",
    "category": COMMUNICATION,
    "channels": ["phone", "chat", "email", "social", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 150,
            "kind": "major",
            "summary": "First version.",
            "body": """An angry customer is angry about a situation, not about you. Our job is to lower the temperature and move to the solution. We stay calm, polite and factual, whatever the tone of the customer.

1. Let the customer say everything they need to say.
2. Acknowledge the emotion without arguing: "I understand this is very frustrating."
3. Move to facts and the next step: what you will do, and when.
4. Never raise your voice, never use sarcasm, never blame a colleague or another department.

Insults are not accepted. After **one** polite warning you may end the contact; record why in the ticket and tell your team leader the same day.
""",
            "criteria": [
                ("Keeps an even, polite tone throughout the contact", 3, True),
                ("Acknowledges the customer's emotion in words", 2, False),
                ("Does not blame a colleague, department or the customer", 3, True),
                ("States a concrete next step and its time", 2, False),
                ("Gives one warning before ending an abusive contact and records it", 2, False),
            ],
            "situations": [
                (
                    "The customer shouts",
                    '"This is the third time I\'m calling! Nobody in your company knows what they are doing!"',
                    "\"I'm sorry you have had to call three times; that should not happen. I have your earlier calls in front of me, and I'll stay with this until it is settled. Today I will...\"",
                ),
                (
                    "A public complaint on social media",
                    "Posts an angry comment under the company's post, with a photo of a damaged parcel.",
                    "Reply publicly within the channel's response time: apologise, and invite them to a private message to sort it out. Never discuss order details in public.",
                ),
                (
                    "Personal insults",
                    "Insults the employee by name.",
                    '"I want to help you, and I can do that if we keep the conversation respectful." If the insults continue: "I am ending this call now. You can reach us again at any time." Record it in the ticket.',
                ),
            ],
        },
    ],
    "pending": {
        "kind": "minor",
        "summary": "Clarified who to tell after ending an abusive contact.",
        "body": """An angry customer is angry about a situation, not about you. Our job is to lower the temperature and move to the solution. We stay calm, polite and factual, whatever the tone of the customer.

1. Let the customer say everything they need to say.
2. Acknowledge the emotion without arguing: "I understand this is very frustrating."
3. Move to facts and the next step: what you will do, and when.
4. Never raise your voice, never use sarcasm, never blame a colleague or another department.

Insults are not accepted. After **one** polite warning you may end the contact; record why in the ticket and tell your team leader before the end of your shift.
""",
    },
}

LANGUAGE = {
    "slug": "language-of-service",
    "title": "Language of service",
    "category": COMMUNICATION,
    "channels": ["phone", "chat", "email", "social", "messenger", "office"],
    "interval": 6,
    "versions": [
        {
            "days_ago": 230,
            "kind": "major",
            "summary": "First version.",
            "body": """We speak the customer's language: plain, polite, positive and free of jargon.

## Plain

Short sentences. No internal terms ("RMA", "L2", "ticket escalation"): say "return", "our specialist team", "I am passing your case on".

## Polite

"Please", "thank you" and the customer's name. Formal address (Mr/Ms, or the formal "you" in Polish and Russian) until the customer offers otherwise.

## Positive

Say what we **can** do. Instead of "We can't deliver before Friday", say "The earliest we can deliver is Friday."

## Words we do not use

| Instead of | Say |
|---|---|
| "That's not my department" | "I'll put you through to the colleague who handles this" |
| "You have to..." | "Could you please..." |
| "Calm down" | "I understand, let's sort this out" |
| "No problem" | "Gladly" |
""",
            "criteria": [
                ("Uses no internal jargon or abbreviations with the customer", 2, False),
                ("Uses the formal form of address unless the customer offers otherwise", 2, False),
                ('Phrases limits as what can be done ("the earliest we can...")', 2, False),
                ("Uses none of the listed forbidden phrases", 3, True),
            ],
            "situations": [
                (
                    "The customer uses informal language",
                    'Writes "hey mate, where\'s my stuff??"',
                    'Stay polite and a little warmer, without copying slang: "Hello! Let me check where your parcel is right now."',
                ),
            ],
        },
    ],
}

EMPATHY = {
    "slug": "empathy",
    "title": "Empathy",
    "category": COMMUNICATION,
    "channels": ["phone", "chat", "messenger", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 180,
            "kind": "major",
            "summary": "First version.",
            "body": """Empathy means showing the customer that we understand how the situation affects **them**, and acting on it. It is not agreeing with everything, and it is not a script.

- Name the impact in the customer's terms: "So you've been without internet for two days while working from home."
- Match the seriousness of the situation: a bereavement, an illness or a financial loss is never answered with a cheerful template.
- Offer what helps in their circumstances: a call-back at a time that suits them, a temporary solution, a contact person.
""",
            "criteria": [
                ("Names the impact of the problem on the customer in their terms", 3, False),
                ("Adapts tone to the seriousness of the customer's situation", 2, True),
                ("Offers at least one option that fits the customer's circumstances", 2, False),
            ],
            "situations": [
                (
                    "A bereavement",
                    "Calls to close the account of a family member who has died.",
                    '"I\'m very sorry for your loss." Slow down, explain the steps simply, offer to send the list by e-mail, and do not try to sell or retain.',
                ),
                (
                    "A customer who depends on the service for work",
                    '"I work from home and I\'ve lost two days of work because of this outage."',
                    "Acknowledge the cost to them, give the earliest fix time, and offer a temporary solution (e.g. mobile data) if there is one.",
                ),
            ],
        },
    ],
}

ADAPTING = {
    "slug": "adapting-to-the-customer",
    "title": "Adapting to the customer",
    "category": COMMUNICATION,
    "channels": ["phone", "chat", "email", "office"],
    "interval": 12,
    "versions": [
        {
            "days_ago": 120,
            "kind": "major",
            "summary": "First version.",
            "body": """Customers differ: in pace, in how much detail they want, in how they prefer to be contacted. We adjust to the customer, not the customer to us.

- **Pace**: a customer in a hurry gets the answer first and the explanation after; a careful customer gets the steps one at a time.
- **Detail**: ask "Would you like the short version or the details?" when unsure.
- **Channel**: offer to continue in the customer's preferred channel (call-back, e-mail summary).
- **Accessibility**: for customers with hearing, sight or language difficulties, slow down, offer written confirmation and check understanding.
""",
            "criteria": [
                ("Adapts the pace and amount of detail to the customer", 2, False),
                ("Offers a written summary when the solution has more than 3 steps", 2, False),
                ("Offers to continue in the customer's preferred channel", 1, False),
            ],
            "situations": [
                (
                    "An elderly customer struggling with the app",
                    '"I don\'t understand these buttons, my grandson usually does it."',
                    "Offer to go through it together step by step, one instruction at a time, and confirm each step. Offer to send the steps by post or e-mail.",
                ),
                (
                    "A customer in a hurry",
                    '"I have two minutes, just tell me if it\'s delivered today."',
                    'Answer the question in the first sentence ("Yes, between 14:00 and 16:00"), then offer the details by text message.',
                ),
            ],
        },
    ],
}

STANDARDS = [GREETING, ACTIVE_LISTENING, COMPOSURE, LANGUAGE, EMPATHY, ADAPTING]
