"""Country names, matched from a list (the NER model misses many, especially in lower-case text)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from prefloop.curator.scrub.recognizers.base import Recognizer
from prefloop.curator.scrub.types import PiiSpan

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["CountryRecognizer"]

COUNTRIES: tuple[str, ...] = tuple(
    line.strip()
    for line in """
    Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|Azerbaijan
    Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina
    Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cabo Verde|Cape Verde|Cambodia|Cameroon|Canada
    Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|Democratic Republic of the Congo
    Republic of the Congo|Costa Rica|Côte d'Ivoire|Cote d'Ivoire|Ivory Coast|Croatia|Cuba|Cyprus|Czechia
    Czech Republic|Denmark|Djibouti|Dominica|Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea
    Eritrea|Estonia|Eswatini|Swaziland|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece
    Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq
    Ireland|Republic of Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait
    Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi
    Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia
    Montenegro|Morocco|Mozambique|Myanmar|Burma|Namibia|Nauru|Nepal|Netherlands|Kingdom of the Netherlands
    New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Macedonia|Norway|Oman|Pakistan|Palau
    Palestine|Panama|Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia
    Russian Federation|Rwanda|Saint Kitts and Nevis|Saint Lucia|Saint Vincent and the Grenadines|Samoa
    San Marino|Sao Tome and Principe|São Tomé and Príncipe|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone
    Singapore|Slovakia|Slovenia|Solomon Islands|Somalia|South Africa|South Korea|Korea|South Sudan|Spain
    Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Timor-Leste
    East Timor|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan|Tuvalu|Uganda|Ukraine
    United Arab Emirates|United Kingdom|Great Britain|England|Scotland|Wales|Northern Ireland|United States
    United States of America|Uruguay|Uzbekistan|Vanuatu|Vatican City|Venezuela|Vietnam|Viet Nam|Yemen|Zambia
    Zimbabwe|People's Republic of China|Hong Kong|Macau|Puerto Rico|Greenland|Faroe Islands|Bermuda
    """.replace("\n", "|").split("|")
    if line.strip()
)
#: Country names that are also common words or first names: only capitalised, and not before a feature word.
_AMBIGUOUS = frozenset(
    {"chad", "china", "turkey", "jordan", "georgia", "guinea", "niger", "israel", "india", "wales"}
)
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
_FEATURE_AFTER = re.compile(
    r"\s+(?:river|valley|sea|lake|ocean|mountains?|desert|pig|pigs|fowl|hen|sandwich|plates?|cups?|dish)\b",
    re.IGNORECASE,
)


class CountryRecognizer(Recognizer):
    """Country names as LOCATION; in fully lower-case text too, except names that are also ordinary words."""

    NAME = "country"
    ENTITY_TYPES = ("LOCATION",)
    SCORE = 0.65

    def load(self) -> None:
        if self._loaded:
            return
        names = sorted(COUNTRIES, key=len, reverse=True)
        alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
        self._first_words = frozenset(name.split()[0].lower() for name in COUNTRIES)
        self._loaded = True

    def analyze(self, text: str, doc: Doc | None = None) -> list[PiiSpan]:
        if not self._loaded:
            self.load()
        if self._first_words.isdisjoint(word.lower() for word in _WORDS.findall(text)):
            return []
        spans = []
        for match in self._pattern.finditer(text):
            value = match.group()
            if not (value[0].isupper() or value.islower()):
                continue  # odd casing: not written as a name
            if value.lower() in _AMBIGUOUS and (value.islower() or _FEATURE_AFTER.match(text, match.end())):
                continue
            spans.append(PiiSpan("LOCATION", match.start(), match.end(), self.SCORE, self.name))
        return spans
