// The Dutch texts of `ruimte --describe`: one row per command summary (option "") and per option,
// keyed by the command and the option's name as --describe gives it. The plugin in
// cli/qgis_plugin shows them when QGIS runs in Dutch.
//
// Rules for a new row: write it for a Dutch analyst at a province, water board or municipality;
// keep what is typed or read literally as in the English help (option names, file names,
// placeholders such as FILE[:LAYER], FIELD=N, OUT.pdf, layer and column names, values such as
// nl, embedded, dirichlet, and numbers with a decimal point as ruimte reads them); start with
// a short label before ': ' or ' (' (the plugin shows that part as the parameter's name).
//
// tests/cli/describe.sh reads this table: it fails when an option of `ruimte --describe` has no
// row here, when a row names a command or option that does not exist, or when a row is twice.
#include "cli/describe_nl.hpp"

#include <map>
#include <string>
#include <utility>

namespace ruimte::cli {

namespace {

struct DutchRow {
    const char* command;
    const char* option;  // "" = the command's summary
    const char* text;
};

// clang-format off
constexpr DutchRow dutch_rows[] = {
    {"check", "", "Waterschapstoets: WBS-klassen, oordeel en 'mits' per geplande locatie, per waterschap"},
    {"check", "locations", "Geplande locaties: FILE[:LAYER]"},
    {"check", "wbs", "De kaart 'water en bodem sturend' (WBS): FILE[:LAYER]"},
    {"check", "class-field", "WBS-attribuut met de klasse (standaard het veld klasse)"},
    {"check", "alias", "Een schrijfwijze in de bron aan een WBS-klasse koppelen: 'VALUE=CLASS' (herhaalbaar)"},
    {"check", "themes", "Themalagen waarvan elk numeriek veld een thema is: FILE[:LAYER] (herhaalbaar)"},
    {"check", "raster-theme",
     "Een raster met waarden als thema, genoemd als een themaveld: 'VELD=BESTAND[:BAND]', bijv. "
     "overstroming_m=overstroming.tif (herhaalbaar)"},
    {"check", "by", "Groeperen per gebied: FILE[:LAYER]:FIELD, bijvoorbeeld waterschappen.gpkg:waterschappen:naam"},
    {"check", "output", "Uitvoer-GeoPackage"},
    {"check", "report", "Ook een rapport schrijven: OUT.html of OUT.md"},
    {"check", "lang", "Taal van het rapport: nl (standaard) of en"},
    {"check", "sliver-share", "Een klasse telt alleen mee boven dit aandeel van de locatie (standaard 0.01)"},
    {"check", "sliver-m2", "... en alleen boven deze oppervlakte in m2 (standaard 100)"},
    {"check", "threshold", "Een thema telt mee boven deze waarde: 'THEME=VALUE' in de eenheid van het thema (herhaalbaar; standaard waterveiligheid=0.2 m, bodemdaling=10 cm, ordinale klassen boven 0)"},
    {"check", "wbs-name", "Naam van de WBS-kaart in het rapport (standaard: uit de bron)"},
    {"check", "wbs-date", "Datum van de WBS-kaart in het rapport (standaard: laatste wijziging in de GeoPackage, anders de bestandsdatum)"},
    {"check", "no-maps", "Geen overzichtskaarten in het rapport"},
    {"check", "homes-field", "Locatieattribuut met het aantal geplande woningen (standaard het veld woningen; genegeerd als dat ontbreekt)"},
    {"check", "id-field", "Attribuut met de id van de locatie (standaard 'id', anders de FID)"},
    {"check", "name-field", "Attribuut met de naam van de locatie (standaard 'naam' als dat er is)"},
    {"check", "overwrite", "Bestaande uitvoerbestanden overschrijven"},
    {"check", "timestamp", "Tijdstip in het runmanifest, YYYY-MM-DDTHH:MM:SSZ (standaard: nu, of SOURCE_DATE_EPOCH), voor reproduceerbare uitvoer"},
    {"check", "assume-crs", "CRS voor bronnen zonder CRS, bijvoorbeeld EPSG:28992"},
    {"check", "skip-invalid", "Niet-polygonen en onherstelbare objecten overslaan (en melden) in plaats van te stoppen"},
    {"check", "threads", "Aantal rekenthreads (standaard: alle kernen)"},
    {"check", "quiet", "Geen voortgang of meldingen op stderr"},

    {"claims", "", "Ruimteclaims over elkaar leggen: waar ze overlappen, welke overlap botst, en de claimdruk per regio"},
    {"claims", "claim", "Een ruimteclaim: NAME=FILE[:LAYER]; NAME is een soort uit de compatibiliteitsmatrix (herhaalbaar)"},
    {"claims", "compat", "Compatibiliteitsmatrix (TOML, zie docs/claims.md); standaard de ingebouwde matrix"},
    {"claims", "regions", "Regio's om de claims tegen af te wegen (gemeenten, provincies, waterschappen): FILE[:LAYER]:FIELD (FIELD bevat de naam van de regio)"},
    {"claims", "output", "Uitvoer-GeoPackage"},
    {"claims", "csv", "Ook de tabellen als CSV schrijven in deze map (wordt aangemaakt als die ontbreekt): claim_totals.csv, claim_combinations.csv, claim_pairs.csv, region_balance.csv"},
    {"claims", "overwrite", "Bestaande uitvoerbestanden overschrijven"},
    {"claims", "timestamp", "Tijdstip in het runmanifest, YYYY-MM-DDTHH:MM:SSZ (standaard: nu, of SOURCE_DATE_EPOCH), voor reproduceerbare uitvoer"},
    {"claims", "assume-crs", "CRS voor bronnen zonder CRS, bijvoorbeeld EPSG:28992"},
    {"claims", "skip-invalid", "Niet-polygonen en onherstelbare objecten overslaan (en melden) in plaats van te stoppen"},
    {"claims", "threads", "Aantal rekenthreads (standaard: alle kernen)"},
    {"claims", "tile-size", "Zijde van de rekentegels in m (afstemming; standaard: afgeleid van het aantal hoekpunten)"},
    {"claims", "quiet", "Geen voortgang of meldingen op stderr"},
    {"claims", "timings", "De rekentijd per stap in seconden tonen"},

    {"compare", "", "Twee gescoorde uitkomsten vergelijken: rangverschuivingen, in- en uitstromers van de top K"},
    {"compare", "a", "Eerste uitvoer van `ruimte score` (A)"},
    {"compare", "b", "Tweede uitvoer van `ruimte score` (B)"},
    {"compare", "output", "Uitvoer-GeoPackage (lagen rank_change, top_changes)"},
    {"compare", "top", "K van de top K (standaard 10)"},
    {"compare", "overwrite", "Een bestaand uitvoerbestand overschrijven"},
    {"compare", "lang", "Taal van de tabel: nl (standaard) of en"},
    {"compare", "quiet", "Alleen de resultaatregel tonen"},

    {"explain", "", "De score van een kandidaat per criterium uitleggen, of het verschil tussen twee kandidaten"},
    {"explain", "scored", "Uitvoer-GeoPackage van `ruimte score`"},
    {"explain", "id", "Id van de kandidaat (kolom candidate_id)"},
    {"explain", "vs", "Id van een tweede kandidaat: het verschil tussen beide uitleggen"},
    {"explain", "lang", "Taal van de uitleg: nl (standaard) of en"},

    {"info", "", "Een bron samenvatten: lagen, CRS, objecten, extent, velden, ongeldige geometrieen, klassen"},
    {"info", "source", "Bron: FILE[:LAYER] (elke vectorbron die OGR leest, of een JSON-bestand van de capaciteitskaart)"},
    {"info", "alias", "Extra schrijfwijze voor een klasse: 'VALUE=CLASS' (herhaalbaar)"},

    {"layers", "", "De Nederlandse lagencatalogus tonen: soorten, klassen op ernst, labels, kleuren, spellingen"},
    {"layers", "kind", "Alleen deze soort laag (wbs, netcongestie, novex_gebieden, novex_locaties, nplv)"},
    {"layers", "lang", "Taal van de labels: nl (standaard) of en"},
    {"layers", "places", "Ook de gebieden en locaties tonen: NOVEX-gebieden, NOVEX-woningbouwlocaties en NPLV-focusgebieden"},

    {"map", "", "Een werksessiekaart van een resultaatlaag tekenen: PDF, SVG of PNG met legenda, schaalstok, noordpijl"},
    {"map", "input", "Resultaatlaag: FILE[:LAYER]; zonder laagnaam de resultaatlaag van een GeoPackage van ruimte (candidates_scored, ...)"},
    {"map", "output", "Kaartbestand: OUT.pdf, OUT.png of OUT.svg"},
    {"map", "context", "Grenzen die onder de laag worden getekend: FILE[:LAYER] (herhaalbaar), bijvoorbeeld data-samples/gemeenten.gpkg"},
    {"map", "paper", "Papierformaat: a4 of a3"},
    {"map", "orientation", "Oriëntatie: landscape (liggend) of portrait (staand)"},
    {"map", "title", "Titel (standaard die van de stijl, bijvoorbeeld 'Score (kwantielen)')"},
    {"map", "top", "Labels bij de N best gerangschikte kandidaten (standaard 10); bij een selectie de N best gerangschikte gekozen kandidaten (standaard: alle gekozen)"},
    {"map", "field", "Kleur naar dit attribuut in plaats van dat van de standaardstijl: een numeriek veld in klassen, een tekstveld een kleur per waarde"},
    {"map", "classes", "Klassen van een numeriek veld: jenks (natuurlijke grenzen), quantile, equal, of bovengrenzen als getallen met komma's, bijvoorbeeld 0,0.5,1; nul is een eigen klasse (standaard: de klassen van de stijl, of jenks als die bijna alles in een klasse zetten)"},
    {"map", "dpi", "Resolutie van een PNG in dpi (standaard 300)"},
    {"map", "lang", "Taal van legenda, schaalstok en bronvermelding: nl (standaard) of en"},
    {"map", "extent", "Uitsnede: alleen XMIN,YMIN,XMAX,YMAX tonen (meters in EPSG:28992); standaard de hele laag"},
    {"map", "overwrite", "Een bestaande kaart overschrijven"},
    {"map", "quiet", "Niets tonen als het lukt"},

    {"web", "", "Eén zelfstandige HTML-pagina voor een werksessie: gewichten op schuifjes, kaart en rangorde volgen, offline"},
    {"web", "scored", "Uitvoer-GeoPackage van `ruimte score`"},
    {"web", "output", "Paginabestand: OUT.html"},
    {"web", "context", "Grenzen die onder de kandidaten worden getekend: FILE[:LAYER] (herhaalbaar), bijvoorbeeld data-samples/gemeenten.gpkg"},
    {"web", "selection", "Uitvoer-GeoPackage van `ruimte select`: de gekozen set (en selectiefrequentie) als laag"},
    {"web", "lang", "Taal van de pagina: nl (standaard) of en"},
    {"web", "title", "Titel van de pagina (standaard 'ruimte - PROFIEL')"},
    {"web", "simplify", "Vereenvoudigingstolerantie in meters (standaard 1/2000 van de omvang van de kandidaten, minstens 1)"},
    {"web", "overwrite", "Een bestaande pagina overschrijven"},
    {"web", "quiet", "Niets tonen als het lukt"},

    {"score", "", "Kandidaatgebieden overlappen met de lagen van het profiel, dan scoren en rangschikken"},
    {"score", "candidates", "Kandidaatgebieden: FILE[:LAYER] (Shapefile, GeoPackage, GeoJSON, FlatGeobuf) of PG:\"CONNINFO\":TABLE"},
    {"score", "profile", "Criteriaprofiel (TOML), zie docs/criteria.md"},
    {"score", "layer", "De bron van een laag uit het profiel vervangen: NAME=FILE[:LAYER] (herhaalbaar)"},
    {"score", "output", "Uitvoer-GeoPackage, of een PostGIS-schema: postgresql://USER@HOST:PORT/DB?schema=NAME (docs/postgis.md)"},
    {"score", "engine", "Waar de overlay wordt berekend: embedded (in dit proces) of postgis (als SQL in de database met de lagen)"},
    {"score", "csv", "Ook de lange tabel als CSV schrijven: kandidaat, laag, klasse, area_m2, share"},
    {"score", "overwrite", "Bestaande uitvoerbestanden overschrijven"},
    {"score", "id-field", "Attribuut met de id van de kandidaat (standaard: id_field uit het profiel, anders 'id', anders de FID)"},
    {"score", "assume-crs", "CRS voor bronnen zonder CRS, bijvoorbeeld EPSG:28992 (een shapefile zonder .prj)"},
    {"score", "make-valid",
     "Herstelmethode voor ongeldige polygonen: structure (standaard; de structure-methode van GEOS MakeValid) of linework (de standaard van PostGIS ST_MakeValid); de methode staat in de uitvoer (docs/reliability.md)"},
    {"score", "skip-invalid", "Niet-polygonen en onherstelbare objecten overslaan (en melden) in plaats van te stoppen"},
    {"score", "strict", "Waarschuwingen over het profiel als fout behandelen (een AHP-consistentieratio boven 0.1)"},
    {"score", "threads", "Aantal rekenthreads (standaard: alle kernen)"},
    {"score", "piece-vertices", "Hoekpunten per stuk: de polygonen van de lagen worden geknipt in stukken van hoogstens zoveel hoekpunten (afstemming; standaard 128)"},
    {"score", "timestamp", "Tijdstip in het runmanifest, YYYY-MM-DDTHH:MM:SSZ (standaard: nu, of SOURCE_DATE_EPOCH), voor reproduceerbare uitvoer"},
    {"score", "qgis-project", "Ook een QGIS-project schrijven: .qgz met de opgemaakte uitvoerlagen en een afdruklay-out op A3"},
    {"score", "lang", "Taal van de lay-out in het QGIS-project (legendatitel, bronvermelding): nl (standaard) of en"},
    {"score", "qgis-context", "Contextlaag voor het QGIS-project: FILE[:LAYER] (herhaalbaar), bijvoorbeeld data-samples/gemeenten.gpkg"},
    {"score", "quiet", "Geen voortgang of meldingen op stderr"},
    {"score", "timings", "De rekentijd per stap in seconden tonen (met meer dan één thread worden de lagen gelezen en geïndexeerd terwijl de kandidaten worden gelezen: read omvat beide, index wat daarna overblijft)"},

    {"select", "", "De set gescoorde kandidaten kiezen die de doelen haalt binnen budget en regels"},
    {"select", "scored", "Uitvoer van `ruimte score`: FILE[:LAYER] (standaard de laag candidates_scored)"},
    {"select", "output", "Uitvoer-GeoPackage"},
    {"select", "overwrite", "Een bestaand uitvoerbestand overschrijven"},
    {"select", "timestamp", "Tijdstip in het runmanifest, YYYY-MM-DDTHH:MM:SSZ (standaard: nu, of SOURCE_DATE_EPOCH), voor reproduceerbare uitvoer"},
    {"select", "target", "Doel: in totaal minstens N van FIELD halen, als FIELD=N (herhaalbaar), bijvoorbeeld woningen=100000"},
    {"select", "budget", "Budget: in totaal hoogstens N van FIELD, als FIELD<=N (herhaalbaar), bijvoorbeeld kosten_meu<=5000"},
    {"select", "group", "De kandidaten groeperen op dit attribuut"},
    {"select", "group-by", "Groeperen naar de gebieden van een laag: FILE[:LAYER]:FIELD; een kandidaat hoort bij het vlak waarin zijn punt op het oppervlak ligt"},
    {"select", "max-per-group", "Hoogstens N gekozen per groep (kandidaten, of het totaal van --group-sum FIELD)"},
    {"select", "min-per-group", "Minstens N gekozen per groep"},
    {"select", "group-limits", "Grenzen per groep: CSV met de kolommen group,min,max (lege cel: geen grens); gaat voor --max-per-group en --min-per-group"},
    {"select", "group-sum", "Groepsgrenzen als totaal van FIELD (in plaats van het aantal kandidaten)"},
    {"select", "share", "Aandeelregel A/B>=R: sum(A) >= R x sum(B) over de selectie, bijvoorbeeld betaalbaar/woningen>=0.667 (herhaalbaar)"},
    {"select", "max-overlap", "Maximale overlap: twee kandidaten die elkaar voor meer dan dit aandeel van de kleinste overlappen, worden nooit allebei gekozen (standaard 0.05)"},
    {"select", "lock-in", "Verplicht kiezen: ids van kandidaten die in de selectie moeten, gescheiden door komma's"},
    {"select", "lock-out", "Uitsluiten: ids van kandidaten die niet gekozen mogen worden, gescheiden door komma's"},
    {"select", "weight-field", "Gewichtsveld: sum(score x FIELD) maximaliseren (standaard het veld woningen)"},
    {"select", "minimise", "Te minimaliseren veld: in plaats daarvan sum(FIELD) minimaliseren, bijvoorbeeld kosten_meu"},
    {"select", "objective", "fill (standaard: score x gewichtsveld maximaliseren) of reach (de doelen halen met zo weinig mogelijk van het veld van het eerste doel erboven; bij gelijkspel de hogere score)"},
    {"select", "min-average-score", "De gemiddelde score van de gekozen set, gewogen met het gewichtsveld, is minstens S (0-1); met --minimise kosten_meu: de laagste kosten bij een minimale gemiddelde score"},
    {"select", "draws", "Ook oplossen voor N trekkingen van de gewichten (die van `ruimte sensitivity`): selectiefrequentie, kern, omstreden en nooit gekozen kandidaten, rangintervallen (standaard 0: geen)"},
    {"select", "threads", "Aantal rekenthreads voor --draws en --weight-sets (standaard: alle kernen); de uitkomst hangt er niet van af"},
    {"select", "seed", "Startwaarde van de trekkingen (standaard 1); trekking i gebruikt seed + i"},
    {"select", "method", "Trekkingen van de gewichten: dirichlet (standaard) of uniform"},
    {"select", "concentration", "dirichlet: hoe groter, hoe dichter de trekkingen bij de gewichten van het profiel (standaard 100)"},
    {"select", "spread", "uniform: elk gewicht maal 1 +- spread, daarna genormaliseerd (standaard 0.1)"},
    {"select", "weight-sets", "Ook oplossen voor benoemde gewichtensets van belanghebbenden: CSV met de kop group,<factor>,... en een regel per groep; geeft de spijttabel en een compromisset"},
    {"select", "portfolio", "Ook tot K verschillende sets zoeken binnen --portfolio-gap van het optimum (standaard 0: geen)"},
    {"select", "min-difference", "Sets in het portfolio verschillen onderling in minstens D kandidaten (standaard 1)"},
    {"select", "portfolio-gap", "Sets in het portfolio blijven binnen dit aandeel onder het optimum (standaard 0.05: binnen 5 %)"},
    {"select", "id-field", "Attribuut met de id van de kandidaat (standaard candidate_id, zoals ruimte score die schrijft)"},
    {"select", "time-limit", "Rekentijd voor de solver in seconden (standaard 60)"},
    {"select", "gap", "Stoppen bij deze relatieve optimaliteitsgap (standaard 0: optimaliteit bewijzen)"},
    {"select", "assume-crs", "CRS voor een bron van --group-by die geen CRS heeft"},
    {"select", "quiet", "Geen voortgang of meldingen op stderr"},
    {"select", "timings", "De rekentijd per stap in seconden tonen"},

    {"sensitivity", "", "Hoe robuust is de rangorde voor de gewichten: Monte Carlo-trekkingen en een-voor-een-variaties"},
    {"sensitivity", "candidates", "Kandidaatgebieden: FILE[:LAYER]"},
    {"sensitivity", "profile", "Criteriaprofiel (TOML), zie docs/criteria.md en docs/weights.md"},
    {"sensitivity", "layer", "De bron van een laag uit het profiel vervangen: NAME=FILE[:LAYER] (herhaalbaar)"},
    {"sensitivity", "output", "Uitvoer-GeoPackage (lagen rank_intervals, oat_sweep, oat_steps, weight_draws)"},
    {"sensitivity", "draws", "Aantal trekkingen van de gewichten (standaard 1000)"},
    {"sensitivity", "seed", "Startwaarde van de toevalsgenerator (standaard 1); trekking i gebruikt seed + i"},
    {"sensitivity", "method", "Trekkingsmethode: dirichlet (standaard) of uniform"},
    {"sensitivity", "concentration", "Dirichlet-concentratie (standaard 100; groter = dichter bij de gewichten van het profiel)"},
    {"sensitivity", "spread", "Spreiding bij uniform: elk gewicht maal 1 +- spread, daarna opnieuw genormaliseerd (standaard 0.1)"},
    {"sensitivity", "top", "K van de top K (standaard 10)"},
    {"sensitivity", "sweep-steps", "Stappen van de een-voor-een-variatie: gewichten 0, 1/steps, ..., 1 (standaard 100; 0: geen variatie)"},
    {"sensitivity", "chart", "Ook de rangintervallen van de top K tekenen: OUT.svg, OUT.pdf (vector) of OUT.png (300 dpi)"},
    {"sensitivity", "lang", "Taal van de grafiek en de samenvatting: nl (standaard) of en"},
    {"sensitivity", "overwrite", "Bestaande uitvoerbestanden overschrijven"},
    {"sensitivity", "strict", "Waarschuwingen over het profiel als fout behandelen (een AHP-consistentieratio boven 0.1)"},
    {"sensitivity", "id-field", "Attribuut met de id van de kandidaat (standaard: id_field uit het profiel, anders 'id', anders de FID)"},
    {"sensitivity", "assume-crs", "CRS voor bronnen zonder CRS, bijvoorbeeld EPSG:28992"},
    {"sensitivity", "make-valid",
     "Herstelmethode voor ongeldige polygonen: structure (standaard; de structure-methode van GEOS MakeValid) of linework (de standaard van PostGIS ST_MakeValid); de methode staat in de uitvoer (docs/reliability.md)"},
    {"sensitivity", "skip-invalid", "Niet-polygonen en onherstelbare objecten overslaan (en melden) in plaats van te stoppen"},
    {"sensitivity", "threads", "Aantal rekenthreads (standaard: alle kernen); de uitkomst hangt er niet van af"},
    {"sensitivity", "quiet", "Geen voortgang of meldingen op stderr"},
    {"sensitivity", "timings", "De rekentijd per stap in seconden tonen"},
};
// clang-format on

}  // namespace

const char* dutch_text(const std::string& command, const std::string& option) {
    static const auto table = [] {
        std::map<std::pair<std::string, std::string>, const char*> t;
        for (const DutchRow& row : dutch_rows) t.emplace(std::make_pair(row.command, row.option), row.text);
        return t;
    }();
    const auto it = table.find({command, option});
    return it == table.end() ? nullptr : it->second;
}

}  // namespace ruimte::cli
