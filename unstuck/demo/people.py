"""Acme's people: teams, roles and the demo logins.

Every person's `external_id` is their email: the sample CRM names people by email in
the identity tokens it signs, so a login and the CRM user are the same Person.
"""

from __future__ import annotations

# The one password of every demo login; printed by `unstuck demo` and in the README.
DEMO_PASSWORD = "stuck-no-more"

# (name, email, team, job role, locale)
PEOPLE: list[tuple[str, str, str, str, str]] = [
    # L&D
    ("Olivia Brooks", "olivia@acme.example", "L&D", "L&D lead", "en"),
    ("Ethan Clarke", "ethan@acme.example", "L&D", "Instructional designer", "en"),
    ("Rita Kovács", "rita@acme.example", "L&D", "People partner", "hu"),
    # Sales: a manager and twelve reps
    ("Sam Patel", "sam@acme.example", "Sales", "Sales manager", "en"),
    ("Alex Novak", "alex@acme.example", "Sales", "Account executive", "en"),
    ("Bianca Rossi", "bianca@acme.example", "Sales", "Account executive", "en"),
    ("Chen Wei", "chen@acme.example", "Sales", "Account executive", "en"),
    ("Daniel Kim", "daniel@acme.example", "Sales", "Account executive", "en"),
    ("Eva Horváth", "eva@acme.example", "Sales", "Account executive", "hu"),
    ("Farid Haddad", "farid@acme.example", "Sales", "Sales development rep", "en"),
    ("Grace O'Neill", "grace@acme.example", "Sales", "Sales development rep", "en"),
    ("Hugo Martin", "hugo@acme.example", "Sales", "Account executive", "en"),
    ("Ines Costa", "ines@acme.example", "Sales", "Account executive", "en"),
    ("Jakub Dvořák", "jakub@acme.example", "Sales", "Sales development rep", "en"),
    ("Kata Szabó", "kata@acme.example", "Sales", "Account executive", "hu"),
    ("Liam Murphy", "liam@acme.example", "Sales", "Account executive", "en"),
    # Support
    ("Lena Fischer", "lena@acme.example", "Support", "Support team lead", "en"),
    ("Marco Bianchi", "marco@acme.example", "Support", "Support agent", "en"),
    ("Nora Lindqvist", "nora@acme.example", "Support", "Support agent", "en"),
    ("Omar Aziz", "omar@acme.example", "Support", "Support agent", "en"),
    ("Paula Nagy", "paula@acme.example", "Support", "Support agent", "hu"),
    ("Quentin Moreau", "quentin@acme.example", "Support", "Support agent", "en"),
    ("Rosa Jiménez", "rosa@acme.example", "Support", "Support agent", "en"),
    ("Tariq Hassan", "tariq@acme.example", "Support", "Support engineer", "en"),
    # Project management
    ("Jonas Weber", "jonas@acme.example", "Project management", "Delivery lead", "en"),
    ("Ursula Klein", "ursula@acme.example", "Project management", "Project manager", "en"),
    ("Viktor Tóth", "viktor@acme.example", "Project management", "Project manager", "hu"),
    ("Wen Li", "wen@acme.example", "Project management", "Scrum master", "en"),
    ("Yara Saleh", "yara@acme.example", "Project management", "Product owner", "en"),
    # New hires
    ("Zoe Adams", "zoe@acme.example", "New hires", "Account executive (new)", "en"),
    ("Bence Kiss", "bence@acme.example", "New hires", "Support agent (new)", "hu"),
    ("Chloe Martin", "chloe@acme.example", "New hires", "Project manager (new)", "en"),
    ("Dmitri Orlov", "dmitri@acme.example", "New hires", "Sales development rep (new)", "en"),
]

# (label, email, role, managed teams): the logins of the web side, in the order printed.
LOGINS: list[tuple[str, str, str, list[str]]] = [
    ("owner", "olivia@acme.example", "owner", []),
    ("author", "ethan@acme.example", "author", []),
    ("manager", "sam@acme.example", "manager", ["Sales"]),
    ("learner", "alex@acme.example", "learner", []),
    ("learner", "zoe@acme.example", "learner", []),
]
