//! Demo interventions against loneliness across Rotterdam's districts (invented, in the
//! spirit of the coalition's partners).

pub struct DemoIntervention {
    pub name: &'static str,
    /// An organisation slug from `super::PARTNERS` (see below), or "" for none.
    pub organisation: &'static str,
    /// Markdown, 2–4 sentences: what it does, how often, where.
    pub description: &'static str,
    /// Target group slugs, from: ouderen, jongeren, migranten, mantelzorgers, nabestaanden,
    /// beperking, wijkbewoners, professionals
    pub groups: &'static [&'static str],
    /// District slugs, from: centrum, charlois, delfshaven, feijenoord,
    /// hillegersberg-schiebroek, hoek-van-holland, hoogvliet, ijsselmonde,
    /// kralingen-crooswijk, noord, overschie, pernis, prins-alexander, rozenburg ([] means
    /// the whole city)
    pub districts: &'static [&'static str],
    /// Markdown: numbered steps to refer someone.
    pub referral: &'static str,
    /// One line: whom to contact (invented contacts; numbers 010-555 xx xx, e-mail only at
    /// example.org).
    pub contact: &'static str,
    pub cost: &'static str,
    pub languages: &'static str,
    /// Markdown: evidence and literature (1–3 lines).
    pub evidence: &'static str,
    /// Months since it was last checked: most 0–11; exactly 4 of them 13–20 (stale).
    pub checked_months_ago: u32,
}

pub const INTERVENTIONS: [DemoIntervention; 32] = [
    // ---------------------------------------------------------------- whole city
    DemoIntervention {
        name: "Belmaatjes Rotterdam",
        organisation: "sensoor",
        description: "Een vaste vrijwilliger belt één keer per week op een afgesproken \
                      moment, voor een praatje of om even stil te staan bij hoe het gaat. \
                      Voor mensen die weinig de deur uit komen is dat vaak het contact waar \
                      ze de hele week naar uitkijken. Het gesprek gaat over wat de beller \
                      zelf belangrijk vindt, **niet** over zorg of regels.",
        groups: &["ouderen", "wijkbewoners", "mantelzorgers"],
        districts: &[],
        referral: "1. Vraag of de persoon het goed vindt dat er iemand belt.\n\
                   2. Geef naam, telefoonnummer en een handig belmoment door aan de \
                   coördinator.\n\
                   3. Binnen twee weken volgt een kennismakingsgesprek; daarna belt het \
                   vaste maatje.",
        contact: "Coördinator Belmaatjes, 010-555 21 40, belmaatjes@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels",
        evidence: "Evaluatie onder deelnemers 2023 (intern): 8 op de 10 voelen zich minder \
                   alleen na een half jaar.\n\
                   Movisie, dossier *Eenzaamheid*: wat werkt bij telefonisch contact.",
        checked_months_ago: 2,
    },
    DemoIntervention {
        name: "Jongeren Praatlijn",
        organisation: "sensoor",
        description: "Jongeren van 12 tot 25 jaar kunnen anoniem chatten of bellen met een \
                      getrainde vrijwilliger, elke avond van 19.00 tot 23.00 uur. Er is geen \
                      probleem te klein: ook \"ik heb gewoon niemand om mee te praten\" is \
                      een goede reden om contact op te nemen.",
        groups: &["jongeren"],
        districts: &[],
        referral: "1. Geef de jongere het nummer of de chatlink (op een kaartje of in de \
                   telefoon).\n\
                   2. Vertel dat het anoniem is en dat ze zelf bepalen waar het over gaat.\n\
                   3. Maak je je zorgen over de veiligheid van de jongere? Schakel dan ook \
                   het wijkteam in.",
        contact: "Jongeren Praatlijn, 010-555 30 12, praatlijn@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels",
        evidence: "Movisie, kennisdossier *Eenzaamheid onder jongeren*.\n\
                   Jaarcijfers 2024 van de lijn (intern): ruim 3.000 gesprekken.",
        checked_months_ago: 5,
    },
    DemoIntervention {
        name: "Thuisadministratie aan de keukentafel",
        organisation: "humanitas",
        description: "Een vrijwilliger komt één keer per week of per twee weken thuis om \
                      samen de post, rekeningen en formulieren door te nemen. Het doel is \
                      dat iemand het na een tijdje weer zelf kan. Geldzorgen en een stapel \
                      ongeopende brieven zijn vaak een reden om zich terug te trekken, dus \
                      er komt ook weer ruimte voor contact.",
        groups: &["ouderen", "migranten", "beperking"],
        districts: &[],
        referral: "1. Bespreek met de persoon wat er speelt en of hulp welkom is.\n\
                   2. Meld aan via het aanmeldformulier of per mail, met een korte \
                   omschrijving van de situatie.\n\
                   3. De coördinator komt op huisbezoek en koppelt een vrijwilliger.",
        contact: "Humanitas, coördinator thuisadministratie, 010-555 41 18, \
                  thuisadministratie@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Arabisch, Engels",
        evidence: "Evaluatie 2023 door de coördinatoren (intern).\n\
                   Zie ook de draad over geldzorgen en schaamte in de praktijk Typologieën.",
        checked_months_ago: 1,
    },
    DemoIntervention {
        name: "Leerkring Eenzaamheid Herkennen",
        organisation: "gemeente-rotterdam",
        description: "Een reeks van vier middagen voor wijkverpleegkundigen, \
                      welzijnswerkers en vrijwilligerscoördinatoren. Je oefent met \
                      gesprekken, leert de verschillende gezichten van eenzaamheid \
                      herkennen en bespreekt eigen casussen. De leerkring start twee keer \
                      per jaar, op wisselende plekken in de stad.",
        groups: &["professionals"],
        districts: &[],
        referral: "1. Meld je aan via de leidinggevende of rechtstreeks per mail.\n\
                   2. Je krijgt een bevestiging met de data en de locatie.\n\
                   3. Neem een eigen casus mee (zonder namen) naar de eerste middag.",
        contact: "Gemeente Rotterdam, programma Erbij, leerkring@example.org",
        cost: "Gratis voor medewerkers van partnerorganisaties",
        languages: "Nederlands",
        evidence: "Opgebouwd uit de kennisbundels van de Lerende Praktijk Typologieën.\n\
                   Movisie, *Handreiking signaleren van eenzaamheid*.",
        checked_months_ago: 3,
    },
    DemoIntervention {
        name: "Buurtbudget Erbij",
        organisation: "gemeente-rotterdam",
        description: "Bewoners die in hun straat iets willen organiseren tegen eenzaamheid \
                      (een koffieochtend, een buurtmaaltijd, een wandelclub) kunnen tot \
                      € 750 aanvragen. Een opbouwwerker helpt bij het plan en het \
                      aanvragen. Er zijn vier aanvraagrondes per jaar.",
        groups: &["wijkbewoners", "professionals"],
        districts: &[],
        referral: "1. Help de bewoner het idee in een paar zinnen op te schrijven.\n\
                   2. Stuur het plan naar het buurtbudget, met naam en wijk.\n\
                   3. Binnen zes weken volgt een besluit; de opbouwwerker denkt mee.",
        contact: "Gemeente Rotterdam, Buurtbudget Erbij, 010-555 10 00, \
                  buurtbudget@example.org",
        cost: "Gratis (subsidie tot € 750 per initiatief)",
        languages: "Nederlands, Engels",
        evidence: "Evaluatie 2024 door de gemeente (intern): 46 initiatieven in 11 \
                   gebieden.\n\
                   *Een tegen eenzaamheid*: voorbeelden van bewonersinitiatieven.",
        checked_months_ago: 4,
    },
    DemoIntervention {
        name: "Mantelzorgcafé Online",
        organisation: "wmo-radar",
        description: "Elke eerste dinsdagavond van de maand een online bijeenkomst voor \
                      mantelzorgers die moeilijk van huis kunnen. Een maatschappelijk \
                      werker begeleidt het gesprek en er is steeds een thema, zoals \
                      grenzen aangeven of hulp vragen. Camera aan of uit, je kiest zelf.",
        groups: &["mantelzorgers"],
        districts: &[],
        referral: "1. Vraag het e-mailadres van de mantelzorger (met toestemming).\n\
                   2. Meld aan per mail; de mantelzorger krijgt een link en een korte \
                   uitleg over het inloggen.\n\
                   3. Lukt het inloggen niet? Een vrijwilliger belt om te helpen.",
        contact: "WMO Radar, team mantelzorg, 010-555 62 20, mantelzorgcafe@example.org",
        cost: "Gratis",
        languages: "Nederlands",
        evidence: "Deelnemersenquête 2022 (intern).",
        checked_months_ago: 16,
    },
    DemoIntervention {
        name: "Rouwmaatje",
        organisation: "humanitas",
        description: "Na het overlijden van een partner of kind staat iemand er vaak \
                      plotseling alleen voor. Een getrainde vrijwilliger komt een half jaar \
                      lang om de week langs om te luisteren en te helpen de draad weer op te \
                      pakken. Het maatje kent ook de rouwgroepen en activiteiten in de \
                      buurt.",
        groups: &["nabestaanden", "ouderen"],
        districts: &[],
        referral: "1. Vraag of de persoon open staat voor een bezoek van een vrijwilliger.\n\
                   2. Bel of mail de coördinator met naam, adres en een korte \
                   toelichting.\n\
                   3. De coördinator maakt een afspraak voor een kennismaking thuis.",
        contact: "Humanitas, coördinator rouw en verlies, 010-555 41 30, \
                  rouwmaatje@example.org",
        cost: "Gratis",
        languages: "Nederlands, Papiaments, Engels",
        evidence: "Movisie, *Rouw en eenzaamheid bij ouderen* (factsheet).\n\
                   Gesprekken in de Lerende Praktijk Zingeving, 2023.",
        checked_months_ago: 7,
    },
    // ---------------------------------------------------------------- Zuid
    DemoIntervention {
        name: "Koffie op de hoek",
        organisation: "thuis-in-de-wijk",
        description: "Elke woensdagochtend staat de koffie klaar in een buurthuis of \
                      buurtwinkel op de hoek. Vrijwilligers zorgen voor een warm welkom en \
                      letten op wie er nieuw is of een tijd wegblijft. Gewoon binnenlopen \
                      mag; wie slecht ter been is, kan gehaald worden.",
        groups: &["ouderen", "wijkbewoners"],
        districts: &["charlois", "pernis"],
        referral: "1. Vertel over de ochtend en geef de folder met het adres mee.\n\
                   2. Is de drempel hoog? Spreek af dat een vrijwilliger de eerste keer \
                   mee gaat.\n\
                   3. Geef dit door aan de ouderenadviseur, die de vrijwilliger inlicht.",
        contact: "Stichting Thuis in de Wijk, ouderenadviseur, 010-555 73 05, \
                  koffie@example.org",
        cost: "€ 1 per kop koffie (niet verplicht)",
        languages: "Nederlands, Turks, Papiaments",
        evidence: "Turflijsten en gesprekken met vaste bezoekers, 2024 (intern).",
        checked_months_ago: 0,
    },
    DemoIntervention {
        name: "Buurtbabbel Charlois",
        organisation: "sol",
        description: "Twee keer per week lopen opbouwwerkers en vrijwilligers met een \
                      koffiekar door de straten van Charlois. Ze maken een praatje op de \
                      stoep en horen zo wie er alleen is of met iets zit. Wie wil, wordt \
                      verder geholpen of meegenomen naar een activiteit in de buurt.",
        groups: &["wijkbewoners", "migranten"],
        districts: &["charlois"],
        referral: "1. Ken je een straat of portiek waar mensen erg op zichzelf zijn? Geef \
                   het adres door aan het opbouwwerk.\n\
                   2. De koffiekar neemt die straat mee in de volgende ronde.\n\
                   3. Je hoort terug of er contact is gelegd.",
        contact: "SOL, opbouwwerk Charlois, 010-555 84 12, buurtbabbel@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Bulgaars, Pools, Papiaments",
        evidence: "Verslag opbouwwerk Charlois 2024 (intern).\n\
                   *Een tegen eenzaamheid*: outreachend werken in de wijk.",
        checked_months_ago: 3,
    },
    DemoIntervention {
        name: "Huisbezoek 75+ op Zuid",
        organisation: "sol",
        description: "Welzijnswerkers en getrainde vrijwilligers bezoeken thuis mensen van \
                      75 jaar en ouder. Ze praten over hoe het gaat, over contacten, \
                      gezondheid en wonen, en kijken samen wat iemand nog wil. Waar nodig \
                      volgt een tweede bezoek of een doorverwijzing.",
        groups: &["ouderen"],
        districts: &["charlois", "ijsselmonde", "feijenoord"],
        referral: "1. Vraag de oudere of een bezoek welkom is.\n\
                   2. Geef naam, adres en telefoonnummer door aan het team \
                   huisbezoeken.\n\
                   3. Binnen drie weken wordt er een afspraak gemaakt.",
        contact: "SOL, team huisbezoeken 75+, 010-555 84 40, huisbezoek@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Arabisch, Kaapverdisch",
        evidence: "Huisbezoeken aan 75-plussers worden in Rotterdam sinds 2015 gedaan en \
                   zijn sinds 2018 vast welzijnswerk.\n\
                   Archief van de Lerende Praktijk Huisbezoeken 75+.",
        checked_months_ago: 6,
    },
    DemoIntervention {
        name: "Chillplek Zuid",
        organisation: "jongerenwerk-op-zuid",
        description: "Op dinsdag- en donderdagavond is er een rustige plek voor jongeren die \
                      veel alleen thuis zitten. Er is eten, er zijn spelletjes en er is een \
                      jongerenwerker om mee te praten, zonder dat er iets moet. Jongeren \
                      mogen een vriend of broer of zus meenemen.",
        groups: &["jongeren"],
        districts: &["feijenoord", "ijsselmonde"],
        referral: "1. Vertel de jongere over de avonden; geef eventueel het Instagram-account \
                   of het nummer van de jongerenwerker.\n\
                   2. Wil de jongere liever eerst kennismaken? Vraag de jongerenwerker om \
                   langs te komen op school of thuis.\n\
                   3. Stem met ouders af als de jongere jonger is dan 16.",
        contact: "Jongerenwerk Op Zuid, 010-555 90 21, chillplek@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Arabisch, Engels",
        evidence: "Gesprekken in de Lerende Praktijk Jongeren, 2024.\n\
                   Nederlands Jeugdinstituut, informatie over eenzaamheid bij jongeren.",
        checked_months_ago: 2,
    },
    DemoIntervention {
        name: "Gamen & Praten",
        organisation: "jongerenwerk-op-zuid",
        description: "Een wekelijkse gameavond in het buurthuis voor jongeren die online \
                      veel contact hebben maar offline weinig. Tussen de potjes door is er \
                      ruimte voor een gesprek met de jongerenwerker. Ook jongeren met een \
                      beperking of autisme zijn van harte welkom; de groep is klein.",
        groups: &["jongeren", "beperking"],
        districts: &["charlois"],
        referral: "1. Bespreek met de jongere (en de ouders) of dit iets is.\n\
                   2. Mail de jongerenwerker met naam, leeftijd en wat de jongere leuk \
                   vindt.\n\
                   3. De eerste avond komt de jongerenwerker de jongere bij de deur \
                   ophalen.",
        contact: "Jongerenwerk Op Zuid, 010-555 90 35, gamen@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels",
        evidence: "Pilot 2022 (intern), niet opnieuw geëvalueerd.",
        checked_months_ago: 19,
    },
    DemoIntervention {
        name: "Praatgroep Jonge Mantelzorgers",
        organisation: "jongerenwerk-op-zuid",
        description: "Jongeren die thuis zorgen voor een ouder, broer of zus komen één keer \
                      per maand samen. Ze delen ervaringen, doen iets leuks en merken dat ze \
                      niet de enige zijn. Een jongerenwerker en een mantelzorgconsulent \
                      begeleiden de groep.",
        groups: &["jongeren", "mantelzorgers"],
        districts: &["charlois", "feijenoord", "ijsselmonde"],
        referral: "1. Vraag voorzichtig naar de thuissituatie; veel jongeren zien zichzelf \
                   niet als mantelzorger.\n\
                   2. Meld aan via de school of rechtstreeks bij de jongerenwerker.\n\
                   3. Er volgt eerst een kennismaking, eventueel samen met een ouder.",
        contact: "Jongerenwerk Op Zuid, jonge mantelzorg, 010-555 90 48, \
                  jongemantelzorg@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Papiaments",
        evidence: "Movisie, informatie over jonge mantelzorgers.\n\
                   Ervaringen uit de Lerende Praktijk Jongeren.",
        checked_months_ago: 8,
    },
    DemoIntervention {
        name: "Samen naar de markt",
        organisation: "wmo-radar",
        description: "Eén keer per week gaan vrijwilligers met een kleine groep naar de markt \
                      op de Binnenrotte of het Afrikaanderplein. Samen boodschappen doen, \
                      een kop koffie drinken en weer thuisgebracht worden. Geschikt voor \
                      mensen die slecht ter been zijn of de drukte alleen niet aandurven.",
        groups: &["ouderen", "beperking"],
        districts: &["centrum", "feijenoord"],
        referral: "1. Vraag of de persoon mee wil en op welke dag dat uitkomt.\n\
                   2. Bel de coördinator met naam, adres en eventuele hulpmiddelen \
                   (rollator, rolstoel).\n\
                   3. De vrijwilliger belt de dag ervoor om de afspraak te bevestigen.",
        contact: "WMO Radar, vrijwilligerswerk, 010-555 62 45, markt@example.org",
        cost: "€ 2,50 per keer (vervoer inbegrepen)",
        languages: "Nederlands, Arabisch, Tamazight",
        evidence: "Evaluatie 2024 met deelnemers en vrijwilligers (intern).",
        checked_months_ago: 5,
    },
    // ---------------------------------------------------------------- west and centre
    DemoIntervention {
        name: "Taalcafé Delfshaven",
        organisation: "mdrplus",
        description: "Elke maandag- en donderdagmiddag oefenen nieuwe Rotterdammers \
                      Nederlands met vrijwilligers, aan tafels van vier. Er wordt gepraat \
                      over alledaagse dingen: de buurt, de dokter, de school van de \
                      kinderen. Veel deelnemers vinden hier hun eerste contacten in de wijk.",
        groups: &["migranten", "wijkbewoners"],
        districts: &["delfshaven"],
        referral: "1. Vertel over het taalcafé; aanmelden is niet nodig.\n\
                   2. Geef het adres en de tijden mee op papier.\n\
                   3. Wil iemand begeleid worden naar de eerste keer? Mail de \
                   coördinator.",
        contact: "MDRplus, taalcoördinator Delfshaven, 010-555 52 60, \
                  taalcafe@example.org",
        cost: "Gratis",
        languages: "Nederlands (oefentaal), hulp in Arabisch, Turks, Pools, Engels",
        evidence: "Deelnemerstellingen 2024 (intern).\n\
                   Kennisbundel *Taal als sleutel tot contact* van de Lerende Praktijk \
                   Migranten.",
        checked_months_ago: 1,
    },
    DemoIntervention {
        name: "Morabeza-middag Delfshaven",
        organisation: "mdrplus",
        description: "Een maandelijkse middag voor oudere Kaapverdiaanse Rotterdammers, met \
                      muziek, eten en verhalen van vroeger. Een welzijnswerker die de taal \
                      spreekt is erbij en helpt met vragen over zorg en geld. Zo bereiken we \
                      mensen die de gewone activiteiten in de buurt niet bezoeken.",
        groups: &["migranten", "ouderen"],
        districts: &["delfshaven"],
        referral: "1. Vertel over de middag; familieleden zijn ook welkom.\n\
                   2. Geef naam en telefoonnummer door aan de welzijnswerker, die zelf \
                   belt.\n\
                   3. Vervoer kan geregeld worden; geef dat aan bij de aanmelding.",
        contact: "MDRplus, welzijnswerk Delfshaven, 010-555 52 74, morabeza@example.org",
        cost: "€ 3 per middag (inclusief maaltijd)",
        languages: "Kaapverdisch, Portugees, Nederlands",
        evidence: "Ervaringen gedeeld in de Lerende Praktijk Migranten, 2023–2024.\n\
                   Movisie, *Eenzaamheid onder oudere migranten*.",
        checked_months_ago: 9,
    },
    DemoIntervention {
        name: "Netwerkgesprek aan huis",
        organisation: "mdrplus",
        description: "Een maatschappelijk werker tekent samen met de oudere (en soms een \
                      mantelzorger) een netwerkkaart: wie zijn er, wie zijn er uit beeld \
                      geraakt, wie zou je graag weer zien? Daarna zoeken ze samen naar één \
                      of twee kleine stappen. Het zijn meestal drie gesprekken, thuis.",
        groups: &["ouderen", "mantelzorgers", "professionals"],
        districts: &["noord", "delfshaven"],
        referral: "1. Bespreek met de oudere of hij of zij wil kijken naar het eigen \
                   netwerk.\n\
                   2. Verwijs door via het wijkteam of rechtstreeks bij het maatschappelijk \
                   werk.\n\
                   3. Professionals kunnen ook zelf een training netwerkkaart volgen; vraag \
                   ernaar.",
        contact: "MDRplus, maatschappelijk werk Noord, 010-555 52 88, \
                  netwerk@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Engels",
        evidence: "Gebaseerd op de werkwijze uit de Lerende Praktijk Informele \
                   netwerkversterking.\n\
                   Movisie, *Sociale netwerkversterking* (dossier).",
        checked_months_ago: 4,
    },
    DemoIntervention {
        name: "Stap voor Stap Centrum",
        organisation: "wmo-radar",
        description: "Een wijkcoach begeleidt iemand die erg alleen is, acht keer, één op \
                      één. Samen zoeken ze uit wat iemand wil en kan, en gaan ze de eerste \
                      keren mee naar een activiteit of vereniging. Ook voor mensen met een \
                      psychische kwetsbaarheid.",
        groups: &["wijkbewoners", "beperking"],
        districts: &["centrum"],
        referral: "1. Vraag toestemming om de persoon aan te melden.\n\
                   2. Meld aan via het wijkteam Centrum of bel de wijkcoach.\n\
                   3. De coach plant binnen twee weken een eerste gesprek, thuis of in de \
                   buurt.",
        contact: "WMO Radar, wijkcoach Centrum, 010-555 62 70, stapvoorstap@example.org",
        cost: "Vergoed via de Wmo",
        languages: "Nederlands, Engels, Arabisch",
        evidence: "Resultaatmeting 2024 (intern).\n\
                   Movisie, *Wat werkt bij de aanpak van eenzaamheid*.",
        checked_months_ago: 6,
    },
    DemoIntervention {
        name: "Luistercafé Noord",
        organisation: "sensoor",
        description: "Op zaterdagochtend zitten vrijwilligers van de luisterlijn in een \
                      buurtcentrum, voor wie liever persoonlijk praat dan aan de telefoon. \
                      Je hoeft niets te kopen of mee te doen: je schuift aan en vertelt \
                      wat je kwijt wilt.",
        groups: &["wijkbewoners", "ouderen"],
        districts: &["noord", "centrum"],
        referral: "1. Vertel over het luistercafé; aanmelden is niet nodig.\n\
                   2. Geef de folder met de adressen en tijden mee.",
        contact: "Sensoor, vrijwilligerscoördinator, 010-555 21 66, \
                  luistercafe@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels",
        evidence: "Registratie bezoekers 2024 (intern).",
        checked_months_ago: 10,
    },
    // ---------------------------------------------------------------- north and east
    DemoIntervention {
        name: "Oog voor alleen",
        organisation: "wijkverpleging-rotte-en-schie",
        description: "Wijkverpleegkundigen stellen bij hun gewone bezoeken een paar korte \
                      vragen over contacten en het gevoel van alleen zijn. Zien ze signalen, \
                      dan bespreken ze dat met de cliënt en verwijzen ze warm door naar \
                      welzijn. Eén keer per kwartaal bespreken de teams hun ervaringen.",
        groups: &["ouderen", "professionals"],
        districts: &["noord", "hillegersberg-schiebroek"],
        referral: "1. Ben je wijkverpleegkundige? Vraag de vragenkaart aan bij je \
                   teamleider.\n\
                   2. Bij signalen: bespreek met de cliënt wat hij of zij wil.\n\
                   3. Verwijs met toestemming door naar het welzijnswerk en noteer dit in \
                   het dossier.",
        contact: "Wijkverpleging Rotte en Schie, 010-555 47 02, oogvooralleen@example.org",
        cost: "Gratis (onderdeel van de wijkverpleging)",
        languages: "Nederlands",
        evidence: "Werkwijze ontwikkeld met de Lerende Praktijk Typologieën.\n\
                   *Een tegen eenzaamheid*: signaleren door zorgprofessionals.",
        checked_months_ago: 0,
    },
    DemoIntervention {
        name: "Ommetje met de wijkverpleging",
        organisation: "wijkverpleging-rotte-en-schie",
        description: "Elke vrijdagochtend een korte wandeling in een rustig tempo, met een \
                      wijkverpleegkundige en vrijwilligers. Na afloop is er koffie. Met \
                      rollator kun je gewoon meedoen; er wordt gewacht op wie achteraan \
                      loopt.",
        groups: &["ouderen", "beperking"],
        districts: &["overschie", "kralingen-crooswijk"],
        referral: "1. Vraag of de cliënt zin heeft om mee te lopen.\n\
                   2. Geef de naam door aan de wijkverpleegkundige die de wandeling \
                   begeleidt.\n\
                   3. De eerste keer wordt de deelnemer thuis opgehaald.",
        contact: "Wijkverpleging Rotte en Schie, team Overschie, 010-555 47 18, \
                  ommetje@example.org",
        cost: "Gratis",
        languages: "Nederlands",
        evidence: "Ervaringen van de teams, 2023 (intern).",
        checked_months_ago: 11,
    },
    DemoIntervention {
        name: "Rouwwandeling Kralingse Bos",
        organisation: "humanitas",
        description: "Elke tweede zondag van de maand een wandeling van ongeveer een uur rond \
                      de Kralingse Plas, voor mensen die iemand hebben verloren. Onderweg \
                      praat je als je wilt, of je loopt gewoon mee. Twee ervaren \
                      vrijwilligers begeleiden de groep.",
        groups: &["nabestaanden"],
        districts: &["kralingen-crooswijk"],
        referral: "1. Vertel over de wandeling; aanmelden is fijn maar niet verplicht.\n\
                   2. Geef het verzamelpunt en de tijd door (folder).\n\
                   3. Liever eerst een persoonlijk gesprek? Verwijs dan naar het \
                   Rouwmaatje.",
        contact: "Humanitas, rouw en verlies, 010-555 41 36, rouwwandeling@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels",
        evidence: "Ervaringsverhalen van deelnemers (intern).\n\
                   Draad over rouw en zingeving in de Lerende Praktijk Zingeving.",
        checked_months_ago: 2,
    },
    DemoIntervention {
        name: "Theetafel Crooswijk",
        organisation: "thermiek",
        description: "Op woensdagmiddag is er een theetafel voor vrouwen in het buurthuis, \
                      met kinderopvang in de ruimte ernaast. Er wordt gepraat, gehandwerkt \
                      en soms komt er een gast vertellen over gezondheid of geld. Voor veel \
                      vrouwen is het de eerste stap naar andere activiteiten.",
        groups: &["migranten", "wijkbewoners"],
        districts: &["kralingen-crooswijk"],
        referral: "1. Vertel over de theetafel; een vriendin of buurvrouw mag mee.\n\
                   2. Liever eerst kennismaken? Geef het telefoonnummer door aan de \
                   welzijnswerker.\n\
                   3. Geef aan of er kinderopvang nodig is.",
        contact: "Thermiek, welzijnswerk Crooswijk, 010-555 36 14, theetafel@example.org",
        cost: "Gratis",
        languages: "Nederlands, Turks, Arabisch, Tamazight",
        evidence: "Verslag welzijnswerk Crooswijk 2024 (intern).\n\
                   Ervaringen gedeeld in de Lerende Praktijk Migranten.",
        checked_months_ago: 3,
    },
    DemoIntervention {
        name: "Zin in Zondag",
        organisation: "thermiek",
        description: "Voor veel alleenstaanden is de zondag de langste dag van de week. Elke \
                      zondagmiddag is er daarom een ontmoeting met koffie, muziek of een \
                      gesprek over wat het leven de moeite waard maakt. Deelnemers denken \
                      zelf mee over het programma.",
        groups: &["ouderen", "nabestaanden", "wijkbewoners"],
        districts: &["hillegersberg-schiebroek", "overschie"],
        referral: "1. Vertel over de middag en vraag wat de persoon graag doet.\n\
                   2. Geef naam en telefoonnummer door aan Thermiek; een vrijwilliger \
                   belt voor een eerste kennismaking.\n\
                   3. Vervoer nodig? Dan regelt de vrijwilliger een rit.",
        contact: "Thermiek, ouderenwerk, 010-555 36 30, zinzondag@example.org",
        cost: "€ 2 per middag",
        languages: "Nederlands",
        evidence: "Opgezet met ideeën uit de Lerende Praktijk Zingeving.\n\
                   Deelnemersgesprekken 2024 (intern).",
        checked_months_ago: 7,
    },
    DemoIntervention {
        name: "Mantelzorgwandeling Schiebroek",
        organisation: "thermiek",
        description: "Twee keer per maand wandelen mantelzorgers samen door het Schiebroekse \
                      Park, even weg van de zorg thuis. Een mantelzorgconsulent loopt mee \
                      voor wie vragen heeft. Als het nodig is, regelt een vrijwilliger \
                      zolang de oppas thuis.",
        groups: &["mantelzorgers"],
        districts: &["hillegersberg-schiebroek"],
        referral: "1. Vraag de mantelzorger hoe het met hem of haar zelf gaat.\n\
                   2. Meld aan per telefoon of mail, en geef aan of er oppas nodig is.\n\
                   3. De consulent belt voor de eerste wandeling even kennis te maken.",
        contact: "Thermiek, mantelzorgconsulent, 010-555 36 52, \
                  mantelzorgwandeling@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels",
        evidence: "Movisie, *Overbelasting van mantelzorgers* (dossier).",
        checked_months_ago: 5,
    },
    DemoIntervention {
        name: "Maatje voor mantelzorgers Alexander",
        organisation: "humanitas",
        description: "Een vrijwilliger komt wekelijks bij een mantelzorger langs voor een \
                      gesprek, een wandeling of gewoon even iemand om tegen te praten. Het \
                      maatje neemt geen zorg over, maar is er voor de mantelzorger zelf. De \
                      koppeling loopt een jaar.",
        groups: &["mantelzorgers"],
        districts: &["prins-alexander"],
        referral: "1. Bespreek met de mantelzorger of een maatje welkom is.\n\
                   2. Meld aan bij de coördinator met een korte beschrijving van de \
                   situatie.\n\
                   3. Na een kennismakingsgesprek volgt de koppeling, meestal binnen een \
                   maand.",
        contact: "Humanitas, maatjesproject Prins Alexander, 010-555 41 52, \
                  maatjealexander@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels, Papiaments",
        evidence: "Evaluatie maatjesprojecten 2023 (intern).",
        checked_months_ago: 8,
    },
    DemoIntervention {
        name: "Digicafé Ommoord",
        organisation: "",
        description: "Elke dinsdagochtend helpen vrijwilligers ouderen met hun telefoon of \
                      tablet: videobellen met de kleinkinderen, een app van de huisarts, \
                      foto's bekijken. Wie digitaal meedoet, houdt makkelijker contact met \
                      familie en buurt.",
        groups: &["ouderen", "beperking"],
        districts: &["prins-alexander"],
        referral: "1. Vertel over het digicafé en vraag de persoon het eigen apparaat mee te \
                   nemen.\n\
                   2. Aanmelden is niet nodig; wie dat prettig vindt, kan vooraf bellen.",
        contact: "Digicafé Ommoord (vrijwilligers), 010-555 18 90, digicafe@example.org",
        cost: "Gratis",
        languages: "Nederlands",
        evidence: "Geen formele evaluatie; bezoekersaantallen 2022.",
        checked_months_ago: 14,
    },
    // ---------------------------------------------------------------- the edges of the city
    DemoIntervention {
        name: "Samen eten Pernis",
        organisation: "thuis-in-de-wijk",
        description: "Elke donderdag koken vrijwilligers een warme maaltijd in het \
                      dorpshuis. Voor mensen die alleen wonen, ook na het overlijden van een \
                      partner, is samen aan tafel zitten vaak het hoogtepunt van de week. \
                      Eén keer per maand is dezelfde maaltijd in Hoogvliet.",
        groups: &["ouderen", "nabestaanden"],
        districts: &["pernis", "hoogvliet"],
        referral: "1. Vraag of de persoon mee wil eten en of er een dieet is.\n\
                   2. Meld uiterlijk dinsdag aan bij de ouderenadviseur.\n\
                   3. Wie niet zelf kan komen, wordt met de buurtbus opgehaald.",
        contact: "Stichting Thuis in de Wijk, ouderenadviseur Pernis, 010-555 73 20, \
                  sameneten@example.org",
        cost: "€ 4 per maaltijd",
        languages: "Nederlands",
        evidence: "Tevredenheidsmeting onder eters 2024 (intern).",
        checked_months_ago: 1,
    },
    DemoIntervention {
        name: "Hoogvliet Haakt",
        organisation: "thuis-in-de-wijk",
        description: "Een handwerkclub die elke maandagmiddag bij elkaar komt om te haken, \
                      breien en bijpraten. Wat er gemaakt wordt, gaat naar de kraamzorg en \
                      het verpleeghuis in de buurt. Ook beginners en mensen met weinig \
                      kracht in de handen doen mee.",
        groups: &["ouderen", "beperking", "wijkbewoners"],
        districts: &["hoogvliet"],
        referral: "1. Vertel over de club; wol en naalden zijn er.\n\
                   2. Geef de naam door aan de ouderenadviseur of loop samen een keer \
                   binnen.",
        contact: "Stichting Thuis in de Wijk, Hoogvliet, 010-555 73 38, haakt@example.org",
        cost: "€ 1,50 per keer",
        languages: "Nederlands, Papiaments",
        evidence: "Gesprekken met deelnemers, 2024 (intern).",
        checked_months_ago: 9,
    },
    DemoIntervention {
        name: "Nieuw in de buurt",
        organisation: "gemeente-rotterdam",
        description: "Wie net is verhuisd naar een van de kleinere kernen van de stad, krijgt \
                      een welkomstbezoek van een buurtbewoner. Die vertelt over de \
                      verenigingen, de huisarts en de plekken waar je mensen ontmoet. Zo \
                      raakt een nieuwkomer niet buiten beeld.",
        groups: &["wijkbewoners", "migranten"],
        districts: &["hoek-van-holland", "rozenburg", "pernis"],
        referral: "1. Ken je een nieuwe bewoner? Vraag of een welkomstbezoek welkom is.\n\
                   2. Geef naam en adres door aan het wijkteam.\n\
                   3. Een buurtbewoner maakt binnen een maand een afspraak.",
        contact: "Gemeente Rotterdam, wijkteam Hoek van Holland, 010-555 10 45, \
                  nieuwindebuurt@example.org",
        cost: "Gratis",
        languages: "Nederlands, Engels, Pools",
        evidence: "Evaluatie 2024 door de gemeente (intern).",
        checked_months_ago: 4,
    },
    DemoIntervention {
        name: "Dorpstafel Hoek van Holland",
        organisation: "",
        description: "Twee keer per maand een gezamenlijke maaltijd in de kantine van de \
                      sportvereniging, georganiseerd door bewoners zelf. Jong en oud eten \
                      samen, en wie wil kan helpen met koken of afwassen. Na het eten is er \
                      soms een kaartmiddag of een quiz.",
        groups: &["ouderen", "wijkbewoners"],
        districts: &["hoek-van-holland"],
        referral: "1. Vertel over de dorpstafel en geef de data mee.\n\
                   2. Aanmelden kan tot drie dagen vooraf, per telefoon of mail.",
        contact: "Bewonersgroep Dorpstafel, 010-555 19 12, dorpstafel@example.org",
        cost: "€ 5 per maaltijd",
        languages: "Nederlands",
        evidence: "Opgezet met het Buurtbudget Erbij; geen formele evaluatie.",
        checked_months_ago: 6,
    },
    DemoIntervention {
        name: "Klussen en koffie Rozenburg",
        organisation: "",
        description: "Op de eerste zaterdag van de maand repareren vrijwilligers kapotte \
                      lampen, kleding en fietsen in het wijkgebouw. Terwijl je wacht, drink \
                      je koffie met je buren. Het is een laagdrempelige manier om mensen te \
                      ontmoeten die je anders niet tegenkomt.",
        groups: &["wijkbewoners", "ouderen"],
        districts: &["rozenburg"],
        referral: "1. Vertel over de ochtend; aanmelden is niet nodig.\n\
                   2. Komt iemand er alleen niet toe? Vraag een buur of vrijwilliger om \
                   mee te gaan.",
        contact: "Bewonersinitiatief Rozenburg, 010-555 19 40, klussen@example.org",
        cost: "Gratis (vrijwillige bijdrage)",
        languages: "Nederlands",
        evidence: "Geen evaluatie bekend; laatste gegevens van 2021.",
        checked_months_ago: 20,
    },
];
