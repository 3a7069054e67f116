//! Varied text for the demo at scale, so that a search benchmark meets the word spread of a
//! real forum: a few thousand distinct words, a handful of them everywhere and most of them
//! rare (a Zipf-like spread), posts from twenty to three hundred words, about one in ten in
//! English. Sentences come from templates whose slots are filled from word lists; the
//! nouns are Dutch compounds (buurt + huis, taal + café), which is how Dutch makes words.
//! Everything is drawn from the caller's seeded generator, so a run is repeatable.

use rand::{Rng, rngs::StdRng};

/// First halves of Dutch compounds.
const NL_HEADS: &[&str] = &[
    "buurt",
    "wijk",
    "zorg",
    "taal",
    "koffie",
    "wandel",
    "maatjes",
    "mantelzorg",
    "ouderen",
    "jongeren",
    "huis",
    "straat",
    "school",
    "kerk",
    "moskee",
    "sport",
    "tuin",
    "kook",
    "lees",
    "muziek",
    "computer",
    "telefoon",
    "bus",
    "markt",
    "bibliotheek",
    "gezondheids",
    "rouw",
    "armoede",
    "schulden",
    "dementie",
    "geheugen",
    "beweeg",
    "eet",
    "fiets",
    "spreek",
    "luister",
    "bezoek",
    "netwerk",
    "familie",
    "vrijwilligers",
    "welzijns",
    "senioren",
    "dagbestedings",
    "activiteiten",
    "ontmoetings",
    "huiskamer",
    "zingevings",
    "levens",
    "contact",
    "samenwerkings",
    "signalerings",
    "preventie",
    "wijkteam",
    "praktijk",
    "thuis",
    "zomer",
    "winter",
    "feest",
    "spel",
    "kaart",
    "brei",
    "handwerk",
    "klus",
    "boodschappen",
    "vervoer",
    "tolk",
    "inloop",
    "opvang",
];
/// Second halves of Dutch compounds.
const NL_TAILS: &[&str] = &[
    "project",
    "groep",
    "huis",
    "kamer",
    "team",
    "coach",
    "maatje",
    "ochtend",
    "middag",
    "avond",
    "gesprek",
    "bezoek",
    "tafel",
    "lijn",
    "punt",
    "plan",
    "netwerk",
    "club",
    "cursus",
    "dienst",
    "fonds",
    "route",
    "training",
    "uur",
    "week",
    "wijzer",
    "hulp",
    "werk",
    "café",
    "spreekuur",
    "les",
    "moment",
    "kring",
    "bank",
    "map",
    "brief",
    "folder",
    "lijst",
    "aanpak",
    "vraag",
    "tocht",
    "dag",
    "pakket",
    "agenda",
    "ronde",
    "winkel",
    "kaart",
    "raad",
    "verhaal",
    "signaal",
];
const NL_VERBS: &[&str] = &[
    "organiseren",
    "bezoeken",
    "opzetten",
    "bespreken",
    "volhouden",
    "uitbreiden",
    "aanbieden",
    "evalueren",
    "delen",
    "vinden",
    "betalen",
    "regelen",
    "verbeteren",
    "uitproberen",
    "aankondigen",
    "afstemmen",
    "begeleiden",
    "bereiken",
    "combineren",
    "doorverwijzen",
    "herhalen",
    "inplannen",
    "meten",
    "onderhouden",
    "opstarten",
    "overdragen",
    "samenvatten",
    "steunen",
    "terugkoppelen",
    "uitleggen",
    "vasthouden",
    "verbinden",
    "verspreiden",
    "vertalen",
    "voorbereiden",
    "waarderen",
    "werven",
    "zoeken",
    "openen",
    "afsluiten",
];
const NL_ADJECTIVES: &[&str] = &[
    "goede",
    "vaste",
    "kleine",
    "grote",
    "nieuwe",
    "oude",
    "gezellige",
    "rustige",
    "drukke",
    "lastige",
    "eenvoudige",
    "wekelijkse",
    "maandelijkse",
    "eerste",
    "laatste",
    "korte",
    "lange",
    "warme",
    "open",
    "gratis",
    "betaalde",
    "digitale",
    "lokale",
    "gemengde",
    "meertalige",
    "tweede",
    "vertrouwde",
    "onverwachte",
    "praktische",
    "bescheiden",
    "stevige",
    "vriendelijke",
    "informele",
    "succesvolle",
    "mislukte",
];
/// Interventions and programmes people name.
const INTERVENTIONS: &[&str] = &[
    "Welzijn op Recept",
    "de Luisterlijn",
    "Zilverlijn",
    "het Maatjesproject",
    "Humanitas Thuisadministratie",
    "de Buurtkamer",
    "Tel mee",
    "Eén tegen eenzaamheid",
    "Goed Gesprek",
    "Wandel je wijk",
    "Koken met buren",
    "de Week tegen Eenzaamheid",
    "Samen Sterk",
    "het Alzheimer Café",
    "de Ouderenbond",
    "Vitaal Vooruit",
    "Buurtcirkel",
    "Granny's Finest",
    "Het Rijdende Café",
    "de Digicoach",
    "Taal voor het Leven",
    "Doe mee",
    "Lang Leve de Buurt",
    "Buurtgezinnen",
    "Open Tafel",
    "Ouder Worden in de Wijk",
];
const PROFESSIONS: &[&str] = &[
    "wijkverpleegkundige",
    "huisarts",
    "praktijkondersteuner",
    "ouderenadviseur",
    "opbouwwerker",
    "jongerenwerker",
    "sociaal werker",
    "vrijwilligerscoördinator",
    "mantelzorgconsulent",
    "buurtsportcoach",
    "fysiotherapeut",
    "diëtist",
    "apotheker",
    "wijkagent",
    "dominee",
    "imam",
    "bibliothecaris",
    "leerkracht",
    "casemanager dementie",
    "schuldhulpverlener",
    "welzijnscoach",
    "geestelijk verzorger",
];
const STREETS: &[&str] = &[
    "Maas", "Linden", "Eiken", "Wilgen", "Beuken", "Rozen", "Tulpen", "Molen", "Kerk", "Haven",
    "Dijk", "Polder", "Vlieger", "Zwanen", "Mees", "Spoor", "Markt", "Brug",
];
const STREET_KINDS: &[&str] = &["straat", "laan", "plein", "kade", "weg", "singel", "hof"];
const WHEN: &[&str] = &[
    "vorige week",
    "gisteren",
    "op dinsdagochtend",
    "in de zomer",
    "rond de feestdagen",
    "na de vakantie",
    "elke maand",
    "sinds januari",
    "vanmiddag",
    "op zaterdag",
    "in het voorjaar",
    "twee keer per week",
];
const NUMBERS: &[&str] = &[
    "twee", "drie", "vier", "vijf", "zes", "acht", "tien", "twaalf", "twintig",
];

const NL_TEMPLATES: &[&str] = &[
    "Bij ons in {place} werkt een {adj} {noun} het best.",
    "Heeft iemand ervaring met een {noun} in {place}?",
    "Wij zijn {when} begonnen met {interv}, en de {noun} loopt goed.",
    "De {prof} merkt dat mensen pas bij de {noun} echt vertellen hoe het gaat.",
    "Ik wil graag een {noun} {verb}, maar de {noun} ontbreekt nog.",
    "{name} vertelde {when} over een {adj} {noun} aan de {street}.",
    "Wie kan mij helpen een {noun} te {verb}?",
    "Eenzaamheid zie je niet aan de buitenkant; de {noun} helpt om het te merken.",
    "Met {num} vrijwilligers houden we de {noun} {when} open.",
    "Een huisbezoek van de {prof} doet meer dan een {noun}.",
    "Mantelzorgers komen zelden naar de {noun}; we gaan nu langs met een {adj} {noun}.",
    "We willen de {noun} samen met {interv} {verb}.",
    "In {place} is de {noun} {when} gesloten, dus zoeken we een {adj} {noun}.",
    "Onze {prof} gebruikt de {noun} als ingang voor het gesprek.",
    "Het lukte pas toen {name} mee ging naar de {noun}.",
    "Zouden we de {noun} kunnen {verb} met hulp van de {prof}?",
    "Wat ik mis is een overzicht van elke {noun} per wijk.",
    "De drempel om naar de {noun} te gaan is hoog, zeker voor wie alleen woont.",
    "Ik deel {when} de {noun} die we gebruiken bij {interv}.",
    "Belangrijk is dat je de {noun} blijft {verb}, ook als er weinig mensen komen.",
    "Jongeren bereiken we beter met een {adj} {noun} dan met een {noun}.",
    "Bij de {noun} aan de {street} zagen we {num} nieuwe gezichten.",
    "Tip: vraag de {prof} om de {noun} mee te nemen op huisbezoek.",
    "Het maatjesproject koppelt mensen via de {noun}; dat werkt {when} goed.",
    "Hoe houden jullie vrijwilligers vast bij een {adj} {noun}?",
    "Misschien kunnen we de {noun} meenemen naar de volgende {noun}?",
];

const EN_HEADS: &[&str] = &[
    "neighbourhood",
    "community",
    "language",
    "walking",
    "coffee",
    "volunteer",
    "youth",
    "elderly",
    "home",
    "care",
    "carer",
    "garden",
    "cooking",
    "reading",
    "music",
    "phone",
    "library",
    "health",
    "grief",
    "memory",
    "family",
    "faith",
    "sports",
    "street",
    "school",
    "buddy",
    "lunch",
    "support",
    "outreach",
    "wellbeing",
];
const EN_TAILS: &[&str] = &[
    "project",
    "group",
    "team",
    "visit",
    "morning",
    "meeting",
    "network",
    "programme",
    "centre",
    "café",
    "circle",
    "club",
    "walk",
    "call",
    "plan",
    "session",
    "hour",
    "list",
    "route",
    "scheme",
];
const EN_VERBS: &[&str] = &[
    "organise",
    "visit",
    "start",
    "discuss",
    "keep going",
    "extend",
    "offer",
    "evaluate",
    "share",
    "find",
    "fund",
    "arrange",
    "improve",
    "try",
    "announce",
    "coordinate",
    "reach",
    "translate",
    "prepare",
    "recruit",
];
const EN_ADJECTIVES: &[&str] = &[
    "good",
    "weekly",
    "small",
    "large",
    "new",
    "quiet",
    "busy",
    "difficult",
    "simple",
    "informal",
    "local",
    "digital",
    "free",
    "friendly",
    "first",
    "mixed",
    "multilingual",
];
const EN_TEMPLATES: &[&str] = &[
    "In {place} a {adj} {noun} works best for us.",
    "Has anyone tried a {noun} for people who live alone?",
    "We started {interv} last month and the {noun} is going well.",
    "Loneliness is hard to see; the {noun} helps us notice it.",
    "Our volunteers {verb} the {noun} every week.",
    "A home visit does more than any {adj} {noun}.",
    "Carers rarely come to the {noun}, so we bring a {adj} {noun} to them.",
    "How do you {verb} a {noun} with so few volunteers?",
    "{name} told me the {noun} in {place} closed last year.",
    "I will share the {noun} we use with {interv}.",
    "Young people respond better to a {adj} {noun} than to a leaflet.",
];

/// Draws indices `0..n` with weights 1/(rank + 1): the first few very often, the last
/// hardly ever.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / (rank as f64 + 1.0);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut StdRng) -> usize {
        let last = self.cumulative.last().copied().unwrap_or(0.0);
        let at = rng.random_range(0.0..last.max(f64::MIN_POSITIVE));
        self.cumulative
            .partition_point(|c| *c <= at)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

/// A list of words with a Zipf-like spread, the list shuffled by the seed so that which
/// word is common does not follow the order written above.
struct Pool {
    words: Vec<String>,
    zipf: Zipf,
}

impl Pool {
    fn new(rng: &mut StdRng, mut words: Vec<String>) -> Pool {
        // Fisher–Yates with the caller's generator: the same seed, the same ranks.
        for i in (1..words.len()).rev() {
            let j = rng.random_range(0..=i);
            words.swap(i, j);
        }
        let zipf = Zipf::new(words.len());
        Pool { words, zipf }
    }

    fn of(rng: &mut StdRng, words: &[&str]) -> Pool {
        Pool::new(rng, words.iter().map(|w| (*w).to_string()).collect())
    }

    fn compounds(rng: &mut StdRng, heads: &[&str], tails: &[&str], glue: &str) -> Pool {
        let words = heads
            .iter()
            .flat_map(|h| tails.iter().map(move |t| format!("{h}{glue}{t}")))
            .collect();
        Pool::new(rng, words)
    }

    fn pick(&self, rng: &mut StdRng) -> &str {
        &self.words[self.zipf.sample(rng)]
    }
}

/// The vocabulary of one language.
struct Language {
    templates: Pool,
    nouns: Pool,
    verbs: Pool,
    adjectives: Pool,
}

/// Writes posts. Build it once; each call draws from the generator it is given.
pub struct Writer {
    dutch: Language,
    english: Language,
    places: Pool,
    streets: Pool,
    names: Pool,
    professions: Pool,
    interventions: Pool,
    when: Pool,
    numbers: Pool,
}

impl Writer {
    pub fn new(rng: &mut StdRng, places: &[&str], names: &[&str]) -> Writer {
        let streets: Vec<String> = STREETS
            .iter()
            .flat_map(|s| STREET_KINDS.iter().map(move |k| format!("{s}{k}")))
            .collect();
        Writer {
            dutch: Language {
                templates: Pool::of(rng, NL_TEMPLATES),
                nouns: Pool::compounds(rng, NL_HEADS, NL_TAILS, ""),
                verbs: Pool::of(rng, NL_VERBS),
                adjectives: Pool::of(rng, NL_ADJECTIVES),
            },
            english: Language {
                templates: Pool::of(rng, EN_TEMPLATES),
                nouns: Pool::compounds(rng, EN_HEADS, EN_TAILS, " "),
                verbs: Pool::of(rng, EN_VERBS),
                adjectives: Pool::of(rng, EN_ADJECTIVES),
            },
            places: Pool::of(rng, places),
            streets: Pool::new(rng, streets),
            names: Pool::of(rng, names),
            professions: Pool::of(rng, PROFESSIONS),
            interventions: Pool::of(rng, INTERVENTIONS),
            when: Pool::of(rng, WHEN),
            numbers: Pool::of(rng, NUMBERS),
        }
    }

    /// One sentence, its first letter a capital.
    fn sentence(&self, rng: &mut StdRng, english: bool, out: &mut String) {
        let language = if english { &self.english } else { &self.dutch };
        let template = language.templates.pick(rng);
        let start = out.len();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let slot = &rest[open + 1..open + close];
            let word = match slot {
                "noun" => language.nouns.pick(rng),
                "verb" => language.verbs.pick(rng),
                "adj" => language.adjectives.pick(rng),
                "place" => self.places.pick(rng),
                "street" => self.streets.pick(rng),
                "name" => self.names.pick(rng),
                "prof" => self.professions.pick(rng),
                "interv" => self.interventions.pick(rng),
                "when" => self.when.pick(rng),
                "num" => self.numbers.pick(rng),
                _ => "",
            };
            out.push_str(word);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        if let Some(first) = out[start..].chars().next()
            && first.is_lowercase()
        {
            let upper: String = first.to_uppercase().collect();
            out.replace_range(start..start + first.len_utf8(), &upper);
        }
    }

    /// A post of 20 to 300 words (most of them short), in paragraphs; one in ten in
    /// English.
    pub fn post(&self, rng: &mut StdRng) -> String {
        let english = rng.random_bool(0.1);
        let spread: f64 = rng.random_range(0.0..1.0);
        let target = 20 + (280.0 * spread.powi(3)) as usize;
        let mut out = String::with_capacity(target * 8);
        let mut words = 0;
        let mut in_paragraph = 0;
        while words < target {
            if in_paragraph > 0 {
                let paragraph_ends = in_paragraph >= 2 && rng.random_bool(0.3);
                out.push_str(if paragraph_ends { "\n\n" } else { " " });
                if paragraph_ends {
                    in_paragraph = 0;
                }
            }
            let before = out.len();
            self.sentence(rng, english, &mut out);
            words += out[before..].split_whitespace().count();
            in_paragraph += 1;
        }
        out
    }

    /// A thread's title: one of the forum's topics, told from one of its places, in one of
    /// several ways of asking. `k` counts the threads; each (topic, place) pair comes back
    /// once per way of asking before any comes back in the same words.
    pub fn title(&self, rng: &mut StdRng, topics: &[&str], places: &[&str], k: usize) -> String {
        let topic = topics[k % topics.len()];
        let place = places[(k / topics.len()) % places.len()];
        let way = (k / (topics.len() * places.len())) % 6;
        let mut letters = topic.chars();
        let lower = letters
            .next()
            .map(|c| c.to_lowercase().to_string() + letters.as_str())
            .unwrap_or_default();
        match way {
            0 => format!("{place}: {lower}"),
            1 => format!("{topic} ({place})"),
            2 => format!("Vraag uit {place}: {lower}"),
            3 => format!("{topic} — ervaringen met {}", self.interventions.pick(rng)),
            4 => format!("{place}, {}: {lower}", self.streets.pick(rng)),
            _ => format!(
                "Nog eens: {lower} ({place}, {})",
                self.dutch.nouns.pick(rng)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use rand::SeedableRng;

    use super::*;

    #[test]
    fn posts_have_thousands_of_words_few_common_and_most_rare() {
        let mut rng = StdRng::seed_from_u64(7);
        let writer = Writer::new(&mut rng, &["Charlois", "Delfshaven"], &["Anouk", "Bram"]);
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut lengths = Vec::new();
        let posts = 5_000;
        for _ in 0..posts {
            let post = writer.post(&mut rng);
            let words: HashSet<String> = post
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            lengths.push(post.split_whitespace().count());
            for w in words {
                *counts.entry(w).or_default() += 1;
            }
        }
        assert!(counts.len() > 2_000, "{} distinct words", counts.len());
        let in_a_third = counts.values().filter(|n| **n * 3 > posts).count();
        assert!(
            in_a_third < 40,
            "{in_a_third} words in a third of all posts"
        );
        let rare = counts.values().filter(|n| **n * 100 < posts).count();
        assert!(rare * 2 > counts.len(), "most words are rare");
        assert!(lengths.iter().all(|n| (20..=330).contains(n)));
        let write = || {
            let mut rng = StdRng::seed_from_u64(3);
            let writer = Writer::new(&mut rng, &["Charlois"], &["Anouk"]);
            (
                writer.post(&mut rng),
                writer.title(&mut rng, &["Taal"], &["Noord"], 100),
            )
        };
        assert_eq!(write(), write(), "the same seed writes the same text");
    }
}
