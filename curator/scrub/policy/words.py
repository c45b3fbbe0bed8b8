"""The words and patterns the policy reads as evidence, and which recognizers only propose candidates.

Tables only: what they are evidence of is decided in ``people``, ``places`` and ``public``.
"""

from __future__ import annotations

import re

from prefloop.curator.scrub.recognizers.wordlists import RELATIONS
from prefloop.curator.scrub.types import PiiSpan

#: Recognizers whose hits are only candidates: the model and the name lists find *a* name or place.
WEAK_RECOGNIZERS = frozenset(
    {
        "spacy_ner",
        "person_names",
        "country",
        "person_cue:weak",
        "given_names",
        "location_cue:weak",
    }
)
#: Candidates kept only on evidence of their own: known given names of any language (``recognizers/given.py``).
EVIDENCE_ONLY = frozenset({"given_names"})
CONTACT_TYPES = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "STREET_ADDRESS",
        "IBAN_CODE",
        "CREDIT_CARD",
        "US_SSN",
        "DATE_OF_BIRTH",
        "URL",
    }
)


def weak(span: PiiSpan) -> bool:
    return span.recognizer in WEAK_RECOGNIZERS


YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-2][0-9])s?\b")
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
#: A calendar date of this century, day, month and year: a booking, a deadline, an appointment — no sign of history.
CALENDAR_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-]20\d\d|20\d\d[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{MONTH},?[ \t]+20\d\d|"
    rf"{MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+20\d\d)\b",
    re.IGNORECASE,
)


#: Words of a public role. Everyday senses of the same words are left out, since private chat is full of them:
#: "won't", "book a table", "a queen room", "customer service representative", "order history", "in general",
#: "play with", "a quote for the roof", "coach tickets" (issue 14, session 9).
PUBLIC_CONTEXT = re.compile(
    r"\b(?:president|chancellor|prime minister|minister|(?:king|queen)(?![ \t-]*(?:size|sized|beds?|rooms?|suites?|mattress))|"
    r"emperor|empress|pope|saint|senator|governor|mayor|"
    r"(?<!service )(?<!sales )(?<!support )(?<!customer )(?<!account )representative|congress\w*|parliament|politician|"
    r"(?-i:General(?=[ \t]+[A-Z]))|author|novel\w*|poet|poem(?![ \t]+(?:for|to)\b)|"
    r"painter|painting|composer|symphony|scientist|physicist|chemist|philosopher|actor|actress|singer|rapper|band|"
    r"album|song(?![ \t]+(?:for|to)\b)|film|movie|"
    r"book(?![ \t]+(?:a|an|the|me|us|him|her|them|it|my|our|your|his|their|two|three|four|five|\d+|for|in|at|online|"
    r"tickets?|tables?|flights?|rooms?|seats?|appointments?|club)\b)|"
    r"chapter|artist|artwork|portrait|director|nobel|prize|award|won(?!['’]t)|wins|champion\w*|olympic\w*|world cup|grand slam|"
    r"published|wrote|painted|composed|discovered|invented|founded|founder|elected|reigned|ruled|"
    r"(?<!order )(?<!medical )(?<!purchase )(?<!search )(?<!browser )(?<!browsing )(?<!credit )(?<!payment )"
    r"(?<!chat )(?<!call )(?<!work )(?<!rental )(?<!account )(?<!message )(?<!family )history|"
    r"historical|century|biography|famous|celebrity|leadership|influenced|legacy|theory|essay|dynasty|empire|"
    r"revolution|war|battle|mission|character|(?:a|the|this|that|his|her|their|school|stage)[ \t]+play|plays?[ \t]+by|"
    r"tragedy|opera|ceo|billionaire|inventor|mathematician|"
    r"astronaut|explorer|footballer|tennis|athlete|coach(?![ \t]+(?:trip|tickets?|station|travel|journey|ride|seats?|bus|to))|"
    r"chess|wikipedia|quotes?[ \t]+(?:by|from|of)|quoted|famous[ \t]+quotes?|"
    r"(?:famous|inaugural|victory|acceptance|campaign|nobel|historic)[ \t]+speech|speech(?:es)?[ \t]+(?:by|of)|"
    r"gave[ \t]+a[ \t]+speech)\b",
    re.IGNORECASE,
)
RELATION = rf"(?:my|our|his|her|their|your)\s+(?:[\w'’]+\s+)?(?:{RELATIONS})"
CUE_BEFORE = re.compile(
    rf"(?:\b(?:dear|hi|hello|hey|thanks|thank you|cheers|regards|sincerely|attn:?|cc:?|from:|to:|name:|"
    rf"my name is|my name's|i am|i'm|this is|call me|signed|ask|tell|told|meet|met|contact|email|e-mail|text|"
    rf"thank|mention|remind|reminder for|note for|"
    rf"call|invite|remind|reply to|write to|note to|letter to|message to|married|dating|named|called|"
    rf"(?:card|message|note|letter|e-?mail|text|reply|toast|invitation|apology|gift|present|voicemail)\s+(?:to|for)|"
    rf"follow up with|commenter|user|customer|patient|client|employee|reader|listener|viewer|subscriber|"
    rf"tenant|applicant|guest|resident|participant|volunteer|(?:assistant|secretary|aide) to)|"
    rf"{RELATION})\s*,?\s*$",
    re.IGNORECASE,
)
#: Cues of the writer's own dealings with the person: contacting them, plans and occasions with or for them, things
#: done for them ("tell", "coffee with", "pick up", "a poem for", "a reservation for", "addressed to"). Such a cue is
#: outweighed only by a public-role word right beside the name (``private_person``).
PERSONAL_CUE_BEFORE = re.compile(
    r"\b(?:ask|tell|text|call|invite|remind|reminder\s+for|email|e-mail|thank|thank\s+you|thanks|reply\s+to|"
    r"write\s+to|note\s+to|letter\s+to|message\s+to|my\s+name\s+is|my\s+name's|call\s+me|follow\s+up\s+with|"
    r"(?:card|message|note|letter|e-?mail|text|reply|toast|invitation|apology|gift|present|voicemail|poem|speech|"
    r"surprise|party|cake|playlist|eulogy|wishes)\s+(?:to|for)|"
    r"(?:lunch|dinner|breakfast|brunch|coffee|drinks|tea|date|playdate|sleepover|catch[ -]?up|hang[ -]?out|"
    r"meet[ -]?up|call|chat|1:1|one-on-one|appointment|session|sync|walk)\s+with|"
    r"pick(?:ing)?\s+up|drop(?:ping)?\s+off|babysit(?:ting)?|look(?:ing)?\s+after|take\s+care\s+of|"
    r"(?:reservation|booking|appointment|table|room|order|delivery|parcel|package)\s+for|on\s+behalf\s+of|"
    r"addressed\s+to|(?:booked|reserved|registered|it's|it\s+is)\s+under)\s*,?\s*$",
    re.IGNORECASE,
)
#: A verb in a ``NAME_VERB_AFTER`` match (not the colon of a label, nor "and" of a list).
VERB = re.compile(r"\b(?!and\b)[a-z]", re.IGNORECASE)
#: How near a public-role word must stand to a name with a personal cue to make it a public figure's ("Tell Sarah
#: I loved the film" is no film of Sarah's; "President X", "X, the author" are).
PUBLIC_WORD_REACH = 15
NAME_VERB_AFTER = re.compile(
    r"\s*(?:[,:]|(?:(?:just|really|always|never|still|also|finally|already|only|often|usually|actually|then|"
    r"suddenly|probably|sometimes|even)\s+)?(?:is|was|has|had|and|said|says|told|asked|wants|wanted|thinks|thought|keeps|lives|lived|works|"
    r"worked|called|texted|emailed|wrote|sent|agreed|replied|will|won't|can't|doesn't|didn't|shouted|spent|gave|"
    r"went|came|left|met|loves|likes|hates|needs)\b)",
    re.IGNORECASE,
)
#: A request for facts about someone right before a name ("Tell me about ...", "Who was ...", "a biography of ..."):
#: people ask this about public figures; it is no evidence of the writer's own dealings.
REQUEST_ABOUT_BEFORE = re.compile(
    r"\b(?:tell\s+me(?:\s+more)?\s+about|what\s+do\s+you\s+know\s+about|who\s+(?:is|was|were)|facts\s+about|"
    r"information\s+(?:on|about)|learn\s+about|(?:an?\s+)?(?:essay|report|summary|presentation)\s+(?:on|about)|"
    r"(?:biography|life|career|legacy|achievements|policies)\s+of)\s+$",
    re.IGNORECASE,
)
PRIVATE_ROLE_BEFORE = re.compile(
    r"\b(?:(?:assistant|secretary|aide) to|commenter|customer|patient|client|employee|tenant|applicant|guest|"
    r"resident|participant|volunteer|subscriber)\s*,?\s*$",
    re.IGNORECASE,
)
RELATION_ANYWHERE = re.compile(r"\b" + RELATION + r"\b", re.IGNORECASE)
MY_RELATION_BEFORE = re.compile(rf"\b(?:my|our)\s+(?:[\w'’]+\s+)?(?:{RELATIONS})\s*,?\s*$", re.IGNORECASE)
#: A relation right after the name: "Dana is my sister", "Dana (my flatmate)", "Dana, who is our childminder".
RELATION_AFTER = re.compile(
    rf"[ \t]*(?:,[ \t]*|\([ \t]*|[ \t]+(?:is|was|who[ \t]+is|who['’]s|who[ \t]+was)[ \t]+|['’]s[ \t]+)"
    rf"{RELATION}\b",
    re.IGNORECASE,
)
#: Everyday occasions of a person's own life after the name: "Dana's baby shower", "Dana is coming over".
EVERYDAY_AFTER = re.compile(
    r"(?:['’]s[ \t]+(?:wedding|baby[ \t]+shower|hen[ \t]+(?:do|party|night)|stag[ \t]+(?:do|party)|"
    r"leaving[ \t]+(?:do|party|card|drinks)|farewell[ \t]+(?:party|card|drinks)|retirement[ \t]+(?:do|party|card)|"
    r"housewarming|christening|surgery|operation|appointment|shift|rent|deposit|homework|school[ \t]+run|"
    r"sleepover|playdate|train)"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:coming|came|comes)[ \t]+(?:over|round|to[ \t]+stay)"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:staying|sleeping|slept|stayed)[ \t]+over"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:moving|moved|moves)[ \t]+(?:in|out)\b"
    r"|(?:[ \t]+(?:is|was|will[ \t]+be|has|had|just|still|finally))*[ \t]+(?:dropping|dropped|popping|popped)[ \t]+(?:by|in|round|over))",
    re.IGNORECASE,
)
#: Signs that a text is about someone's own affairs (a record, an account, a customer conversation): a bare name
#: in such a text is taken as private; in a text with none of these nor contact details nor a cue, it is not.
PRIVATE_AFFAIRS = re.compile(
    r"\b(?:(?:my|your|our|his|her|their|the)\s+(?:\w+\s+)?(?:account|order|booking|reservation|appointment|"
    r"file|records?|claim|application|ticket|subscription|name|beneficiar\w*|guardian|patient|client|customer|"
    r"user|member|guest|tenant|applicant|employee|commenter|follower|payment|invoice|delivery|parcel)|"
    r"follow(?:ing)? up with|name on the|\b(?:i|we)\s+(?:\w+\s+)?(?:met|meet|dated|married|visited|hired|invited|"
    r"texted|emailed)\b|^\s*(?:user|customer|client|agent|bot|me|operator)\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
PERSON_TIE = re.compile(r"\b(?:i|i'm|i've|i'll|we|we're|we've|my|our|me|us)\b", re.IGNORECASE)
GREETING_BEFORE = re.compile(r"\b(?:dear|hi|hello|hey|regards|thanks|cheers)\b[^\n]{0,3}$", re.IGNORECASE)
PLACE_BEFORE = re.compile(r"\b(?:in|to|from|at|near|via|into)\s+$", re.IGNORECASE)
LANDMARK_FIRST = frozenset(
    "lake mount mt river saint st fort port cape isla lac monte loch glen sierra rio san santa sankt".split()  # noqa: SIM905
)
PLACE_PREPOSITION = re.compile(r"\b(?:in|to|from|at|near|into|of|towards?|via)\s+(?:the\s+)?$", re.IGNORECASE)
INTERJECTIONS = frozenset(
    [
        "oh",
        "um",
        "uh",
        "ah",
        "eh",
        "hm",
        "hmm",
        "well",
        "yes",
        "no",
        "okay",
        "ok",
        "sure",
        "right",
        "wow",
        "hey",
        "hi",
        "hello",
        "hiya",
        "howdy",
        "yeah",
        "nope",
        "alas",
    ]
)
NOT_A_NAME_WORD = frozenset({"the", "a", "an", "this", "that", "these", "those", "it", "its"})
#: Greetings, sign-offs, thanks and the word "address" of the evaluation locales' languages, which the model
#: sometimes takes for a name (folded).
SIGN_OFF_WORDS = frozenset(
    """
    grussen grusse gruss gruß saludos cordialement regards groeten groet hilsen terveisin pozdrawiam salutations
    saluti atenciosamente atentamente cumprimentos cheers thanks best sincerely hallo hola ciao bonjour hej
    danke merci grazie gracias obrigado obrigada bedankt dankjewel dziekuje dzieki tack takk kiitos tesekkurler
    valeu adresse l'adresse indirizzo l'indirizzo direccion endereco adres adressen adresa adresi
    """.split()  # noqa: SIM905
)

LONE_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{2,}(?![\w'’-])")
#: A verb in the past tense right after a name makes it the subject ("Ingeborg yelled at ...").
PAST_AFTER = re.compile(r"[ \t]+(?:had[ \t]+)?[^\W\d_]{2,}ed\b", re.IGNORECASE)
#: A verb right before a name makes it the verb's object ("shouted at Katie", "had given Chise").
VERB_BEFORE = re.compile(
    r"\b(?:\w+ed|gave|given|told|sent|met|saw|asked|called|texted|emailed|hugged|thanked|at|to|with)\s+$",
    re.IGNORECASE,
)


PUBLIC_USE_AFTER = re.compile(
    r"(?:['’]s)?[ \t]+(?:fans?|fandom|fan[ \t]+club|concerts?|tour|albums?|songs?|lyrics|biopic|discography|"
    r"filmography|novels?|paintings?|memoir|autobiography|documentary|records)\b",
    re.IGNORECASE,
)
PUBLIC_USE_BEFORE = re.compile(
    r"\b(?:(?:a|the|big|huge|great|biggest)[ \t]+fans?[ \t]+of|(?:concert|songs?|album|books?|novels?|films?|movies?|"
    r"paintings?|poems?|music|quotes?|works?|essays?|plays?)[ \t]+by|written[ \t]+by|directed[ \t]+by|painted[ \t]+by|"
    r"composed[ \t]+by|sung[ \t]+by|performed[ \t]+by|starring|biography[ \t]+of|the[ \t]+life[ \t]+of)[ \t]+$",
    re.IGNORECASE,
)


#: Attitudes people hold towards public figures, by full name.
ADMIRED_BEFORE = re.compile(
    r"\b(?:obsessed[ \t]+with|inspired[ \t]+by|admires?|admired|idoli[sz]es?|idoli[sz]ed|looks?[ \t]+up[ \t]+to|"
    r"looked[ \t]+up[ \t]+to|worships?|a[ \t]+fan[ \t]+of)[ \t]+$",
    re.IGNORECASE,
)

#: Subject pronouns: in a text about someone's own affairs, "she's moving to X" ties the place to a private person.
SUBJECT_PRONOUN = re.compile(r"\b(?:he|she|they)(?:['’](?:s|re|ll|d|ve))?\b", re.IGNORECASE)

#: Verbs of dealings between people who know each other: one owes, texts, lends, covers a shift for the other.
DEALINGS = (
    r"(?:owe|owes|owed|lent|lend|lends|borrowed|borrow|paid|pay|pays|texted|texts|text|messaged|messages|"
    r"emailed|emails|rang|called|calls|invited|invites|hired|fired|told|tells|asked|asks|promised|sent|send|sends|"
    r"gave|give|gives|helped|helps|visited|visits|replied|reply|answered|picked|pick|dropped|drop|drove|drive|"
    r"covered|covering|cover|covers|ghosted|ignored|ignores|blocked|shouted|yelled|lied|owes|split|splits|share|"
    r"shares|shared|babysat|babysits|dumped|left|joined|joins|join|joining|waiting|waited|invoiced|charged|"
    r"kicked|bullied|bullies|annoys|annoyed|upset|hurt|keeps|kept|parked|parks|parking|moved|lives|lived|stays|"
    r"stayed|hasn't|haven't|didn't|doesn't|won't|can't)"
)
#: The name with the writer: "X and I", "me and X", "X owes me", "X hasn't replied to my message", "I owe X".
AND_I_AFTER = re.compile(r"[ \t]+and[ \t]+(?:I|me)\b")
#: Where a clause opens: "X and I" is a subject there ("…, so X and I split it"), not an object ("is X and I").
CLAUSE_OPENS = re.compile(
    r"(?:^|[,;:(]|\b(?:and|but|so|because|when|if|that|since|after|before|while))[ \t]*$", re.I
)
WITH_WRITER_AFTER = re.compile(
    rf"(?:(?:[ \t]+(?:has|had|have|is|was|will|just|still|never|already|finally|always|also|really|now|then|"
    rf"wants[ \t]+to|needs[ \t]+to|has[ \t]+to|is[ \t]+going[ \t]+to))*[ \t]+{DEALINGS}\b"
    rf"[^.!?\n]{{0,40}}?\b(?:me|us|my|our|mine|ours|I|we)\b)",
    re.IGNORECASE,
)
WITH_WRITER_BEFORE = re.compile(
    rf"(?:\b(?:me|I)[ \t]+and[ \t]+$|\b(?:I|we)(?:['’](?:ll|ve|d|m))?(?:[ \t]+[a-z]+){{0,2}}?[ \t]+{DEALINGS}"
    rf"(?:[ \t]+(?:to|for|with|from|on|up|off))?(?:[ \t]+[^\W\d_][\w'’-]*)?[ \t]+$)",
    re.IGNORECASE,
)


#: Where acquaintances are from: a department, the team, next door, work, school, the gym (lower case; "from
#: Apple" or "from Nazareth" are proper names and say nothing).
ACQUAINTANCE_AFTER = re.compile(
    r"[ \t]+from[ \t]+(?:(?:the|our|my)[ \t]+)?(?:(?:accounts|legal|sales|marketing|finance|support|payroll|reception|"
    r"admin|facilities|engineering|design|ops|operations|security|compliance|procurement|office|team|department|"
    r"next[ \t]+door|upstairs|downstairs|work|school|church|gym|club|class|uni|college|nursery|daycare|choir|"
    r"playgroup|book[ \t]+club)\b|(?:IT|HR|QA)\b)"
)

#: The writer in the first person, in the other languages of the chat the scrubber sees (French, Spanish, Italian,
#: Portuguese, Dutch, German, Polish, Swedish, Danish, Norwegian, Turkish): subject, object and possessive pronouns
#: (singular and plural), the elided French "j'"/"m'", and Polish and Turkish first-person verb endings. Words that are
#: also English, technical or another language's common words ("me", "my", "we", "min", "mit", "mine", "os", "vi",
#: "ma", "mes"; German "ja", Portuguese "nas", Dutch "bende") are left out; those that are also given names ("Mia",
#: "Mina", "Meg", "Ben") or abbreviations ("Mon", "Nos.") count in lower case only; a word after a hyphen is no pronoun of the writer's
#: ("Résume-moi" asks the assistant).
_WRITER_WORDS = """
    je moi nous notre  yo mi mis conmigo nosotros nosotras nuestro nuestra nuestros nuestras
    io mio noi nostro nostra nostri nostre  eu mim comigo meu minha meus minhas nós nosso nossa nossos nossas
    ik mij mijn wij ons onze  ich mir mich mein meine meinen meinem meiner meines wir uns unser unsere unseren
    unserem unserer  mnie mną mój moja moje mojego mojej moim moich nam nasz nasza nasze naszego naszej
    jag mig mitt oss vår vårt våra jeg vores  bana beni benim bize bizi bizim
""".split()  # noqa: SIM905
_WRITER_WORDS_LOWER = ["nos", "mon", "mia", "miei", "mie", "mina", "meg", "ben", "benden", "m['’]n"]
WRITER_IN_OTHER_LANGUAGES = re.compile(
    r"(?<![\w'’.-])(?:"
    + "|".join(f"[{w[0]}{w[0].upper()}]{w[1:]}" for w in _WRITER_WORDS)
    + "|"
    + "|".join(_WRITER_WORDS_LOWER)
    + r")(?![\w'’-])|(?<![\w'’])[jmJM]['’](?=[^\W\d_])|\b[^\W\d_]+(?:łam|łem|yorum|yoruz)\b"
)

#: Words of a public role or a public work in those languages (works, offices, professions of public life, prizes,
#: a career): beside them a full name is a public figure's, whoever writes ("J'adore les chansons d'Édith Piaf").
PUBLIC_IN_OTHER_LANGUAGES = re.compile(
    r"(?<![\w-])(?:"
    # fr
    r"films?|chansons?|albums?|livres?|romans?|tableaux?|pr[ée]sident(?:e|s)?|ministres?|roi|reine|chanteu(?:r|se)s?|"
    r"act(?:eur|rice)s?|[ée]crivaine?s?|auteure?s?|peintres?|joueu(?:r|se)s?|footballeurs?|carri[èe]re|prix|[ée]lue?|"
    r"gagn[ée]|si[èe]cle"
    # es, it, pt
    r"|pel[íi]culas?|canci[óo]n|canciones|libros?|novelas?|cuadros?|presidentes?|presidenta|ministr[oa]s?|reye?s?|"
    r"reinas?|cantantes?|act(?:or|riz|ores|rices)|escritor(?:a|es|as)?|autor(?:a|es|as)?|pintor(?:a|es|as)?|"
    r"jugador(?:a|es|as)?|futbolistas?|carrera|premios?|elegid[oa]|gan[óo]|siglo"
    r"|canzon[ei]|romanz[oi]|quadr[oi]|re|regina|attor[ei]|attrici?|scrittor[ei]|scrittrici?|autori?|pittor[ei]|"
    r"giocator[ei]|calciator[ei]|carriera|premi|elett[oa]|vint[oa]|secolo"
    r"|can[çc][ãa]o|can[çc][õo]es|livros?|rei|rainhas?|cantor(?:a|es|as)?|ator(?:es)?|atriz(?:es)?|jogador(?:a|es|as)?|"
    r"carreira|pr[éê]mios?|eleit[oa]|ganhou|s[ée]culo|modelo"
    # nl, de
    r"|liedj?e?s?|boeken?|roman|schilderij(?:en)?|koning(?:in)?|zang(?:er|eres)s?|acteurs?|actrices?|schrijv(?:er|ster)s?|"
    r"schilders?|spelers?|voetballers?|loopbaan|prijs|gekozen|won|eeuw|goals?"
    r"|lieder|buch|b[üu]cher|gem[äa]lde|pr[äa]sident(?:in)?|minister(?:in)?|k[öo]nig(?:in)?|s[äa]nger(?:in)?|"
    r"schauspieler(?:in)?|schriftsteller(?:in)?|maler(?:in)?|spieler(?:in)?|fu[ßs]baller(?:in)?|karriere|preis|"
    r"gew[äa]hlt|gewonnen|jahrhundert|kanzler(?:in)?"
    # pl, sv, da/nb, tr
    r"|książk[aię]|piosenk[aię]|prezydent(?:em|a)?|król(?:owa)?|aktor(?:ka)?|piosenkarz|pisarz|nagrod[aęy]|kariera"
    r"|låt(?:ar)?|bok|böcker|kung|drottning|skådespelare|sångar(?:e|en)|sångerska|författare|pris"
    r"|sange?|bog|bøger|konge|dronning|skuespiller|forfatter"
    r"|şarkı\w*|kitab?\w*|roman\w*|cumhurbaşkanı|başbakan|bakan|kral(?:içe)?|oyuncu\w*|şarkıcı|yazar\w*|ödül\w*|nobel"
    r")(?![\w-])",
    re.IGNORECASE,
)
