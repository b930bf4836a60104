"""What news looks like outside English: months, datelines, trailers, wire credits, quotation
marks and number formats for de, es, fr, it, pt, nl, pl, tr and ar.

One table per concern, keyed by language code; the English rules stay where they were
(`calendar`, `numbers`, `clean.dateline`, `clean.trailers`) and these are consulted for an
article whose identified language is one of these. Everything here is pure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# ---- months ---------------------------------------------------------------------------------
# Every spelling of each month (nominative and, where a date uses it, genitive), 1-12.
_MONTHS: dict[str, tuple[str, ...]] = {
    "de": ("januar jänner", "februar feber", "märz maerz", "april", "mai", "juni", "juli",
           "august", "september", "oktober", "november", "dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre setiembre", "octubre", "noviembre", "diciembre"),
    "fr": ("janvier", "février fevrier", "mars", "avril", "mai", "juin", "juillet",
           "août aout", "septembre", "octobre", "novembre", "décembre decembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "pt": ("janeiro", "fevereiro", "março marco", "abril", "maio", "junho", "julho",
           "agosto", "setembro", "outubro", "novembro", "dezembro"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "pl": ("styczeń stycznia", "luty lutego", "marzec marca", "kwiecień kwietnia",
           "maj maja", "czerwiec czerwca", "lipiec lipca", "sierpień sierpnia",
           "wrzesień września", "październik października", "listopad listopada",
           "grudzień grudnia"),
    "tr": ("ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos",
           "eylül", "ekim", "kasım", "aralık"),
    # Egyptian/Gulf names, then the Levantine (Syriac) ones of the same months
    "ar": ("يناير كانون_الثاني", "فبراير شباط", "مارس آذار", "أبريل إبريل نيسان",
           "مايو أيار", "يونيو يونيه حزيران", "يوليو يوليه تموز", "أغسطس آب",
           "سبتمبر أيلول", "أكتوبر تشرين_الأول", "نوفمبر تشرين_الثاني", "ديسمبر كانون_الأول"),
}
MONTHS: dict[str, dict[str, int]] = {
    lang: {spelling.replace("_", " "): n for n, group in enumerate(names, 1)
           for spelling in group.split()}
    for lang, names in _MONTHS.items()
}
LANGUAGES = frozenset(MONTHS)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


# "3. März 2024", "3 de marzo de 2024", "le 3 mars 2024", "3 Mart 2024", "3 مارس 2024"
_DATES = {
    lang: re.compile(
        rf"(?<!\d)(?P<day>\d{{1,2}})(?:\.|º|er)?\s+(?:de\s+)?(?P<month>{_alternation(list(m))})"
        rf"\.?\s+(?:de\s+|del\s+)?(?P<year>(?:19|20)\d\d)(?!\d)",
        re.I)
    for lang, m in MONTHS.items()
}


def find_native_date(text: str, lang: str | None) -> datetime | None:
    """The first full date (day, month name, year) written the way `lang` writes it."""
    pattern = _DATES.get(lang or "")
    if pattern is None:
        return None
    for m in pattern.finditer(text):
        month = MONTHS[lang or ""].get(m.group("month").lower())
        if month is None:
            continue
        try:
            return datetime(int(m.group("year")), month, int(m.group("day")), tzinfo=UTC)
        except ValueError:
            continue  # 31 February: not a date
    return None


def calendar_words(lang: str | None) -> frozenset[str]:
    """Month names of `lang`: capitalised in some languages, never an event's identity."""
    return frozenset(MONTHS.get(lang or "", {}))


# ---- trailers and "read more" -------------------------------------------------------------
_TRAILERS: dict[str, str] = {
    "de": r"mehr zum thema|lesen sie (auch|mehr)|weiterlesen|auch interessant|"
          r"das könnte sie auch interessieren|mehr (dazu|nachrichten)|kommentare?\s*(\(\d+\))?\s*$",
    "es": r"lee también|lea también|leer más|te puede interesar|noticias relacionadas|"
          r"más información|comentarios?\s*$",
    "fr": r"lire aussi|à lire aussi|lire la suite|sur le même sujet|voir aussi|"
          r"ces articles peuvent vous intéresser|commentaires?\s*$",
    "it": r"leggi anche|leggi l'articolo|potrebbe interessarti|articoli correlati|"
          r"commenti\s*$",
    "pt": r"leia (também|mais)|saiba mais|veja também|notícias relacionadas|comentários\s*$",
    "nl": r"lees (ook|meer|verder)|meer over|gerelateerde artikelen|reacties\s*$",
    "pl": r"czytaj (też|także|więcej|dalej)|zobacz (też|także|również)|"
          r"polecamy|komentarze\s*$",
    "tr": r"devamını oku|ayrıca (bakınız|okuyun)|ilgili haberler|bunlar da ilginizi|"
          r"yorumlar\s*$",
    "ar": r"اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد|مواضيع ذات صلة|أخبار ذات صلة|شاهد أيضا",
}
TRAILER_HEAD = {lang: re.compile(rf"^\s*(?:{p})\s*:?", re.I) for lang, p in _TRAILERS.items()}


def is_trailer_head(line: str, lang: str | None) -> bool:
    """Whether `line` opens a "read more" / related-articles block in `lang`."""
    pattern = TRAILER_HEAD.get(lang or "")
    return bool(pattern and pattern.match(line))


# ---- wire credits ---------------------------------------------------------------------------
# Agencies by the names they are credited with in these languages' press.
WIRES: dict[str, str] = {
    "dpa": "dpa", "afp": "AFP", "ap": "AP", "reuters": "Reuters", "kna": "KNA", "epd": "epd",
    "apa": "APA", "sda": "SDA", "efe": "EFE", "europa press": "Europa Press", "ansa": "ANSA",
    "agi": "AGI", "adnkronos": "Adnkronos", "lusa": "Lusa", "agência brasil": "Agência Brasil",
    "anp": "ANP", "belga": "Belga", "pap": "PAP", "aa": "Anadolu", "anadolu ajansı": "Anadolu",
    "iha": "İHA", "dha": "DHA", "wam": "WAM", "mena": "MENA", "sana": "SANA", "spa": "SPA",
    "qna": "QNA", "kuna": "KUNA", "رويترز": "Reuters", "فرانس برس": "AFP", "أ ف ب": "AFP",
}
_WIRE = _alternation(list(WIRES))


def wire_agency(credited: str) -> str:
    """The agency's name for a credit as written ("İHA", "Dpa" → "İHA", "dpa"); a spelling
    the table does not hold comes back as written."""
    key = credited.lower().replace("i\u0307", "i")  # Turkish İ lower-cases to i + dot
    return WIRES.get(key, credited)
# "(dpa)", "mit dpa", "/dpa", "Quelle: dpa", "(EFE) -", "— AFP", "(AA)"
_CREDIT = re.compile(
    rf"(?:\((?P<a>{_WIRE})\)|(?:\bcon información de|\bcom informações d[ae]|"
    rf"\bmit material von|\bmit|\bcon|\bavec|\bcom|\bmet|\bz|\bile|quelle:|fuente:|"
    rf"source\s?:|fonte:|bron:|źródło:|kaynak:|المصدر:)\s*(?P<b>{_WIRE})\b|"
    rf"(?:^|\s)/\s?(?P<c>{_WIRE})\s*$)",
    re.I | re.M)


def native_credits(text: str, lang: str | None) -> list[str]:
    """Wire agencies credited in the head or tail of an article in `lang`, once each."""
    if lang not in LANGUAGES:
        return []
    found: dict[str, None] = {}
    for part in (text[:1500], text[-600:]):
        for m in _CREDIT.finditer(part):
            found.setdefault(wire_agency(m.group("a") or m.group("b") or m.group("c")), None)
    return list(found)


# ---- datelines ------------------------------------------------------------------------------
# "Berlin (dpa) -", "MADRID, 3 mar (EFE).-", "Paris (AFP) -", "İSTANBUL (AA) -"
_DATELINE = re.compile(
    rf"^\s*(?P<place>[A-ZÀ-ÞĄĆĘŁŃÓŚŹŻİÇĞÖŞÜ][\wÀ-ÿ'’.\-]+(?:[ /\-][A-ZÀ-Þ][\wÀ-ÿ'’.\-]+){{0,2}})"
    rf"(?:,\s*\d{{1,2}}\.?\s+\w+\.?)?\s*\((?P<wire>{_WIRE})\)\s*\.?\s*(?:[—–:-]|\.-)",
    re.I)


def native_dateline(text: str) -> tuple[str, str] | None:
    """(place, agency) of a dateline in the continental style, or None."""
    m = _DATELINE.match(text)
    if not m:
        return None
    return m.group("place").strip(" ,").title(), wire_agency(m.group("wire"))


# ---- quotation marks ------------------------------------------------------------------------
# Opening mark → the closing marks that end it, per convention: German „…“ and ‚…‘ (and
# »…« in books), French « … », Spanish/Italian/Portuguese «…», Polish „…”, CJK 「…」『…』.
QUOTE_PAIRS: dict[str, str] = {"„": "“”", "‚": "‘’", "«": "»", "»": "«", "「": "」",
                               "『": "』", "“": "”", "‘": "’"}
_OPEN = "".join(re.escape(o) for o in QUOTE_PAIRS)


def quotations(text: str, min_chars: int = 3) -> list[str]:
    """Quoted passages under any of these conventions (content only, not nested)."""
    out = []
    i = 0
    while i < len(text):
        closers = QUOTE_PAIRS.get(text[i])
        if closers:
            end = min((j for j in (text.find(c, i + 1) for c in closers) if j > i),
                      default=-1)
            if end > i:
                inner = text[i + 1 : end].strip()
                if len(inner) >= min_chars:
                    out.append(inner)
                i = end + 1
                continue
        i += 1
    return out


# ---- numbers --------------------------------------------------------------------------------
# Languages writing 1.234,5 (full-stop groups, decimal comma); fr and pl group with a (thin)
# space, 1 234,5; English and Arabic in Latin digits write 1,234.5.
DECIMAL_COMMA = frozenset({"de", "es", "it", "pt", "nl", "tr", "fr", "pl"})
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")


def parse_number(token: str, lang: str | None) -> float | None:
    """The value of a figure as `lang` writes it ("1.234,5" in de → 1234.5), or None.

    A lone separator followed by exactly three digits is a thousands group in every one of
    these languages ("12.000" in de, "12,000" in en); otherwise the language decides which
    mark is the decimal one.
    """
    t = _SPACES.sub("", token.translate(_ARABIC_DIGITS)).strip()
    if not t or not re.fullmatch(r"[+-]?\d[\d.,']*", t) or t[-1] in ".,":
        return None
    t = t.replace("'", "")  # Swiss grouping
    decimal, group = (",", ".") if lang in DECIMAL_COMMA else (".", ",")
    marks = re.findall(r"[.,]", t)
    if len(set(marks)) == 1 and re.fullmatch(r"[+-]?\d{1,3}(?:[.,]\d{3})+", t):
        return float(re.sub(r"[.,]", "", t))  # only thousands groups
    t = t.replace(group, "").replace(decimal, ".")
    try:
        return float(t)
    except ValueError:
        return None


def figure_key(token: str, lang: str | None) -> str:
    """A figure's language-free spelling ("1.234,5" de and "1,234.5" en → "1234.5");
    anything that is not a number comes back as it was."""
    value = parse_number(token, lang)
    if value is None:
        return token
    return str(int(value)) if value.is_integer() else repr(value)
