"""Synonym groups: words and phrases that mean the same thing to the person asking.

The built-in groups are general Dutch/English workplace vocabulary (HR, ICT, facilities,
finance, communication). The comms team extends them in config (``[wheres] synonyms``) or
in a synonyms file (``[wheres] synonyms_file``) without a release. Every phrase is analysed
like any text, so ``"Pay slip"`` and ``"pay-slip"`` are the same phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import snowballstemmer
import yaml

from commands.wheres.text import words

DEFAULT_GROUPS: tuple[tuple[str, ...], ...] = (
    # pay and HR
    ("loonstrook", "salarisstrook", "salarisspecificatie", "loonspecificatie", "payslip",
     "pay slip", "salary slip", "payroll"),
    ("salaris", "loon", "salary", "pay", "wages"),
    ("betaaldatum", "uitbetaling", "payday", "pay day", "pay date", "salarisdatum"),
    ("verlof", "vakantie", "vrije dag", "vrij nemen", "leave", "holiday", "vacation", "day off",
     "time off"),
    ("ziek", "ziekmelding", "ziekmelden", "sick", "ill", "illness", "sick leave"),
    ("declaratie", "declareren", "onkosten", "expense", "expenses", "expense claim", "claim",
     "bonnetje", "bonnetjes", "receipt", "receipts"),
    ("vergoeding", "tegemoetkoming", "allowance", "compensation", "reimbursement"),
    ("reiskosten", "reiskostenvergoeding", "travel expenses", "travel allowance",
     "commuting allowance", "woon-werkverkeer", "woonwerkverkeer", "commute", "commuting"),
    ("ov", "openbaar vervoer", "public transport", "trein", "train", "bus"),
    ("eindejaarsuitkering", "dertiende maand", "13e maand", "year-end bonus", "13th month"),
    ("bedrijfsarts", "arboarts", "arbo arts", "company doctor", "occupational physician",
     "occupational health"),
    ("afspraak", "appointment"),
    ("pesten", "gepest", "bullying", "bullied", "intimidatie", "ongewenst gedrag", "harassment"),
    ("verhuizen", "verhuizing", "adreswijziging", "nieuw adres", "moving house",
     "change of address"),
    ("nevenwerkzaamheden", "nevenfunctie", "bijbaan", "side job", "second job"),
    ("opladen", "laden", "laadpaal", "oplaadpunt", "charge", "charging"),
    ("thuiswerken", "thuis werken", "werken vanuit huis", "remote work", "work from home",
     "working from home", "homeworking"),
    ("pensioen", "pension", "retirement"),
    ("contract", "arbeidsovereenkomst", "employment contract"),
    ("opleiding", "cursus", "training", "course", "scholing", "studie"),
    ("leidinggevende", "teamleider", "manager", "baas", "supervisor", "boss"),
    ("collega", "collegas", "medewerker", "medewerkers", "colleague", "colleagues", "staff"),
    ("personeelszaken", "hr", "human resources", "p&o"),
    ("integriteit", "integrity"),
    ("gedragscode", "code of conduct", "integriteitscode", "gedragsregels"),
    ("vertrouwenspersoon", "confidential advisor", "confidential counsellor"),
    ("werkkleding", "bedrijfskleding", "uniform", "workwear", "work clothes"),
    ("schoenen", "shoes", "werkschoenen", "veiligheidsschoenen", "safety shoes"),
    # ICT
    ("storing", "probleem", "kapot", "defect", "stuk", "werkt niet", "problem", "issue",
     "broken", "outage", "not working", "error", "fout"),
    ("computer", "laptop", "pc", "werkplek", "desktop", "notebook"),
    ("helpdesk", "servicedesk", "service desk", "ict", "it", "ict helpdesk", "it support",
     "support"),
    ("wachtwoord", "password", "inlogcode", "wachtwoorden", "passwords"),
    ("vergeten", "forgot", "forgotten", "kwijt", "lost"),
    ("inloggen", "login", "log in", "aanmelden", "sign in"),
    ("wifi", "wi-fi", "wlan", "draadloos", "wireless", "internet", "netwerk", "network"),
    ("printer", "printen", "afdrukken", "print", "printing"),
    ("telefoon", "mobiel", "smartphone", "phone", "mobile", "gsm"),
    ("mail", "email", "e-mail", "outlook", "inbox"),
    ("sjabloon", "template", "huisstijl", "format", "briefpapier", "templates"),
    # facilities
    ("vergaderruimte", "vergaderzaal", "spreekkamer", "meeting room", "conference room",
     "room", "rooms"),
    ("reserveren", "boeken", "book", "booking", "reserve", "reservation", "reservering",
     "inplannen", "schedule"),
    ("auto", "car", "dienstauto", "poolauto", "company car", "pool car", "vehicle"),
    ("parkeren", "parkeerplaats", "parking", "park", "parkeerkaart"),
    ("fiets", "bike", "bicycle"),
    ("fietsenstalling", "fietsenkelder", "bike parking", "bicycle parking", "bike shed"),
    ("receptie", "reception", "front desk", "balie", "desk"),
    ("bezoeker", "bezoekers", "gast", "gasten", "visitor", "visitors", "guest", "guests"),
    ("sleutel", "key", "pas", "toegangspas", "badge", "access card"),
    ("kantine", "restaurant", "canteen", "lunch", "bedrijfsrestaurant"),
    ("openingstijden", "geopend", "open", "opening hours", "openingsuren", "hours", "dicht",
     "gesloten", "closed", "sluitingstijd", "closing time"),
    ("rooster", "planning", "dienstrooster", "schedule", "rota", "roster", "diensten"),
    # finance and documents
    ("factuur", "facturen", "invoice", "invoices", "bill", "rekening", "nota"),
    ("goedkeuren", "akkoord", "fiatteren", "accorderen", "approve", "approval", "sign off"),
    ("inkoop", "bestellen", "bestelling", "purchase", "order", "procurement", "aanschaffen",
     "kopen", "buy"),
    ("budget", "begroting", "budgethouder", "budget holder"),
    ("post", "poststuk", "brief", "brieven", "mail item", "correspondence", "letter",
     "letters"),
    ("archief", "archiveren", "archive", "records"),
    ("registreren", "registratie", "vastleggen", "inschrijven", "register", "record", "log"),
    ("formulier", "aanvraagformulier", "form", "forms"),
    ("aanvragen", "aanvraag", "request", "apply", "application", "vraag aan"),
    ("melding", "meldingen", "klacht", "report", "complaint", "notification"),
    # communication and governance
    ("delen", "plaatsen", "posten", "share", "sharing", "publiceren", "publish"),
    ("bericht", "berichten", "message", "nieuwsbericht", "nieuws", "news"),
    ("intranet", "startpagina", "homepage", "portal", "portaal"),
    ("vergadering", "vergaderen", "overleg", "meeting", "bijeenkomst"),
    ("gemeenteraad", "raad", "council", "city council", "raadsvergadering", "council meeting"),
    ("agenda", "kalender", "calendar", "vergaderkalender"),
    ("inwoner", "inwoners", "burger", "burgers", "resident", "residents", "citizen",
     "citizens"),
    ("openbare ruimte", "straat", "stoep", "public space", "street", "pavement", "sidewalk"),
    ("paspoort", "passport", "identiteitskaart", "id kaart", "id card", "rijbewijs"),
    ("gemeente", "municipality", "council office"),
    # buildings and safety
    ("gebouw", "pand", "building", "office building", "kantoor", "office"),
    ("verdieping", "etage", "floor", "storey"),
    ("lift", "elevator"),
    ("ehbo", "eerste hulp", "first aid", "aed"),
    ("bhv", "bedrijfshulpverlening", "bedrijfshulpverlener", "emergency response officer"),
    ("ontruiming", "evacuatie", "evacuation", "brandalarm", "fire alarm", "fire drill"),
    ("calamiteit", "noodgeval", "emergency", "nood"),
    ("kluisje", "locker", "lockers"),
    ("gevonden voorwerpen", "lost and found", "lost property"),
    # work and HR
    ("vacature", "vacatures", "vacancy", "vacancies", "job opening", "interne vacature"),
    ("werktijden", "arbeidstijden", "werkuren", "working hours", "work hours"),
    ("overwerk", "overuren", "overtime"),
    ("ouderschapsverlof", "parental leave"),
    ("geboorteverlof", "zwangerschapsverlof", "bevallingsverlof", "maternity leave",
     "paternity leave", "birth leave"),
    ("salarisschaal", "inschaling", "schaal", "salary scale", "pay scale", "grade"),
    ("nieuwe medewerker", "inwerken", "onboarding", "new employee", "new starter"),
    ("ontslag", "uitdiensttreding", "ontslag nemen", "resignation", "resign", "leaving"),
    ("functioneringsgesprek", "beoordelingsgesprek", "jaargesprek", "appraisal",
     "performance review"),
    ("fietsplan", "bike plan", "cycle to work scheme"),
    ("sport", "fitness", "sporten", "gym"),
    # ICT
    ("beeldscherm", "scherm", "monitor", "screen"),
    ("headset", "koptelefoon", "headphones"),
    ("videobellen", "beeldbellen", "videogesprek", "video call", "teams meeting", "zoom"),
    ("software", "programma", "applicatie", "app", "application"),
    ("installeren", "install", "installation", "installatie"),
    ("toegang", "rechten", "autorisatie", "access", "permissions", "rights"),
    ("account", "gebruikersaccount", "user account", "gebruikersnaam", "username"),
    ("tweestapsverificatie", "2fa", "mfa", "authenticator", "two factor authentication"),
    ("vpn", "op afstand", "remote access", "remote"),
    # municipal services
    ("afval", "vuilnis", "container", "waste", "garbage", "rubbish"),
    ("vergunning", "vergunningen", "permit", "permits", "licence", "license"),
    ("subsidie", "subsidies", "grant", "subsidy"),
    ("belasting", "belastingen", "gemeentelijke belastingen", "tax", "taxes"),
    ("huwelijk", "trouwen", "marriage", "wedding"),
    ("overlijden", "overleden", "death", "deceased"),
    ("geboorte", "aangifte geboorte", "birth", "birth registration"),
    ("adres", "address", "locatie", "location"),
    ("telefoonnummer", "nummer", "phone number", "bellen", "call", "contact"),
)


class Synonyms:
    """Phrase -> the other phrases of its groups, as tuples of folded words.

    Phrases are looked up by their Dutch stems, so ``kapotte`` finds the group of ``kapot``
    and ``meldingen`` that of ``melding``; the alternatives come back as written.
    """

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self._stem = lru_cache(maxsize=100_000)(snowballstemmer.stemmer("dutch").stemWord)
        self._alts: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        self._exact: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        self._words: set[str] = set()
        self.max_len = 1
        for group in groups:
            phrases = {tuple(words(p)) for p in group} - {()}
            for phrase in phrases:
                self._alts.setdefault(self._key(phrase), set()).update(phrases - {phrase})
                self._exact.setdefault(phrase, set()).update(phrases - {phrase})
                if len(phrase) == 1:  # "end" of "year-end bonus" is no word of its own
                    self._words.update(phrase)
                self.max_len = max(self.max_len, len(phrase))

    def _key(self, phrase: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self._stem(w) for w in phrase)

    def alternatives(self, phrase: tuple[str, ...]) -> set[tuple[str, ...]]:
        # The phrase as written wins over its stem (``post`` is mail; ``posten`` is sharing).
        found = self._exact.get(phrase)
        if found is not None:
            return found
        return self._alts.get(self._key(phrase), set()) - {phrase}

    def __contains__(self, phrase: tuple[str, ...]) -> bool:
        return phrase in self._exact or self._key(phrase) in self._alts

    def vocabulary(self) -> set[str]:
        """The one-word phrases: known words for compound splitting and typo fixes."""
        return set(self._words)


def load_groups(path: Path) -> list[list[str]]:
    """A YAML list of lists of phrases (one list per group)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list) or not all(isinstance(g, list) for g in data):
        raise ValueError(f"{path}: expected a list of lists of phrases")
    return [[str(p) for p in group] for group in data]


def build_synonyms(extra: Iterable[Sequence[str]] = (), *, defaults: bool = True) -> Synonyms:
    groups: list[Sequence[str]] = list(DEFAULT_GROUPS) if defaults else []
    groups.extend(extra)
    return Synonyms(groups)
