"""The word classes of the languages :mod:`~prefloop.curator.scrub.recognizers.languages` reads people and places
in: per language, complete small classes (possessives, relations, ways of giving one's name, plans with someone,
verbs of living and moving, prepositions of place), as regular-expression alternations. Data only: the recognizer
builds its patterns from them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LANGUAGES", "Language"]


@dataclass(frozen=True)
class Language:
    """One language's word classes (regular-expression alternations, lower case; matched case-insensitively)."""

    #: "my" and "our" in every gender, number and case ("ma", "mis", "la mia", "meinem").
    possessives: str
    #: What one person is to another, singular and plural.
    relations: str
    #: How one gives one's own name ("je m'appelle").
    intros: str
    #: "I am": a name only when a known given name follows ("sono Giulia").
    weak_intros: str
    #: Plans and messages with or for someone, contacting someone ("dîner avec", "un regalo para", "dile a").
    plans: str
    #: Living, being born, growing up, working, studying, moving, coming from: first person (with "on" or "we").
    verbs_first: str
    #: The same verbs in the third person, after a relation ("mes parents vivent à").
    verbs_third: str
    #: Prepositions of place after those verbs, with an optional article ("à", "en", "para o", "aus").
    places_after: str
    #: Prepositions after a relation alone ("mes parents à Périgueux", "mi abuela en Cuenca").
    relation_places_after: str
    #: Relative pronouns between a relation and its verb ("ma sœur qui vit à").
    relatives: str
    #: Relations that carry their possessive after them or in an ending ("broren min", "sora mea"), if any.
    owned_relations: str = ""


LANGUAGES: dict[str, Language] = {
    "fr": Language(
        possessives=r"mon|ma|mes|notre|nos",
        relations=(
            r"mère|père|maman|papa|parents|fils|fille|filles|enfant|enfants|frère|frères|sœur|soeur|sœurs|soeurs|"
            r"frangin|frangine|mari|femme|époux|épouse|conjoint|conjointe|compagnon|compagne|copain|copine|"
            r"petit ami|petite amie|chéri|chérie|fiancé|fiancée|grand-mère|grand-père|grands-parents|mamie|mamy|"
            r"papi|papy|petit-fils|petite-fille|petits-enfants|tante|tata|oncle|tonton|cousin|cousine|cousins|"
            r"cousines|neveu|nièce|parrain|marraine|filleul|filleule|beau-père|belle-mère|beaux-parents|"
            r"beau-frère|belle-sœur|belle-soeur|gendre|belle-fille|ami|amie|amis|amies|pote|potes|meilleur ami|"
            r"meilleure amie|voisin|voisine|voisins|colocataire|coloc|collègue|collègues|chef|cheffe|patron|"
            r"patronne|manager|responsable|stagiaire|employé|employée|propriétaire|proprio|locataire|client|"
            r"cliente|patient|patiente|élève|étudiant|étudiante|prof|professeur|professeure|maîtresse|instit|"
            r"médecin|docteur|dentiste|kiné|psy|avocat|avocate|comptable|nounou|baby-sitter|coach|entraîneur"
        ),
        intros=r"je m['’]appelle|mon nom est|moi c['’]est",
        weak_intros=r"je suis",
        plans=(
            r"(?:dîner|diner|dîne|dine|déjeuner|dejeuner|déjeune|dejeune|café|verre|apéro|rendez-vous|rdv|soirée|"
            r"sortir|sors|pars|week-end|"
            r"vacances)\s+avec|(?:message|mot|lettre|mail|e-mail|carte|cadeau|gâteau|discours|poème|surprise|"
            r"fête)\s+(?:pour|à)|(?:dis|dire|écris|écrire|envoie|envoyer|demande|demander|réponds|répondre)\s+à|"
            r"(?:appelle|appeler|rappelle|rappeler|remercie|remercier|inviter|contacte|contacter)"
        ),
        verbs_first=(
            r"j['’]habite|nous habitons|on habite|je vis|nous vivons|on vit|je suis née?|j['’]ai grandi|"
            r"je travaille|nous travaillons|on travaille|j['’]étudie|je fais mes études|je déménage|"
            r"nous déménageons|on déménage|je m['’]installe|on s['’]installe|nous nous installons|je viens|"
            r"je suis originaire"
        ),
        verbs_third=(
            r"habite|habitent|vit|vivent|est née?|sont née?s|a grandi|ont grandi|travaille|travaillent|étudie|"
            r"étudient|fait ses études|font leurs études|déménage|déménagent|s['’]installe|s['’]installent|"
            r"vient|viennent|est originaire|sont originaires"
        ),
        places_after=r"(?:à[ \t]+)?(?:[\w-]+[ \t]+){0,3}?(?:minutes?|km|kilomètres?|heures?)[ \t]+(?:de|d['’])|à côté de|pas loin de|non loin de|aux (?:alentours|environs) de|à|a|au|aux|en|dans|près de|de",
        relation_places_after=r"à|au|en",
        relatives=r"qui",
    ),
    "es": Language(
        possessives=r"mi|mis|nuestro|nuestra|nuestros|nuestras",
        relations=(
            r"madre|padre|mamá|mama|papá|papa|padres|hijo|hija|hijos|hijas|hermano|hermana|hermanos|hermanas|"
            r"marido|esposo|esposa|mujer|pareja|novio|novia|prometido|prometida|abuelo|abuela|abuelos|nieto|"
            r"nieta|nietos|tío|tía|tio|tia|tíos|primo|prima|primos|sobrino|sobrina|padrino|madrina|ahijado|"
            r"ahijada|suegro|suegra|suegros|cuñado|cuñada|yerno|nuera|amigo|amiga|amigos|amigas|mejor amigo|"
            r"mejor amiga|vecino|vecina|vecinos|compañero|compañera|compañero de piso|compañera de piso|compi|"
            r"colega|jefe|jefa|empleado|empleada|casero|casera|inquilino|inquilina|cliente|clienta|paciente|"
            r"alumno|alumna|profesor|profesora|profe|médico|médica|doctor|doctora|dentista|fisio|psicólogo|"
            r"psicóloga|abogado|abogada|niñera|canguro|entrenador|entrenadora"
        ),
        intros=r"me llamo|mi nombre es",
        weak_intros=r"soy",
        plans=(
            r"(?:cenar|comer|almorzar|desayunar|cena|comida|café|cita|quedar|quedo|quedé|salir|salgo|fiesta|"
            r"viaje)\s+con|(?:mensaje|carta|correo|email|tarjeta|regalo|discurso|poema|sorpresa|fiesta|tarta)\s+"
            r"(?:para|a)|(?:dile|decirle|escribe|escribirle|escríbele|pregunta|preguntarle|pregúntale|contesta|"
            r"contestar|responde|responder)\s+a|(?:llama|llamar|invita|invitar|felicita|felicitar)\s+a"
        ),
        verbs_first=(
            r"vivo|vivimos|nací|crecí|me crié|trabajo|trabajamos|estudio|estudiamos|me mudo|me mudé|nos mudamos|"
            r"me voy a vivir|nos vamos a vivir|me fui a vivir|soy|somos"
        ),
        verbs_third=(
            r"vive|viven|nació|nacieron|creció|crecieron|trabaja|trabajan|estudia|estudian|se muda|se mudan|"
            r"se mudó|se mudaron|es|son"
        ),
        places_after=r"(?:a[ \t]+)?(?:[\w-]+[ \t]+){0,3}?(?:minutos?|km|kilómetros?|horas?)[ \t]+(?:de)|a las afueras de|al lado de|junto a|en|a|de|cerca de",
        relation_places_after=r"en",
        relatives=r"que",
    ),
    "it": Language(
        possessives=r"mio|mia|miei|mie|il mio|la mia|i miei|le mie|nostro|nostra|il nostro|la nostra|i nostri",
        relations=(
            r"madre|padre|mamma|papà|babbo|genitori|figlio|figlia|figli|figlie|fratello|sorella|fratelli|"
            r"sorelle|marito|moglie|compagno|compagna|ragazzo|ragazza|fidanzato|fidanzata|nonno|nonna|nonni|"
            r"nipote|nipoti|zio|zia|zii|cugino|cugina|cugini|padrino|madrina|figlioccio|figlioccia|suocero|"
            r"suocera|suoceri|cognato|cognata|genero|nuora|amico|amica|amici|amiche|migliore amico|"
            r"migliore amica|vicino|vicina|vicini|vicino di casa|vicina di casa|coinquilino|coinquilina|collega|"
            r"colleghi|capo|responsabile|dipendente|padrone di casa|proprietario|proprietaria|inquilino|"
            r"inquilina|cliente|paziente|alunno|alunna|studente|studentessa|professore|professoressa|prof|"
            r"maestra|maestro|medico|dottore|dottoressa|dentista|fisioterapista|psicologo|psicologa|avvocato|"
            r"avvocata|babysitter|tata|allenatore|allenatrice"
        ),
        intros=r"mi chiamo|il mio nome è",
        weak_intros=r"sono",
        plans=(
            r"(?:cena|cenare|ceno|pranzo|pranzare|caffè|aperitivo|appuntamento|uscire|esco|uscita|vacanza|weekend)\s+"
            r"con|(?:messaggio|lettera|mail|email|biglietto|regalo|discorso|poesia|sorpresa|festa|torta)\s+"
            r"(?:per|a)|(?:di['’]|dì|dire|scrivi|scrivere|chiedi|chiedere|rispondi|rispondere)\s+a|"
            r"(?:chiama|chiamare|invita|invitare|ringrazia|ringraziare)"
        ),
        verbs_first=(
            r"abito|abitiamo|vivo|viviamo|sono nato|sono nata|sono cresciuto|sono cresciuta|lavoro|lavoriamo|"
            r"studio|studiamo|mi trasferisco|ci trasferiamo|mi sono trasferito|mi sono trasferita|"
            r"ci siamo trasferiti|sono|siamo"
        ),
        verbs_third=(
            r"abita|abitano|vive|vivono|è nato|è nata|sono nati|è cresciuto|è cresciuta|lavora|lavorano|studia|"
            r"studiano|si trasferisce|si è trasferito|si è trasferita|è|sono"
        ),
        places_after=r"(?:a[ \t]+)?(?:[\w-]+[ \t]+){0,3}?(?:minuti|km|chilometri|or[ae])[ \t]+(?:da)|nei pressi di|alle porte di|a|ad|in|di|da|vicino a",
        relation_places_after=r"a|in",
        relatives=r"che",
    ),
    "pt": Language(
        possessives=r"meu|minha|meus|minhas|o meu|a minha|os meus|as minhas|nosso|nossa|o nosso|a nossa",
        relations=(
            r"mãe|mae|pai|mamã|mamãe|papai|pais|filho|filha|filhos|filhas|irmão|irmã|irmao|irma|irmãos|irmãs|"
            r"marido|esposo|esposa|mulher|companheiro|companheira|namorado|namorada|noivo|noiva|avô|avó|avo|"
            r"avós|neto|neta|netos|tio|tia|tios|primo|prima|primos|sobrinho|sobrinha|padrinho|madrinha|afilhado|"
            r"afilhada|sogro|sogra|sogros|cunhado|cunhada|genro|nora|amigo|amiga|amigos|amigas|melhor amigo|"
            r"melhor amiga|vizinho|vizinha|vizinhos|colega|colegas|chefe|patrão|patroa|gerente|funcionário|"
            r"funcionária|senhorio|senhoria|inquilino|inquilina|cliente|paciente|aluno|aluna|professor|"
            r"professora|médico|médica|doutor|doutora|dentista|fisioterapeuta|psicólogo|psicóloga|advogado|"
            r"advogada|babá|ama|treinador|treinadora"
        ),
        intros=r"chamo-me|me chamo|o meu nome é|meu nome é",
        weak_intros=r"sou|eu sou",
        plans=(
            r"(?:jantar|janto|almoçar|almoço|café|encontro|sair|saio|festa|viagem)\s+com|(?:mensagem|carta|email|"
            r"e-mail|cartão|presente|discurso|poema|surpresa|festa|bolo)\s+(?:para|pra|ao|à)|(?:diz|dizer|diga|"
            r"escreve|escrever|escreva|pergunta|perguntar|pergunte|responde|responder)\s+(?:ao|à|a|para|pra)|"
            r"(?:liga|ligar|ligue|convida|convidar|agradece|agradecer)(?:\s+(?:para|pra|ao|à|a))?"
        ),
        verbs_first=(
            r"moro|moramos|vivo|vivemos|nasci|cresci|trabalho|trabalhamos|estudo|estudamos|me mudo|me mudei|"
            r"mudo-me|mudei-me|vou me mudar|vou mudar-me|vamos nos mudar|nos mudamos|mudamo-nos|sou|somos"
        ),
        verbs_third=(
            r"mora|moram|vive|vivem|nasceu|nasceram|cresceu|cresceram|trabalha|trabalham|estuda|estudam|"
            r"se muda|se mudou|mudou-se|é|são"
        ),
        places_after=r"(?:a[ \t]+)?(?:[\w-]+[ \t]+){0,3}?(?:minutos?|km|quil[óô]metros?|horas?)[ \t]+(?:de)|nos arredores de|ao lado de|em|no|na|nos|nas|para|pra|para o|para a|de|do|da|perto de",
        relation_places_after=r"em|no|na",
        relatives=r"que",
    ),
    "nl": Language(
        possessives=r"mijn|m['’]n|onze|ons",
        relations=(
            r"moeder|vader|mama|papa|ouders|zoon|dochter|kind|kinderen|broer|broers|zus|zussen|zusje|broertje|"
            r"man|vrouw|echtgenoot|echtgenote|partner|vriend|vriendin|vrienden|vriendje|vriendinnetje|"
            r"verloofde|oma|opa|grootouders|kleinzoon|kleindochter|kleinkinderen|tante|oom|neef|nicht|peetoom|"
            r"peettante|schoonvader|schoonmoeder|schoonouders|zwager|schoonzus|buurman|buurvrouw|buren|"
            r"huisgenoot|huisgenote|collega|collega's|baas|leidinggevende|manager|chef|huisbaas|verhuurder|"
            r"huurder|klant|patiënt|leerling|student|studente|docent|juf|meester|leraar|lerares|huisarts|dokter|"
            r"tandarts|fysio|fysiotherapeut|psycholoog|advocaat|oppas|trainer|coach"
        ),
        intros=r"ik heet|mijn naam is",
        weak_intros=r"ik ben",
        plans=(
            r"(?:eten|uit eten|lunch|lunchen|koffie|borrel|afspraak|date|weekend)\s+met|(?:bericht|berichtje|"
            r"brief|mail|e-mail|kaart|kaartje|cadeau|cadeautje|toespraak|gedicht|verrassing|feest|taart)\s+"
            r"(?:voor|aan)|(?:zeg|zeggen)\s+(?:tegen)|(?:vraag|vragen|schrijf|schrijven|bel|bellen|app|appen)"
        ),
        verbs_first=(
            r"ik woon|wij wonen|we wonen|ik ben geboren|ik ben opgegroeid|ik werk|wij werken|we werken|"
            r"ik studeer|ik verhuis|wij verhuizen|we verhuizen|ik kom|wij komen|we komen|en werk|en woon|en studeer"
        ),
        verbs_third=(
            r"woont|wonen|is geboren|zijn geboren|is opgegroeid|werkt|werken|studeert|studeren|verhuist|"
            r"verhuizen|is verhuisd|komt|komen"
        ),
        places_after=r"(?:op[ \t]+)?(?:[\w-]+[ \t]+){0,3}?(?:minuten|km|kilometer|uur)[ \t]+(?:van|rijden van)|in de buurt van|vlakbij|dichtbij|nabij|in|naar|uit|van",
        relation_places_after=r"in",
        relatives=r"die",
    ),
    "de": Language(
        possessives=(r"mein|meine|meinen|meinem|meiner|meines|unser|unsere|unseren|unserem|unserer|unseres"),
        relations=(
            r"mutter|vater|mama|papa|eltern|sohn|tochter|kind|kinder|bruder|schwester|geschwister|mann|frau|"
            r"ehemann|ehefrau|partner|partnerin|freund|freundin|freunde|freunden|verlobter|verlobte|oma|opa|"
            r"großmutter|großvater|großeltern|enkel|enkelin|tante|onkel|cousin|cousine|neffe|neffen|nichte|pate|"
            r"patin|patenkind|schwiegervater|schwiegermutter|schwiegereltern|schwager|schwägerin|"
            r"schwiegersohn|schwiegertochter|kumpel|nachbar|nachbarin|nachbarn|mitbewohner|mitbewohnerin|"
            r"kollege|kollegin|kollegen|chef|chefin|vorgesetzter|vorgesetzte|vorgesetzten|mitarbeiter|"
            r"mitarbeiterin|vermieter|vermieterin|mieter|mieterin|kunde|kundin|kunden|patient|patientin|"
            r"patienten|schüler|schülerin|student|studentin|studenten|lehrer|lehrerin|arzt|ärztin|hausarzt|"
            r"hausärztin|zahnarzt|zahnärztin|physio|therapeut|therapeutin|anwalt|anwältin|babysitter|"
            r"tagesmutter|trainer|trainerin"
        ),
        intros=r"ich heiße|ich heisse|mein name ist",
        weak_intros=r"ich bin",
        plans=(
            r"(?:essen|abendessen|mittagessen|kaffee|treffen|termin|date|verabredet|urlaub|wochenende)\s+mit|"
            r"(?:nachricht|brief|mail|e-mail|karte|geschenk|rede|gedicht|überraschung|party|feier|kuchen)\s+"
            r"(?:für|an)|(?:sag|sage|schreib|schreibe|frag|frage|antworte|ruf|rufe|lade|danke)"
        ),
        verbs_first=(
            r"ich wohne|wir wohnen|ich lebe|wir leben|ich bin geboren|ich wurde geboren|ich bin aufgewachsen|"
            r"ich arbeite|wir arbeiten|ich studiere|ich ziehe|wir ziehen|ich komme|wir kommen|ich stamme|"
            r"und arbeite|und wohne|und lebe|und studiere"
        ),
        verbs_third=(
            r"wohnt|wohnen|lebt|leben|ist geboren|wurde geboren|ist aufgewachsen|arbeitet|arbeiten|studiert|"
            r"studieren|zieht|ziehen|ist gezogen|kommt|kommen|stammt|stammen"
        ),
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:Minuten|km|Kilometern?|Stunden?)[ \t]+(?:von)|in der Nähe von|außerhalb von|in|nach|aus|von",
        relation_places_after=r"in|aus",
        relatives=r"die|der",
    ),
    "sv": Language(
        possessives=r"min|mitt|mina|vår|vårt|våra|hans|hennes|deras",
        relations=(
            r"mamma|mor|pappa|far|föräldrar|son|dotter|barn|bror|brorsan|syster|syrran|syskon|man|fru|make|maka|"
            r"sambo|pojkvän|flickvän|partner|fästman|fästmö|mormor|farmor|morfar|farfar|barnbarn|moster|faster|"
            r"morbror|farbror|kusin|brorson|systerson|brorsdotter|systerdotter|svärmor|svärfar|svärföräldrar|"
            r"svåger|svägerska|svärson|svärdotter|vän|väninna|kompis|vänner|granne|grannar|rumskamrat|kollega|"
            r"kollegor|chef|hyresvärd|hyresgäst|kund|patient|elev|student|lärare|läkare|tandläkare|advokat|"
            r"barnvakt|tränare"
        ),
        intros=r"jag heter|mitt namn är",
        weak_intros=r"jag är",
        plans=(
            r"(?:middag|lunch|fika|kaffe|träff|dejt|semester)\s+med|(?:meddelande|brev|mejl|kort|present|tal|dikt|"
            r"överraskning|tårta)\s+(?:till|för)|(?:säg|skriv|fråga|svara)\s+till|(?:ringa|bjud|tacka)"
        ),
        verbs_first=(
            r"jag bor|vi bor|jag föddes|jag är född|jag växte upp|jag jobbar|jag arbetar|vi jobbar|jag pluggar|"
            r"jag studerar|jag flyttar|vi flyttar|jag kommer|vi kommer"
        ),
        verbs_third=(
            r"bor|föddes|är född|växte upp|jobbar|arbetar|pluggar|studerar|flyttar|ska flytta|har flyttat|kommer"
        ),
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minuter|km|mil|timmar?)[ \t]+från|i närheten av|utanför|nära|i|till|från",
        relation_places_after=r"i",
        relatives=r"som",
    ),
    "da": Language(
        possessives=r"min|mine|vores|hans|hendes|deres",
        relations=(
            r"mor|far|mormor|farmor|morfar|farfar|forældre|søn|datter|barn|børn|bror|søster|søskende|mand|kone|"
            r"hustru|kæreste|partner|forlovede|bedstemor|bedstefar|bedsteforældre|barnebarn|moster|faster|"
            r"morbror|farbror|onkel|tante|fætter|kusine|nevø|niece|svigermor|svigerfar|svigerforældre|svoger|"
            r"svigerinde|svigersøn|svigerdatter|ven|veninde|venner|kammerat|nabo|naboer|bofælle|kollega|kolleger|"
            r"chef|udlejer|lejer|kunde|patient|elev|studerende|lærer|læge|tandlæge|advokat|babysitter|træner"
        ),
        intros=r"jeg hedder|mit navn er",
        weak_intros=r"jeg er",
        plans=(
            r"(?:middag|frokost|kaffe|aftale|date|ferie)\s+med|(?:besked|brev|mail|kort|gave|tale|digt|"
            r"overraskelse|kage)\s+til|(?:sig|skriv|spørg|svar)\s+til|(?:ringe|inviter|invitere|takke)"
        ),
        verbs_first=(
            r"jeg bor|vi bor|jeg er født|jeg blev født|jeg voksede op|jeg arbejder|vi arbejder|jeg studerer|"
            r"jeg læser|jeg flytter|vi flytter|jeg kommer|vi kommer"
        ),
        verbs_third=r"bor|er født|blev født|voksede op|arbejder|studerer|flytter|skal flytte|er flyttet|kommer",
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minutter|km|timer?)[ \t]+fra|i nærheden af|uden for|udenfor|nær|i|til|fra",
        relation_places_after=r"i",
        relatives=r"som|der",
    ),
    "nb": Language(
        possessives=r"min|mitt|mine|vår|vårt|våre|hans|hennes|deres",
        relations=(
            r"mor|far|mamma|pappa|foreldre|sønn|datter|barn|bror|søster|søsken|mann|kone|samboer|kjæreste|"
            r"partner|forlovede|bestemor|bestefar|besteforeldre|mormor|farmor|morfar|farfar|barnebarn|tante|"
            r"onkel|fetter|kusine|nevø|niese|svigermor|svigerfar|svigerforeldre|svoger|svigerinne|svigersønn|"
            r"svigerdatter|venn|venninne|venner|kamerat|kompis|nabo|naboer|kollega|kolleger|sjef|utleier|"
            r"leietaker|kunde|pasient|elev|student|lærer|lege|fastlege|tannlege|advokat|barnevakt|trener"
        ),
        intros=r"jeg heter|mitt navn er",
        weak_intros=r"jeg er",
        plans=(
            r"(?:middag|lunsj|kaffe|avtale|date|ferie)\s+med|(?:melding|brev|e-post|kort|gave|tale|dikt|"
            r"overraskelse|kake)\s+til|(?:si|skriv|spør|svar)\s+til|(?:ringe|inviter|invitere|takke)"
        ),
        verbs_first=(
            r"jeg bor|vi bor|jeg er født|jeg ble født|jeg vokste opp|jeg jobber|jeg arbeider|vi jobber|"
            r"jeg studerer|jeg flytter|vi flytter|jeg kommer|vi kommer"
        ),
        verbs_third=r"bor|er født|ble født|vokste opp|jobber|arbeider|studerer|flytter|skal flytte|har flyttet|kommer",
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minutter|km|mil|timer?)[ \t]+fra|i nærheten av|utenfor|nær|i|til|fra",
        relation_places_after=r"i",
        relatives=r"som",
        owned_relations=(
            r"(?:broren|søstera|søsteren|mora|moren|faren|sønnen|dattera|datteren|mannen|kona|kjæresten|"
            r"samboeren|kameraten|venninna|venninnen|vennen|naboen|sjefen|kollegaen|bestemora|bestemoren|"
            r"bestefaren|onkelen|tanta|tanten|fetteren|kusina|kusinen|svogeren|svigermora|svigermoren|"
            r"svigerfaren|far|mor)[ \t]+(?:min|mi|mitt|mine|vår|vårt|våre)"
        ),
    ),
    "pl": Language(
        possessives=(
            r"mój|moja|moje|moi|mojego|mojej|moim|moją|mojemu|nasz|nasza|nasze|nasi|naszego|naszej|naszym|jego|"
            r"jej"
        ),
        relations=(
            r"mama|matka|tata|ojciec|rodzice|syn|córka|dziecko|dzieci|brat|siostra|rodzeństwo|mąż|żona|partner|"
            r"partnerka|chłopak|dziewczyna|narzeczony|narzeczona|babcia|dziadek|dziadkowie|wnuk|wnuczka|ciocia|"
            r"ciotka|wujek|wuj|kuzyn|kuzynka|bratanek|bratanica|siostrzeniec|siostrzenica|teść|teściowa|"
            r"teściowie|szwagier|szwagierka|zięć|synowa|przyjaciel|przyjaciółka|przyjaciele|kolega|koleżanka|"
            r"koledzy|sąsiad|sąsiadka|sąsiedzi|współlokator|współlokatorka|szef|szefowa|właściciel|"
            r"właścicielka|najemca|klient|klientka|pacjent|pacjentka|uczeń|uczennica|student|studentka|"
            r"nauczyciel|nauczycielka|lekarz|lekarka|dentysta|dentystka|adwokat|prawnik|niania|trener|trenerka|"
            r"brata|siostry|mamy|taty|córki|syna|męża|żony|babci|dziadka|cioci|wujka|przyjaciela|przyjaciółki|"
            r"kolegi|koleżanki|sąsiada|sąsiadki|szefa"
        ),
        intros=r"nazywam się|mam na imię",
        weak_intros=r"jestem",
        plans=(
            r"(?:kolacja|kolację|obiad|kawa|kawę|spotkanie|randka|randkę|urlop|wyjazd)\s+z|(?:wiadomość|list|"
            r"mail|kartka|kartkę|prezent|przemowa|przemowę|przemówienie|wiersz|niespodzianka|niespodziankę|tort)"
            r"\s+(?:dla|do)|(?:napisz|napisać|powiedz|zapytaj|odpisz|zadzwoń)\s+do|(?:zaproś|podziękuj)"
        ),
        verbs_first=(
            r"mieszkam|mieszkamy|urodziłem się|urodziłam się|wychowałem się|wychowałam się|pracuję|pracujemy|"
            r"studiuję|studiujemy|przeprowadzam się|przeprowadzamy się|przeprowadziłem się|przeprowadziłam się|"
            r"przeprowadziliśmy się|pochodzę"
        ),
        verbs_third=(
            r"mieszka|mieszkają|urodził się|urodziła się|wychował się|wychowała się|pracuje|pracują|studiuje|"
            r"studiują|przeprowadza się|przeprowadzają się|przeprowadził się|przeprowadziła się|pochodzi"
        ),
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minut|km|kilometrów|godzin[ay]?)[ \t]+od|niedaleko|w pobliżu|koło|we|w|z|ze|do",
        relation_places_after=r"w|we",
        relatives=r"który|która|którzy",
    ),
    "cs": Language(
        possessives=r"můj|moje|moji|mého|mé|mí|mou|náš|naše|naši|našeho|jeho|její|jejich",
        relations=(
            r"máma|maminka|matka|táta|tatínek|otec|rodiče|syn|dcera|dítě|děti|bratr|brácha|sestra|ségra|"
            r"sourozenci|manžel|manželka|muž|žena|partner|partnerka|přítel|přítelkyně|snoubenec|snoubenka|"
            r"babička|děda|dědeček|prarodiče|vnuk|vnučka|teta|strýc|bratranec|sestřenice|synovec|neteř|tchán|"
            r"tchyně|švagr|švagrová|zeť|snacha|kamarád|kamarádka|kamarádi|soused|sousedka|sousedé|spolubydlící|"
            r"kolega|kolegyně|šéf|šéfová|pronajímatel|nájemník|klient|klientka|pacient|pacientka|žák|žákyně|"
            r"student|studentka|učitel|učitelka|lékař|lékařka|doktor|doktorka|zubař|zubařka|právník|advokát|"
            r"chůva|trenér|trenérka"
        ),
        intros=r"jmenuji se|jmenuju se",
        weak_intros=r"jsem",
        plans=(
            r"(?:večeře|večeři|oběd|káva|kávu|kafe|schůzka|schůzku|rande|dovolená|dovolenou)\s+s|(?:zpráva|zprávu|"
            r"dopis|mail|přání|dárek|projev|báseň|překvapení|dort)\s+pro|(?:napiš|napsat|řekni|zavolej|pozvi)"
        ),
        verbs_first=(
            r"bydlím|bydlíme|žiju|žijeme|narodil jsem se|narodila jsem se|vyrostl jsem|vyrostla jsem|pracuji|"
            r"pracuju|pracujeme|studuji|studuju|stěhuji se|stěhuju se|stěhujeme se|přestěhoval jsem se|"
            r"přestěhovala jsem se|pocházím"
        ),
        verbs_third=(
            r"bydlí|žije|žijí|se narodil|se narodila|vyrostl|vyrostla|pracuje|pracují|studuje|studují|se stěhuje|"
            r"se stěhují|se přestěhoval|se přestěhovala|pochází"
        ),
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minut|km|kilometrů|hodin[uy]?)[ \t]+od|nedaleko|poblíž|ve|v|ze|z|do",
        relation_places_after=r"v|ve",
        relatives=r"který|která|kteří",
    ),
    "ca": Language(
        possessives=(
            r"el meu|la meva|els meus|les meves|el nostre|la nostra|els nostres|les nostres|el seu|la seva|"
            r"els seus|les seves"
        ),
        relations=(
            r"mare|pare|pares|fill|filla|fills|filles|germà|germana|germans|germanes|marit|dona|home|parella|"
            r"xicot|xicota|promès|promesa|avi|àvia|avis|nét|néta|néts|oncle|tiet|tieta|tia|cosí|cosina|cosins|"
            r"nebot|neboda|padrí|padrina|sogre|sogra|cunyat|cunyada|gendre|amic|amiga|amics|amigues|veí|veïna|"
            r"veïns|company|companya|col·lega|cap|llogater|llogatera|propietari|propietària|client|clienta|"
            r"pacient|alumne|alumna|professor|professora|metge|metgessa|dentista|advocat|advocada|cangur|"
            r"entrenador|entrenadora"
        ),
        intros=r"em dic|el meu nom és",
        weak_intros=r"sóc",
        plans=(
            r"(?:sopar|dinar|cafè|cita|quedar|sortir|festa|viatge)\s+amb|(?:missatge|carta|correu|targeta|regal|"
            r"discurs|poema|sorpresa|pastís)\s+(?:per a|per)|(?:digues|escriu|pregunta|respon)\s+a|"
            r"(?:truca|trucar|convida|convidar)\s+a"
        ),
        verbs_first=(
            r"visc|vivim|vaig néixer|he nascut|vaig créixer|treballo|treballem|estudio|estudiem|em trasllado|"
            r"ens traslladem|em mudo|ens mudem"
        ),
        verbs_third=(
            r"viu|viuen|va néixer|ha nascut|va créixer|treballa|treballen|estudia|estudien|es trasllada|"
            r"es traslladen|es muda|es muden"
        ),
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minuts|km|quilòmetres|hores?)[ \t]+de|a prop de|als afores de|a|al|de|des de|en",
        relation_places_after=r"a",
        relatives=r"que",
    ),
    "ro": Language(
        possessives=r"",
        relations=r"",
        intros=r"mă numesc|numele meu este|mă cheamă",
        weak_intros=r"sunt",
        plans=(
            r"(?:cină|prânz|cafea|întâlnire|ieșire|vacanță)\s+cu|(?:mesaj|scrisoare|mail|felicitare|cadou|"
            r"discurs|poezie|surpriză|tort)\s+pentru"
        ),
        verbs_first=(
            r"locuiesc|locuim|stau|stăm|m-am născut|am crescut|lucrez|lucrăm|studiez|studiem|mă mut|ne mutăm|"
            r"m-am mutat|ne-am mutat|vin"
        ),
        verbs_third=r"locuiește|locuiesc|stă|stau|s-a născut|a crescut|lucrează|studiază|se mută|s-a mutat|s-au mutat|vine",
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:minute|km|kilometri|ore)[ \t]+de|în apropiere de|lângă|în|la|din|de la",
        relation_places_after=r"în|la|din",
        relatives=r"care",
        owned_relations=(
            r"(?:fratele|sora|mama|tata|tatăl|soțul|soția|iubitul|iubita|prietenul|prietena|vecinul|vecina|"
            r"colegul|colega|șeful|șefa|bunica|bunicul|mătușa|unchiul|vărul|verișorul|verișoara|fiul|fiica|"
            r"nepotul|nepoata|cumnatul|cumnata|socrul|soacra|logodnicul|logodnica|proprietarul|proprietara|"
            r"medicul|doctorul|părinții|copiii|frații|surorile|prietenii)[ \t]+(?:meu|mea|mei|mele|nostru|noastră|"
            r"noștri|noastre|lui|ei|lor)"
        ),
    ),
    "ru": Language(
        possessives=r"мой|моя|моё|мое|мои|моего|моей|моему|моим|наш|наша|наше|наши|нашего|нашей|его|её|ее|их",
        relations=(
            r"мама|мать|папа|отец|родители|сын|дочь|дочка|ребёнок|ребенок|дети|брат|сестра|муж|жена|парень|"
            r"девушка|жених|невеста|бабушка|дедушка|внук|внучка|тётя|тетя|дядя|племянник|племянница|свекровь|"
            r"свёкор|свекор|тёща|теща|тесть|зять|невестка|друг|подруга|друзья|приятель|приятельница|сосед|"
            r"соседка|соседи|коллега|начальник|начальница|шеф|хозяин|хозяйка|клиент|клиентка|пациент|ученик|"
            r"ученица|студент|студентка|учитель|учительница|врач|доктор|стоматолог|юрист|адвокат|няня|тренер"
        ),
        intros=r"меня зовут",
        weak_intros=r"я",
        plans=(
            r"(?:ужин|обед|кофе|встреча|встречу|свидание|отпуск)\s+с|(?:сообщение|письмо|открытку|открытка|"
            r"подарок|речь|стихи|сюрприз|торт)\s+для|(?:напиши|скажи|спроси|ответь|позвони)"
        ),
        verbs_first=(
            r"я живу|мы живём|мы живем|я родился|я родилась|я вырос|я выросла|я работаю|мы работаем|я учусь|"
            r"я переезжаю|мы переезжаем|я переехал|я переехала|мы переехали|я родом"
        ),
        verbs_third=(
            r"живёт|живет|живут|родился|родилась|вырос|выросла|работает|работают|учится|переезжает|"
            r"переезжают|переехал|переехала|переехали|родом"
        ),
        places_after=r"(?:[\w-]+[ \t]+){0,3}?(?:минут|км|километров|час[аов]*)[ \t]+от|недалеко от|рядом с|под|во|в|из|на",
        relation_places_after=r"в|во|из",
        relatives=r"который|которая|которые",
    ),
}
