"""Values of evaluation set 3 (chat): hand-written name, street, city and phone pools of 13 locales.

Nothing here comes from faker, mimesis or presidio-research: the pools were written for this set, by hand, from
how names, streets, postcodes and phone numbers of each country look (including shapes the other generators do
not write: ``030/1234567``, ``+33 (0)6 …``, ``(11) 91234-5678``, ``Mah. … Sok. No: 12 D: 4``). Identifiers with a
checksum (IBAN, card) are built with their real structure.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.pii_mimesis_values import make_iban


@dataclass(frozen=True)
class Locale:
    """One country's pools; ``street`` and ``phone`` draw a value with the generator given."""

    code: str
    first: tuple[str, ...]
    last: tuple[str, ...]
    cities: tuple[str, ...]
    street: Callable[[random.Random], str]
    postcode_city: Callable[[random.Random, str], str]
    phone: Callable[[random.Random], str]


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


_GB_STREETS = (
    "Marlowe",
    "Holly Bank",
    "Chantry",
    "Kestrel",
    "Wharfedale",
    "Sycamore",
    "Ravensworth",
    "Abbotsford",
)
_US_STREETS = (
    "Juniper",
    "Sandpiper",
    "W 34th",
    "Old Mill",
    "Cottonwood",
    "Larkspur",
    "Briar Hollow",
    "Mesquite",
)
_DE_STREETS = (
    "Lindenhof",
    "Hagebutten",
    "Kastanien",
    "Mühlbach",
    "Sonnenhang",
    "Birken",
    "Fischer",
    "Eichendorff",
)
_FR_STREETS = (
    "des Lilas",
    "du Moulin",
    "Victor Hugo",
    "des Tanneurs",
    "de la Gare",
    "Saint-Éloi",
    "des Capucins",
)
_ES_STREETS = ("del Olivo", "de la Alameda", "Mayor", "de los Tilos", "San Bernardo", "del Pilar", "de Goya")
_IT_STREETS = ("dei Mille", "Garibaldi", "delle Rose", "San Felice", "del Carmine", "Manin", "dei Tigli")
_NL_STREETS = ("Lijnbaans", "Kastanje", "Prinsen", "Vogelenzang", "Molen", "Beuken", "Zuider")
_PL_STREETS = ("Lipowa", "Słoneczna", "Kościuszki", "Ogrodowa", "Żwirki i Wigury", "Polna", "Wiśniowa")
_BR_STREETS = ("das Palmeiras", "Augusta", "dos Andradas", "Bela Cintra", "Tiradentes", "das Acácias")
_SE_STREETS = ("Björk", "Kvarn", "Linné", "Sjö", "Ekhags", "Tall", "Skol")
_IN_STREETS = ("Laxmi Road", "Nehru Nagar Road", "MG Road", "Station Road", "Link Road", "Church Street")
_NG_STREETS = ("Adeola Odeku", "Awolowo", "Bode Thomas", "Ogunlana", "Allen", "Obafemi")
_TR_STREETS = ("Gül", "Çınar", "Menekşe", "Bahar", "Lale", "Papatya")


LOCALES: tuple[Locale, ...] = (
    Locale(
        "en-gb",
        ("Tamsin", "Rhys", "Harriet", "Callum", "Imogen", "Ewan", "Freya", "Niamh", "Hamish", "Poppy", "Dev", "Kerys"),
        ("Hollis", "Pemberton", "Ashworth", "Cadwallader", "Finch", "Oduya", "Thackeray", "Lomax", "Birtwistle", "Rook"),
        ("Leeds", "Norwich", "Swansea", "Stockport", "Carlisle", "Truro", "Harrogate", "Dundee"),
        lambda r: f"{r.randint(1, 240)} {r.choice(_GB_STREETS)} {_pick(r, 'Road', 'Close', 'Crescent', 'Mews', 'Terrace', 'Gardens', 'Walk', 'Row')}",
        lambda r, c: f"{c} {r.choice('LSNBHMD')}{r.choice('SRE')}{r.randint(1, 19)} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}{r.choice('ABDEFGHJLNPQRSTUWXYZ')}",
        lambda r: _pick(r, f"07700 900{_d(r, 3)}", f"+44 7700 900{_d(r, 3)}", f"0113 496 0{_d(r, 3)}",
                        f"(0161) 496 0{_d(r, 3)}", f"+44 (0)20 7946 0{_d(r, 3)}", f"07700-900-{_d(r, 3)}"),
    ),
    Locale(
        "en-us",
        ("Kaylee", "Marcus", "Delaney", "Trevor", "Jolene", "Darnell", "Brynn", "Tucker", "Maribel", "Hollis", "Shay"),
        ("Whitacre", "Okonkwo", "Delgado", "Brubaker", "Kowalski", "Huang", "Pettigrew", "Lindqvist", "Castellano"),
        ("Tucson", "Boise", "Dayton", "Albany", "Fresno", "Spokane", "Savannah", "Duluth"),
        lambda r: f"{r.randint(10, 9899)} {r.choice(_US_STREETS)} {_pick(r, 'St', 'Ave', 'Blvd', 'Dr', 'Ct', 'Pkwy', 'Ln', 'Trail', 'Loop')}"
        + _pick(r, "", "", f", Apt {r.randint(1, 40)}{r.choice('ABCD')}", f" #{r.randint(100, 999)}"),
        lambda r, c: f"{c}, {_pick(r, 'AZ', 'ID', 'OH', 'NY', 'CA', 'WA', 'GA', 'MN')} {_d(r, 5)}",
        lambda r: _pick(r, f"({_d(r, 3)}) 555-01{_d(r, 2)}", f"{_d(r, 3)}-555-01{_d(r, 2)}", f"{_d(r, 3)}.555.01{_d(r, 2)}",
                        f"+1 {_d(r, 3)} 555 01{_d(r, 2)}", f"1-{_d(r, 3)}-555-01{_d(r, 2)} ext. {_d(r, 3)}"),
    ),
    Locale(
        "de-de",
        ("Jannik", "Svenja", "Malte", "Wiebke", "Henrike", "Ole", "Frauke", "Torben", "Leonie", "Kai-Uwe", "Gesa"),
        ("Brinkmann", "Wohlgemuth", "Hansen", "Pfeiffer", "Kowalczyk", "Oberdorfer", "Lüdecke", "Strobel", "Ahrens"),
        ("Bielefeld", "Kassel", "Rostock", "Göttingen", "Ulm", "Lüneburg", "Paderborn", "Erfurt"),
        lambda r: _pick(r, f"{r.choice(_DE_STREETS)}straße {r.randint(1, 120)}", f"{r.choice(_DE_STREETS)}weg {r.randint(1, 60)}{_pick(r, '', 'a', 'b')}",
                        f"Am {r.choice(_DE_STREETS)}hof {r.randint(1, 40)}", f"{r.choice(_DE_STREETS)}str. {r.randint(1, 90)}"),
        lambda r, c: f"{_d(r, 5)} {c}",
        lambda r: _pick(r, f"0151 {_d(r, 8)}", f"+49 30 {_d(r, 7)}", f"030/{_d(r, 7)}", f"(0221) {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}",
                        f"+49 (0) 171 {_d(r, 7)}", f"0176-{_d(r, 8)}"),
    ),
    Locale(
        "fr-fr",
        ("Maëlle", "Théo", "Clémence", "Baptiste", "Solène", "Gaëtan", "Anaïs", "Yannick", "Ombeline", "Loïc"),
        ("Lefèvre", "Garnier", "Rousseau-Perrin", "Benoît", "Chevallier", "Mabire", "Delacroix", "Fauchon", "Le Goff"),
        ("Lyon", "Nantes", "Rennes", "Grenoble", "Dijon", "Angers", "Besançon", "Brest"),
        lambda r: _pick(r, f"{r.randint(1, 120)} rue {r.choice(_FR_STREETS)}", f"{r.randint(1, 60)} bis, impasse {r.choice(_FR_STREETS)}",
                        f"{r.randint(1, 200)} avenue {r.choice(_FR_STREETS)}", f"{r.randint(1, 30)}, allée {r.choice(_FR_STREETS)}"),
        lambda r, c: f"{_d(r, 2)}{_pick(r, '000', '100', '200', '300')} {c}",
        lambda r: _pick(r, f"06 {_d(r, 2)} {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}", f"+33 6 {_d(r, 2)} {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}",
                        f"+33 (0)6 {_d(r, 2)} {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}", f"07.{_d(r, 2)}.{_d(r, 2)}.{_d(r, 2)}.{_d(r, 2)}",
                        f"01 {_d(r, 2)} {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}"),
    ),
    Locale(
        "es-es",
        ("Itziar", "Álvaro", "Nerea", "Íñigo", "Begoña", "Rubén", "Ainhoa", "Jacobo", "Maite", "Sergi"),
        ("Etxeberria", "Carrasco", "Villalobos", "Quintana", "Ferrer", "de la Fuente", "Ibarra", "Soler", "Montañés"),
        ("Zaragoza", "Valladolid", "Murcia", "Gijón", "Salamanca", "Cádiz", "Logroño", "Vigo"),
        lambda r: _pick(r, f"Calle {r.choice(_ES_STREETS)} {r.randint(1, 90)}, {r.randint(1, 8)}º {r.choice('ABCD')}",
                        f"Avda. {r.choice(_ES_STREETS)}, {r.randint(1, 200)}", f"C/ {r.choice(_ES_STREETS)} {r.randint(1, 70)}",
                        f"Plaza {r.choice(_ES_STREETS)} {r.randint(1, 30)}, bajo"),
        lambda r, c: f"{_d(r, 5)} {c}",
        lambda r: _pick(r, f"6{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}", f"+34 6{_d(r, 2)} {_d(r, 2)} {_d(r, 2)} {_d(r, 2)}",
                        f"91 {_d(r, 3)} {_d(r, 2)} {_d(r, 2)}", f"(+34) 7{_d(r, 8)}"),
    ),
    Locale(
        "it-it",
        ("Ginevra", "Matteo", "Ludovica", "Tommaso", "Azzurra", "Pietro", "Carolina", "Edoardo", "Noemi", "Gianluca"),
        ("Ferraresi", "Lombardo", "De Santis", "Bellucci", "Ruggiero", "Piras", "Zanetti", "Caputo", "Montanari"),
        ("Bologna", "Parma", "Lecce", "Trento", "Bergamo", "Perugia", "Cagliari", "Udine"),
        lambda r: _pick(r, f"Via {r.choice(_IT_STREETS)} {r.randint(1, 150)}", f"Piazza {r.choice(_IT_STREETS)}, {r.randint(1, 30)}",
                        f"Corso {r.choice(_IT_STREETS)} {r.randint(1, 200)}/{r.choice('ABC')}", f"Viale {r.choice(_IT_STREETS)} {r.randint(1, 80)}, int. {r.randint(1, 12)}"),
        lambda r, c: f"{_d(r, 5)} {c}{_pick(r, '', ' (' + c[:2].upper() + ')')}",
        lambda r: _pick(r, f"347 {_d(r, 3)} {_d(r, 4)}", f"+39 347 {_d(r, 7)}", f"06 {_d(r, 4)} {_d(r, 4)}", f"+39 333-{_d(r, 7)}",
                        f"0039 328 {_d(r, 3)} {_d(r, 4)}"),
    ),
    Locale(
        "nl-nl",
        ("Sanne", "Joost", "Femke", "Bram", "Lieke", "Thijs", "Anouk", "Wouter", "Maartje", "Sem"),
        ("van den Broek", "Verhoeven", "de Wit", "Kuipers", "Bakker", "van Leeuwen", "Smit", "Hoekstra", "Dijkman"),
        ("Utrecht", "Zwolle", "Haarlem", "Groningen", "Nijmegen", "Leiden", "Delft", "Breda"),
        lambda r: _pick(r, f"{r.choice(_NL_STREETS)}straat {r.randint(1, 200)}", f"{r.choice(_NL_STREETS)}gracht {r.randint(1, 300)}-{r.choice(['I', 'II', 'hs'])}",
                        f"{r.choice(_NL_STREETS)}laan {r.randint(1, 90)}{_pick(r, '', 'A', 'bis')}"),
        lambda r, c: f"{_d(r, 4)} {r.choice('ABCDEGHJKLMNPRT')}{r.choice('ABCDEGHJKLMNPRT')} {c}",
        lambda r: _pick(r, f"06-{_d(r, 8)}", f"+31 6 {_d(r, 4)} {_d(r, 4)}", f"020 {_d(r, 3)} {_d(r, 4)}", f"+31 (0)30 {_d(r, 7)}"),
    ),
    Locale(
        "pl-pl",
        ("Zuzanna", "Bartosz", "Agnieszka", "Wojciech", "Małgorzata", "Jędrzej", "Oliwia", "Szymon", "Iwona"),
        ("Wiśniewska", "Grabowski", "Zielińska", "Kaczmarek", "Pawlak", "Szczepański", "Dąbrowska", "Mazur"),
        ("Kraków", "Wrocław", "Poznań", "Gdańsk", "Lublin", "Toruń", "Białystok", "Rzeszów"),
        lambda r: _pick(r, f"ul. {r.choice(_PL_STREETS)} {r.randint(1, 80)} m. {r.randint(1, 40)}", f"ul. {r.choice(_PL_STREETS)} {r.randint(1, 120)}/{r.randint(1, 30)}",
                        f"al. {r.choice(_PL_STREETS)} {r.randint(1, 60)}"),
        lambda r, c: f"{_d(r, 2)}-{_d(r, 3)} {c}",
        lambda r: _pick(r, f"512 {_d(r, 3)} {_d(r, 3)}", f"+48 512-{_d(r, 3)}-{_d(r, 3)}", f"(22) {_d(r, 3)} {_d(r, 2)} {_d(r, 2)}",
                        f"+48 6{_d(r, 2)} {_d(r, 3)} {_d(r, 3)}"),
    ),
    Locale(
        "pt-br",
        ("Thiago", "Luana", "Caio", "Yasmin", "Rafaela", "Guilherme", "Bianca", "Otávio", "Letícia", "Wesley"),
        ("Figueiredo", "Nascimento", "Cavalcanti", "Albuquerque", "Rocha", "Siqueira", "Teixeira", "Moura"),
        ("Campinas", "Curitiba", "Recife", "Belém", "Florianópolis", "Goiânia", "Manaus", "Niterói"),
        lambda r: _pick(r, f"Rua {r.choice(_BR_STREETS)}, {r.randint(1, 2000)}, apto {r.randint(11, 190)}",
                        f"Av. {r.choice(_BR_STREETS)}, {r.randint(1, 3000)}", f"Travessa {r.choice(_BR_STREETS)}, {r.randint(1, 99)} - fundos"),
        lambda r, c: f"CEP {_d(r, 5)}-{_d(r, 3)}, {c} - {_pick(r, 'SP', 'PR', 'PE', 'PA', 'SC', 'GO', 'AM', 'RJ')}",
        lambda r: _pick(r, f"(11) 9{_d(r, 4)}-{_d(r, 4)}", f"+55 11 9{_d(r, 4)}-{_d(r, 4)}", f"(21) 9 {_d(r, 4)} {_d(r, 4)}",
                        f"+55 (48) 9{_d(r, 4)}-{_d(r, 4)}"),
    ),
    Locale(
        "sv-se",
        ("Linnea", "Viggo", "Ebba", "Hampus", "Saga", "Ludvig", "Tindra", "Malte", "Alva", "Joel"),
        ("Lindholm", "Bergqvist", "Åkesson", "Sjöberg", "Nordin", "Hedlund", "Östlund", "Wikström"),
        ("Uppsala", "Umeå", "Västerås", "Örebro", "Linköping", "Lund", "Gävle", "Sundsvall"),
        lambda r: _pick(r, f"{r.choice(_SE_STREETS)}gatan {r.randint(1, 90)}", f"{r.choice(_SE_STREETS)}vägen {r.randint(1, 60)}{_pick(r, '', ' B', ', lgh 1102')}"),
        lambda r, c: f"{_d(r, 3)} {_d(r, 2)} {c}",
        lambda r: _pick(r, f"070-{_d(r, 3)} {_d(r, 2)} {_d(r, 2)}", f"+46 70 {_d(r, 3)} {_d(r, 2)} {_d(r, 2)}", f"08-{_d(r, 3)} {_d(r, 3)} {_d(r, 2)}"),
    ),
    Locale(
        "en-in",
        ("Aarav", "Ishita", "Pranav", "Meenakshi", "Kabir", "Sneha", "Vikram", "Ananya", "Harsha", "Devika"),
        ("Raghunathan", "Kulkarni", "Iyer", "Chatterjee", "Deshpande", "Bhattacharya", "Menon", "Saxena", "Gill"),
        ("Pune", "Indore", "Coimbatore", "Nagpur", "Mysuru", "Lucknow", "Kochi", "Vadodara"),
        lambda r: _pick(r, f"Flat {r.randint(101, 904)}, {r.choice(['Sai Krupa', 'Green Meadows', 'Shanti Kunj'])} Apartments, {r.choice(_IN_STREETS)}",
                        f"{r.randint(1, 99)}/{r.randint(1, 9)}, {r.choice(_IN_STREETS)}, near {r.choice(['Hanuman Mandir', 'Reliance Fresh', 'SBI ATM'])}"),
        lambda r, c: f"{c} {_d(r, 3)} {_d(r, 3)}" if r.random() < 0.3 else f"{c} - {r.randint(4, 6)}{_d(r, 5)}",
        lambda r: _pick(r, f"+91 98{_d(r, 3)} {_d(r, 5)}", f"098{_d(r, 3)} {_d(r, 5)}", f"+91-9{_d(r, 9)}", f"(020) 2{_d(r, 3)} {_d(r, 4)}"),
    ),
    Locale(
        "en-ng",
        ("Chiamaka", "Tunde", "Ngozi", "Emeka", "Folake", "Ifeanyi", "Temitope", "Obinna", "Bisola", "Kelechi"),
        ("Adebayo", "Okafor", "Eze", "Ogunleye", "Nwosu", "Balogun", "Okoro", "Adeyemi", "Olaniyan"),
        ("Ibadan", "Enugu", "Abeokuta", "Owerri", "Jos", "Calabar", "Ilorin", "Benin City"),
        lambda r: f"{r.randint(1, 120)} {r.choice(_NG_STREETS)} {_pick(r, 'Street', 'Close', 'Crescent', 'Avenue')}",
        lambda r, c: f"{r.choice(['Ikeja', 'Surulere', 'Wuse II', 'GRA'])}, {c}",
        lambda r: _pick(r, f"0803 {_d(r, 3)} {_d(r, 4)}", f"+234 803 {_d(r, 3)} {_d(r, 4)}", f"0812-{_d(r, 3)}-{_d(r, 4)}", f"+234 (0) 706 {_d(r, 7)}"),
    ),
    Locale(
        "tr-tr",
        ("Elif", "Burak", "Zeynep", "Emre", "Selin", "Oğuz", "Defne", "Kaan", "Ece", "Tolga"),
        ("Yıldırım", "Aksoy", "Kaplan", "Öztürk", "Çelik", "Arslan", "Doğan", "Şahin", "Kurt"),
        ("İzmir", "Bursa", "Eskişehir", "Antalya", "Trabzon", "Kayseri", "Mersin", "Samsun"),
        lambda r: f"{r.choice(_TR_STREETS)} Mah. {r.choice(_TR_STREETS)} Sok. No: {r.randint(1, 80)} D: {r.randint(1, 20)}",
        lambda r, c: f"{_d(r, 5)} {r.choice(['Kadıköy', 'Bornova', 'Nilüfer', 'Çankaya'])}/{c}",
        lambda r: _pick(r, f"0532 {_d(r, 3)} {_d(r, 2)} {_d(r, 2)}", f"+90 532 {_d(r, 3)} {_d(r, 4)}", f"0 (216) {_d(r, 3)} {_d(r, 2)} {_d(r, 2)}"),
    ),
)  # fmt: skip


class Values:
    """One locale's random values."""

    def __init__(self, rng: random.Random, locale: Locale) -> None:
        self.rng = rng
        self.locale = locale

    def first(self) -> str:
        return self.rng.choice(self.locale.first)

    def last(self) -> str:
        return self.rng.choice(self.locale.last)

    def full(self) -> str:
        return f"{self.first()} {self.last()}"

    def city(self) -> str:
        return self.rng.choice(self.locale.cities)

    def street(self) -> str:
        return self.locale.street(self.rng)

    def address(self, separator: str = ", ") -> str:
        return f"{self.street()}{separator}{self.locale.postcode_city(self.rng, self.city())}"

    def phone(self) -> str:
        return self.locale.phone(self.rng)

    def email(self, first: str | None = None, last: str | None = None) -> str:
        first = _ascii(first or self.first()).lower().replace(" ", "")
        last = _ascii(last or self.last()).lower().replace(" ", "")
        local = self.rng.choice(
            [
                f"{first}.{last}",
                f"{first[0]}{last}",
                f"{first}{self.rng.randint(1, 99)}",
                f"{last}.{first[0]}",
            ]
        )
        domain = self.rng.choice(
            [
                "gmail.com",
                "outlook.com",
                "proton.me",
                "web.de",
                "orange.fr",
                "libero.it",
                "hey.com",
                "icloud.com",
                "yahoo.co.uk",
                "brightlane.io",
            ]
        )
        return f"{local}@{domain}"

    def iban(self) -> str:
        return make_iban(self.rng)

    def card(self) -> str:
        digits = [4] + [self.rng.randint(0, 9) for _ in range(14)]
        total = 0
        for index, digit in enumerate(reversed(digits)):
            doubled = digit * 2 if index % 2 == 0 else digit
            total += doubled - 9 if doubled > 9 else doubled
        number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
        return " ".join(number[i : i + 4] for i in range(0, 16, 4)) if self.rng.random() < 0.6 else number

    def ssn(self) -> str:
        area = self.rng.choice([a for a in range(1, 900) if a != 666])
        return f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}"

    def birthdate(self) -> str:
        day, month, year = self.rng.randint(1, 28), self.rng.randint(1, 12), self.rng.randint(1948, 2006)
        return self.rng.choice(
            [f"{day:02d}/{month:02d}/{year}", f"{day}.{month}.{year}", f"{year}-{month:02d}-{day:02d}"]
        )


def _ascii(text: str) -> str:
    import unicodedata

    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if (ch.isascii() and ch.isalnum()) or ch == " "
    )
