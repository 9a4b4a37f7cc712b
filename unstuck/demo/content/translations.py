"""Hungarian translations of key units, for Acme's Budapest office."""

from __future__ import annotations

from .format import question, steps

UNITS = [
    {
        "slug": "log-a-call-hu",
        "translation_of": "log-a-call",
        "locale": "hu",
        "kind": "guide",
        "title": "Hívás rögzítése egy perc alatt",
        "summary": "Rögzítsd az értékesítési hívást az eredménnyel, jegyzettel és következő lépéssel, hogy a "
        "pipeline és a vezetőd előrejelzése pontos maradjon.",
        "skills": ["logging-calls"],
        "tags": ["crm", "calls", "log-call", "activity"],
        "body_md": "Minden rögzített ügyfélhívás három dolgot táplál: az ügyféltörténetet, amelyet a kollégáid "
        "hívás előtt elolvasnak, az *utolsó aktivitás* dátumát, és az előrejelzést. Amit nem rögzítesz, az a "
        "CRM szerint meg sem történt.",
        "payload": {
            "steps": steps(
                (
                    "Nyisd meg a Hívás rögzítése oldalt",
                    "A felső sávban válaszd a **Hívás rögzítése** pontot, "
                    "vagy a kapcsolat sorában a **Hívás** gombot — így a kapcsolat már ki is van töltve.",
                ),
                (
                    "Válaszd ki a kapcsolatot és a lehetőséget",
                    "Ha a hívás egy élő üzletről szólt, válaszd ki "
                    "a lehetőséget is: a hívás megjelenik az üzlet idővonalán.",
                ),
                (
                    "Add meg az eredményt",
                    "A **Kapcsolódott** valódi beszélgetést jelent. A **Hangposta** és "
                    "a **Nem vette fel** is kísérletnek számít — ezeket is rögzítsd.",
                ),
                (
                    "Írj két sor jegyzetet",
                    "Kapcsolódott hívásnál a jegyzet kötelező. Azt írd le, amit az "
                    "ügyfél mondott: *„A Q3-as keret jóváhagyva, 40 licencre kér árat.”*",
                ),
                (
                    "Állítsd be a következő lépést",
                    "Konkrét teendő felelőssel: *„40 licences ajánlat "
                    "csütörtökig.”* A követési dátum nem lehet a múltban. Mentés — kész.",
                ),
            )
        },
    },
    {
        "slug": "opportunity-stages-hu",
        "translation_of": "opportunity-stages",
        "locale": "hu",
        "kind": "quick_reference",
        "title": "Lehetőség-szakaszok egy pillantással",
        "summary": "Az Acme-lehetőségek hat szakasza, a belépés feltételei és az előrejelzési kategóriák.",
        "skills": ["opportunity-stages", "forecasting"],
        "tags": ["crm", "stage", "opportunity", "reference"],
        "sections_md": (
            "### A hat szakasz\n"
            "| Szakasz | Akkor lépj ide, ha… | Valószínűség | Előrejelzési kategória |\n"
            "|---|---|---|---|\n"
            "| Prospecting | Van megnevezett kapcsolat és ok a beszélgetésre | 10% | Pipeline |\n"
            "| Qualification | A kapcsolat megerősítette a problémát, a döntéshozót és az ütemezést | 25% "
            "| Pipeline |\n"
            "| Proposal | Elküldted az árajánlatot; innentől **az összeg kötelező** | 50% | Best case |\n"
            "| Negotiation | A vevő a feltételeken vagy jogi átnézésen dolgozik | 75% | Commit |\n"
            "| Closed won | A megrendelőt aláírták | 100% | Closed |\n"
            "| Closed lost | A vevő nemet mondott, vagy 60 napja hallgat | 0% | Kimarad |\n\n"
            "### Mentéskor a CRM ellenőrzi\n"
            "- Minden nyitott lehetőség zárási dátuma **ma vagy későbbi**, és van következő lépése.\n"
            "- A Proposal szakasztól az összeg kötelező, és nagyobb nullánál.\n"
            "- Visszafelé lépni szabad, ha az üzlet valóban visszalépett.\n"
            "\n### Három üzlet, a helyén\n"
            "- *A Globex 60 licencre kért árat, és tegnap megkapta* → **Proposal**, az ajánlat összegével.\n"
            "- *A Northwind jogásza megjegyzésekkel küldte vissza a szerződést* → **Negotiation**.\n"
            "- *A Stark Retail elfogadta a bemutatkozó hívást* → **Prospecting**: még nincs megerősített probléma.\n"
            "\nHa két szakasz is illik, válaszd a korábbit.\n"
        ),
        "payload": {},
    },
    {
        "slug": "fix-close-date-in-the-past-hu",
        "translation_of": "fix-close-date-in-the-past",
        "locale": "hu",
        "kind": "guide",
        "title": "„A zárási dátum a múltban van” hiba javítása",
        "summary": "A CRM nem mentett, mert egy nyitott üzlet zárási dátuma már elmúlt. Így javítsd ki "
        "becsületesen két perc alatt.",
        "skills": ["pipeline-hygiene", "opportunity-stages"],
        "tags": ["crm", "close-date", "error", "close_date_past", "validation"],
        "body_md": "Ez az üzenet csak nyitott üzletnél jelenik meg: ami már le kellett volna záruljon, de nem "
        "zárult le, az csúszó üzlet, és a csúszó üzletek csendben felfújják az előrejelzést.",
        "payload": {
            "steps": steps(
                (
                    "Döntsd el, mi történt",
                    "Lezárult az üzlet? Állítsd **Closed won** vagy **Closed lost** "
                    "szakaszra, a dátum maradhat. Még él? Folytasd.",
                ),
                (
                    "Kérj valós dátumot",
                    "Kérdezd meg a kapcsolatot: *„Hol tart az aláírás, milyen dátummal "
                    "tervezzek?”* A válaszához add hozzá a beszerzés idejét.",
                ),
                (
                    "Állítsd be az új zárási dátumot",
                    "Mai vagy későbbi dátumot válassz. Ne a holnapot csak "
                    "azért, hogy eltűnjön az üzenet — a vezetőd minden csúszást lát.",
                ),
                (
                    "Írd le a csúszás okát a következő lépésben",
                    "*„A jogi átnézés június 3-ra csúszott, aláírás június 10-én várható.”*",
                ),
                (
                    "Mentés",
                    "Az üzenet eltűnik, és az üzlet a megfelelő hétre kerül az előrejelzésben.",
                ),
            )
        },
    },
    {
        "slug": "first-week-checklist-hu",
        "translation_of": "first-week-checklist",
        "locale": "hu",
        "kind": "checklist",
        "title": "Az első heted az Acme-nál",
        "summary": "Amit az első öt napban érdemes elintézned, sorrendben, hogy a második héten már dolgozhass.",
        "skills": ["first-week"],
        "tags": ["onboarding", "new-hire", "checklist", "first-week"],
        "body_md": "Üdv az Acme-nál! A mentorodnak és a vezetődnek is megvan ez a lista. Pipáld ki, amit "
        "elvégeztél — a haladásod megmarad.",
        "payload": {
            "items": [
                {
                    "text": "1. nap: laptop és belépőkártya átvétele az IT-tól (földszint, 0.12)",
                    "required": True,
                },
                {
                    "text": "1. nap: belépés a Google Workspace-be, kétlépcsős azonosítás beállítása",
                    "required": True,
                },
                {"text": "1. nap: ebéd a mentoroddal", "required": False},
                {
                    "text": "2. nap: hozzáférés igénylése a CRM-hez, a support deskhez és a wikihez",
                    "required": True,
                },
                {
                    "text": "2. nap: a biztonsági szabályzat elolvasása és elfogadása a HR-portálon",
                    "required": True,
                },
                {"text": "3. nap: 30 perc a vezetőddel az első 90 nap céljairól", "required": True},
                {
                    "text": "4. nap: a csapatod kezdő egységeinek elvégzése a súgóközpontban",
                    "required": True,
                },
                {
                    "text": "5. nap: írj le három kérdést, ami még nyitott, és vidd el a mentorodnak",
                    "required": False,
                },
            ]
        },
    },
    {
        "slug": "opportunity-stages-quiz-hu",
        "translation_of": "opportunity-stages-quiz",
        "locale": "hu",
        "kind": "quiz",
        "title": "Kvíz: lehetőség-szakaszok",
        "summary": "Három kérdés arról, melyik szakaszba tartozik egy üzlet.",
        "skills": ["opportunity-stages"],
        "tags": ["crm", "stage", "quiz"],
        "body_md": "Válaszd a legjobb választ; minden válasz megmagyarázza magát.",
        "payload": {
            "questions": [
                question(
                    "A vevő 40 licencre kért árat, és ma elküldted. Melyik szakasz?",
                    ("Qualification", False, "A Qualification az ár elküldésével véget ér."),
                    (
                        "Proposal",
                        True,
                        "Így van: elküldött ár = Proposal, és mostantól kötelező az összeg.",
                    ),
                    (
                        "Negotiation",
                        False,
                        "Még nem: a Negotiation akkor kezdődik, amikor a vevő a "
                        "feltételeken dolgozik.",
                    ),
                ),
                question(
                    "Melyik mező válik kötelezővé a Proposal szakaszban?",
                    ("Összeg", True, "Igen — a Proposaltól kitöltendő és nullánál nagyobb."),
                    ("Ügyfél", False, "Az ügyfél minden szakaszban kötelező."),
                ),
                question(
                    "Melyik előrejelzési kategóriába tartozik alapból egy Negotiation üzlet?",
                    ("Pipeline", False, "A Pipeline a Prospecting és a Qualification."),
                    ("Commit", True, "Így van; ha elakad, visszateheted Best case-be."),
                ),
            ]
        },
    },
]
