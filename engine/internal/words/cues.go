package words

// The context cues. Each list is data: a phrase is matched as a sequence of
// words, folded like a case-insensitive term, so "non-reactive for" also
// reads "Non reactive for".

// preNegation negates a match that follows within 6 words in its clause.
// Left out on purpose: "r/o" (rule out) asks a question, "resolved" (a
// resolved condition was had). "declined" is in: an amniocentesis declined
// was not done; an HIV test declined is still about an HIV test, which
// testNouns keep.
var preNegation = []string{
	"no", "not", "denies", "denied", "deny", "denying", "without", "never",
	"negative for", "free of", "no evidence of", "no history of",
	"no sign of", "no signs of", "absence of", "absent", "ruled out",
	"rules out", "nonreactive for", "non-reactive for", "neither", "nor",
	"declined", "declines", "refused", "refuses", "no need for",
	"no indication for",
	// Spanish, the second language of US records
	"niega", "niegan", "negó", "sin", "nunca", "negativo para", "negativa para",
	"sin evidencia de", "sin antecedentes de", "descarta", "se descarta",
}

// postNegation negates a match that precedes it by at most 4 words in its
// clause. Left out on purpose: "undetectable" and "not detectable" (an
// undetectable HIV viral load says the patient has HIV, treated).
var postNegation = []string{
	"negative", "was negative", "is negative", "not detected",
	"nonreactive", "non-reactive", "ruled out", "was ruled out",
	"unlikely", "excluded", "was excluded", "absent", "not present",
	"not indicated", "not needed", "not required", "not necessary",
	"not warranted",
	// Spanish
	"negativo", "negativa", "no detectado", "no detectada", "no reactivo",
	"no reactiva", "descartado", "descartada",
}

// answerNegation negates a match like postNegation, but only as the answer
// after a colon ("Heroin use: denies", "Suicidal ideation: none") or as
// the last word of the clause right after the match ("suicidal ideation
// denied"): in running text "drug use history, denies chest pain" the
// denial is of something else. "Unknown" answers nothing after a colon:
// "HIV status: unknown" says no more than a blank would (but "source HIV
// unknown" is an exposure).
var answerNegation = []string{"denies", "denied", "none", "no", "never", "unknown", "niega", "ninguno", "ninguna", "nunca"}

// pseudoCues contain a cue's word without being that cue; a word covered by
// one of them is no cue at all. A relative who tells ("per mother",
// "mother reports he has ADHD") is the informant, not the subject: what
// follows is the patient's unless another cue says otherwise.
var pseudoCues = append([]string{
	"no increase", "no change", "no further", "not only", "not necessarily",
	"not certain whether", "not ruled out", "not been ruled out",
	"cannot be ruled out", "can not be ruled out", "not excluded",
	"not been excluded", "cannot be excluded", "gram negative",
	"without difficulty",
	// what no longer holds once did: "no longer uses heroin" says a history
	"no longer",
	// a denial denied affirms: "did not deny heroin use"
	"did not deny", "does not deny", "didn't deny", "doesn't deny",
	"cannot deny", "can't deny", "not denying",
	// what a patient does not do with a medication says it is theirs:
	// "not taking her Biktarvy", "could not afford buprenorphine"
	"not taking", "not been taking", "not adherent", "not compliant",
	"not tolerating", "not tolerate", "not afford", "not fill", "not filled",
	"not refill", "not refilled", "not pick up", "not picked up",
}, append(informants(), parentRoles()...)...)

// parentRoles lists the phrases that make a parent word the patient's own
// role: "mother of three, HIV positive", "single father with depression",
// "she is a grandmother with schizophrenia". "Mother of the patient" is
// none of them: a number, twins or an article must follow "of".
func parentRoles() []string {
	var out []string
	for _, who := range []string{"mother", "mom", "father", "dad", "parent", "grandmother", "grandfather", "grandparent", "stepmother", "stepfather"} {
		for _, n := range []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "twins", "triplets", "a", "an"} {
			out = append(out, who+" of "+n)
		}
		for _, kind := range []string{"single", "new", "first time", "expectant", "teen", "teenage", "young", "working", "stay at home", "is a", "as a"} {
			out = append(out, kind+" "+who)
		}
	}
	return out
}

// informants lists the phrases of a relative as the informant: "per" or
// "according to" before one, or one followed by a verb of telling.
func informants() []string {
	var out []string
	for _, who := range []string{"mother", "mom", "father", "dad", "parent", "parents", "grandmother", "grandfather", "grandparents"} {
		out = append(out, "per "+who, "according to "+who, "according to his "+who, "according to her "+who, "according to their "+who)
		for _, verb := range []string{"reports", "reported", "report", "states", "stated", "state", "says", "said", "notes", "noted", "endorses", "endorsed", "relates", "related"} {
			out = append(out, who+" "+verb)
		}
	}
	return out
}

// otherSense are phrases whose words hold a term in a sense that is not
// the term's: a match that one of them covers, with at least one word more
// than the match, is dropped ("ST depression" is an ECG finding, "OCD
// lesion" osteochondritis dissecans). A term written exactly as one of
// them is kept: a pack that lists the phrase itself means it. Only phrases
// whose every use carries the other sense belong here.
var otherSense = []string{
	// depression: of a curve or a function, not of mood
	"st depression", "st segment depression", "depression of the st segment",
	"pr depression", "pr segment depression", "j point depression",
	"respiratory depression", "ventilatory depression", "cns depression",
	"central nervous system depression", "myocardial depression",
	"marrow depression", "depression fracture",
	// OCD: osteochondritis dissecans
	"ocd lesion", "ocd lesions", "ocd fragment", "ocd of the knee",
	"ocd of the talus", "ocd of the elbow", "ocd of the capitellum",
	"osteochondritis dissecans ocd", "talar ocd", "capitellar ocd",
	// psychosis of intensive care: delirium
	"icu psychosis",
	// aids and cows as English words, which text written all in capitals
	// makes the abbreviations AIDS and COWS
	"hearing aids", "walking aids", "visual aids", "mobility aids",
	"memory aids", "sleep aids", "teaching aids", "communication aids",
	"low vision aids", "optical aids", "band aids", "first aids",
	"aids to daily living", "cows milk", "dairy cows", "milks cows",
	"raises cows",
	// suicide genes kill tumour cells
	"suicide gene", "suicide genes",
	// the primary care PTSD screen's name: a screen, which is broad; the
	// totals and results that found PTSD are patterns of the pack
	"pc ptsd",
	// the respiratory chlamydiae
	"chlamydia pneumoniae", "chlamydia psittaci",
	// a threatened abortion is bleeding in a pregnancy that goes on
	"threatened abortion", "threatened miscarriage",
	// VD: a vaginal delivery
	"by vd", "via vd", "s p vd",
	// lithium in batteries
	"lithium battery", "lithium batteries", "lithium ion", "lithium cell",
	"lithium coin",
	// naltrexone for pain or, with bupropion, for weight; buprenorphine
	// patches and buccal films for pain
	"low dose naltrexone", "naltrexone bupropion", "bupropion naltrexone",
	"naltrexone and bupropion", "buprenorphine patch", "buprenorphine patches",
	"buprenorphine transdermal", "transdermal buprenorphine",
	"buprenorphine buccal", "buccal buprenorphine",
	// a roadside test of impairment; the biology of fungi and parasites
	"field sobriety", "asexual reproduction",
	// carriers of bacteria and viruses, not of genes
	"mrsa carrier status", "mssa carrier status", "staphylococcal carrier status",
	"nasal carrier status", "carrier status for mrsa", "hepatitis b carrier status",
	"hbv carrier status",
	// the bath product
	"epsom bath salts",
	// vaccines against HPV types
	"against hpv 16", "against hpv 18", "hpv 16 vaccine", "hpv 18 vaccine",
	"hpv 16 18 vaccine",
	// HPV found in a tumour of the throat, a marker of its kind
	"hpv positive oropharyngeal", "hpv positive oropharynx", "hpv positive tonsillar",
	"hpv positive tonsil", "hpv positive head and neck", "hpv positive opscc",
	"hpv positive hnscc",
	// amniocentesis that tests no genes
	"therapeutic amniocentesis", "amniocentesis for fetal lung maturity",
	"amniocentesis for lung maturity",
}

// professions are the terms of the default pack that name who gives care
// ("seen by a psychiatrist" says the patient is cared for): said of the
// patient ("she is a psychiatrist", "retired psychiatric nurse") they name
// a job. Each makes otherSense phrases with a word that says so.
var professions = []string{
	"psychiatrist", "psychologist", "psychotherapist", "psychiatric nurse",
	"mental health nurse", "mental health counselor", "mental health counsellor",
	"psychiatric technician", "behavioral health technician",
	"psychiatry resident", "substance abuse counselor", "addiction medicine physician",
	"hiv nurse", "hiv counselor", "sexual assault nurse examiner", "sane nurse",
}

// asJob returns the otherSense phrases of professions.
func asJob() []string {
	var out []string
	for _, p := range professions {
		for _, lead := range []string{"is a", "is an", "was a", "was an", "as a", "as an", "retired", "former", "am a", "am an"} {
			out = append(out, lead+" "+p)
		}
	}
	return out
}

// senseAfter are phrases whose first word, ending a match and read on,
// takes another sense: "abuse of alcohol" makes the "abuse" that ends
// "history of abuse" the use of a substance, not violence against the
// patient, and "SI joint" the "SI" that ends "reports SI" a joint, not
// suicidal ideation. A match that a phrase begins at its last word, and
// goes on past, is dropped; a match that starts with the phrase's first
// word is the phrase's own sense and kept. The phrases compare word for
// word: each plural is written out, and a phrase may stop short of its
// noun ("abuse of prescription" reads on to opioids, painkillers and
// pills alike).
var senseAfter = []string{
	"abuse of alcohol", "abuse of ethanol", "abuse of etoh", "abuse of drugs",
	"abuse of illicit drugs", "abuse of street drugs",
	"abuse of substances", "abuse of opioids", "abuse of opiates", "abuse of heroin",
	"abuse of cocaine", "abuse of crack", "abuse of methamphetamine", "abuse of meth",
	"abuse of amphetamines", "abuse of stimulants", "abuse of cannabis",
	"abuse of marijuana", "abuse of benzodiazepines", "abuse of narcotics",
	"abuse of painkillers",
	"abuse of inhalants", "abuse of solvents", "abuse of sedatives",
	"abuse of drug", "abuse of substance", "abuse of prescription", "abuse of pain",
	"abuse of medication", "abuse of medications", "abuse of pills",
	"abuse of alcoholic", "abuse of recreational", "abuse of psychoactive",
	"abuse of oxycodone", "abuse of hydrocodone", "abuse of fentanyl",
	"abuse of crystal", "abuse of hallucinogens", "abuse of ketamine", "abuse of kratom",
	// SI: the sacroiliac joint and the international system of units, not
	// suicidal ideation
	"si joint", "si joints", "si jt", "si screw", "si screws", "si fusion",
	"si dysfunction", "si injection", "si injections", "si belt", "si units",
	"si unit",
	// A partner's possessive: "afraid of her husband's reaction", "her
	// partner's dog" speak of what is the partner's, not of the partner.
	"husband s", "wife s", "boyfriend s", "girlfriend s", "partner s", "spouse s",
	"ex s", "fiance s", "fiancee s",
	// Needles and syringes shared for a medicine are no drug use.
	"needles for insulin", "needle for insulin", "syringes for insulin",
	"syringe for insulin",
	// Weeds of the garden and pots of the kitchen: "uses weed killer" is
	// no cannabis.
	"weed killer", "weed killers", "weed whacker", "weed eater", "weed trimmer",
	"weed spray", "weed control", "pot holder", "pot holders", "pot roast",
	// TOP is a termination of pregnancy where it is asked for or had;
	// these are the word's other senses there.
	"top bunk", "top bunks", "top priority", "top shelf", "top floor",
}

// otherPerson makes a match that follows within 6 words in its clause about
// someone other than the patient. Partners and spouses are left out on
// purpose: "her husband abused her" and "partner notification" are about the
// patient.
var otherPerson = []string{
	"family history of", "family hx of", "fhx", "history in family",
	"mother", "father", "mom", "dad", "sister", "sisters", "brother",
	"brothers", "son", "sons", "daughter", "daughters", "aunt", "aunts",
	"uncle", "uncles", "grandmother", "grandfather", "grandparent",
	"grandparents", "cousin", "cousins", "sibling", "siblings", "parent",
	"parents", "niece", "nieces", "nephew", "nephews", "stepmother",
	"stepfather", "stepbrother", "stepsister", "stepson", "stepdaughter",
	"grandson", "granddaughter", "grandchild", "grandchildren",
	// Spanish (aunts, uncles and cousins are left out: "tía" folds to
	// "tia", a transient ischaemic attack)
	"antecedentes familiares de", "historia familiar de", "madre", "padre",
	"mamá", "papá", "hermano", "hermana", "hermanos", "hijo", "hija", "hijos",
	"abuelo", "abuela",
}

// hypothetical makes a match that follows within 6 words in its clause
// hypothetical. "concern for" is left out on purpose: a concern is a
// suspicion, which labels. So are "would" and "could", and "should" but in
// a conditional: a plan or a wish speaks of a present fact ("should
// continue buprenorphine", "would like to start PrEP", "could not afford
// her Biktarvy"), while "should she relapse" supposes one.
var hypothetical = []string{
	"risk of", "risk for", "risks of", "risks for", "at risk", "dangers of",
	"danger of", "if", "in case of", "in the event of", "return precautions",
	"should he", "should she", "should they", "should the patient",
	"should there be", "should you", "should symptoms",
	// Spanish ("si", if, is left out: it is also suicidal ideation)
	"riesgo de", "en caso de",
}

// screening makes a match that follows within 6 words in its clause
// hypothetical, for terms marked ScreeningBroad only: a screen says the
// condition was looked for, not found. Bare "screen" is left out on
// purpose: in "drug screen positive for cocaine" the screen found it. An
// assessment of a category names the routine screening step ("Assessment
// of anxiety", a well visit's GAD-7), as "Assessment of substance use"
// does; "suicide risk assessment" stays, a step taken on a concern.
var screening = []string{
	"screening for", "screen for", "screened for", "screening test for",
	"screening of", "assessment of", "assessment for",
	// Spanish
	"tamizaje de", "tamizaje para", "detección de", "cribado de",
}

// screeningAfter does the same from at most 2 words after the match, or
// after a longer term that holds it, in its clause: "depression
// screening", "Alcohol Use Disorders Identification Test", "Generalized
// Anxiety Disorder 7 item" (for its "anxiety" too), "PTSD Checklist",
// "Adult ADHD Self-Report Scale", "Hospital Anxiety and Depression Scale".
var screeningAfter = []string{
	"screening", "screen", "screened", "screener", "scale", "questionnaire",
	"inventory", "identification test", "screening test", "checklist",
	"self report", "2 item", "7 item", "9 item", "10 item",
	"and depression scale",
}

// positiveResult undoes a screening cue when it stands at most 3 words
// before or after the match in its clause: a screen that found the
// condition says it ("depression screening positive", "positive IPV
// screen", "PHQ-9 screen positive for depression"), while one that did not
// ("depression screening negative") stays a screening.
var positiveResult = []string{"positive", "positivo", "positiva"}

// testNouns name a test. Within 3 words after a match, or as its last word,
// or right before it when they are several words, they make it the name of
// a test, which no negation drops: a test that was
// done says as much as its result ("HIV-1 RNA not detected", "BRCA2 gene
// sequencing negative", "carrier screening negative"), while "negative for
// HIV" speaks of the infection. A screening of a category whose screening
// is broad is still dropped as hypothetical (screeningAfter).
var testNouns = []string{
	"test", "tests", "testing", "assay", "antibody", "antibodies", "antigen",
	"ab", "ag", "rna", "dna", "viral load", "naat", "pcr", "culture",
	"serology", "genotype", "genotyping", "sequencing", "screen", "screening",
	"panel", "titer", "titre",
	// tests named by an abbreviation of their own: syphilis serologies,
	// the gonorrhoea and chlamydia NAAT, prenatal cell-free DNA screening
	"rpr", "vdrl", "fta abs", "tp pa", "tppa", "mha tp", "gc ct", "ct gc",
	"ng ct", "ct ng", "nipt", "nips",
	// the urine drug screen, as notes abbreviate it
	"uds", "utox", "udt",
	// Spanish, which names the test before what it looks for: "prueba de
	// VIH", "carga viral del VIH"
	"prueba de", "prueba del", "pruebas de", "prueba para", "prueba rápida de",
	"prueba rápida del", "serología de", "serología para", "cultivo de",
	"anticuerpos contra", "anticuerpos anti", "anticuerpos de", "antígeno de",
	"carga viral de", "carga viral del",
}

// listGlue joins the items of a list; like the words of other terms, it
// does not count toward a negation's reach, so "denies depression,
// anxiety, bipolar disorder, schizophrenia or PTSD" negates them all.
var listGlue = []string{"and", "or", "nor", "any"}

// terminators end a clause where they start: what comes after them is
// about something else.
var terminators = []string{
	"but", "however", "although", "though", "except", "aside from",
	"apart from", "yet", "nevertheless", "which",
}

// causes end a clause as terminators do, for every cue but a relative: a
// cause, a time or a concession after them is a fact of its own ("not
// working because of depression", "no job since his heroin relapse",
// "never worked after the PTSD diagnosis"), while what befell a relative
// stays the relative's ("father died due to alcohol use disorder", "uncle
// died because of AIDS").
var causes = []string{
	"secondary to", "due to", "cause of", "reason for", "because", "since",
	"after", "despite", "in spite of", "given ongoing", "given recent",
	"given continued", "given current", "given active", "given history of",
	"given a history of", "given her history", "given his history",
	// Spanish
	"porque", "debido a", "a causa de", "desde", "después de", "a pesar de",
}

// atWork names the patient's work: a match within workWindow words after
// one of them, with no comma, parenthesis or clause end between, names a
// job or a workplace ("works as a psychiatric nurse", "employed at the
// methadone clinic", "volunteers at the rape crisis center", "Occupation:
// HIV case manager"), not the patient's health. "Works with" and a bare
// "job" are left out on purpose: "works with her therapist on PTSD", "job
// stress from her PTSD" speak of the patient.
var atWork = []string{
	"works as", "works at", "works in", "works for", "work as",
	"working as", "working at", "working in", "working for", "worked as",
	"worked at", "worked in", "worked for", "employed as", "employed at",
	"employed by", "employed in", "job as", "job at", "job in", "jobs as",
	"jobs at", "position as", "position at", "volunteers at",
	"volunteers as", "volunteer at", "volunteered at", "volunteered as",
	"volunteering at", "career as", "career in", "trained as",
	"retired from", "retired as", "occupation", "employer", "employment",
	"profession",
	// Spanish
	"trabaja como", "trabaja en", "trabajaba como", "trabajaba en",
	"trabajó como", "trabajó en", "empleado en", "empleada en", "ocupación",
	"profesión",
}

// clauseJoins end a clause when the next word is one of clauseVerbs: "never
// smoked and is an alcoholic" holds two clauses, "denies alcohol and drug
// use" one.
var clauseJoins = []string{"and", "or"}

// clauseVerbs: see clauseJoins.
var clauseVerbs = []string{
	"is", "was", "are", "were", "has", "had", "have", "reports", "reported",
	"admits", "admitted", "states", "stated", "drinks", "uses", "used",
	"takes", "took", "smokes", "presents", "presented", "continues",
	"remains", "became", "started", "began", "developed",
}

// The kinds of cue, numbered; a phrase may be of several kinds, so a node
// holds them as bits (1 << kind).
const (
	kindPre = iota
	kindPost
	kindPseudo
	kindOther
	kindHypo
	kindScreen
	kindEnd
	kindJoin
	kindVerb
	kindScreenAfter
	kindTest
	kindGlue
	kindAnswer
	kindPositive
	kindSense
	kindSenseAfter
	kindCause
	kindWork
	kinds
)

// cueSet holds kinds of cue as bits.
type cueSet uint32

const (
	cuePre         cueSet = 1 << kindPre
	cuePost        cueSet = 1 << kindPost
	cuePseudo      cueSet = 1 << kindPseudo
	cueOther       cueSet = 1 << kindOther
	cueHypo        cueSet = 1 << kindHypo
	cueScreen      cueSet = 1 << kindScreen
	cueEnd         cueSet = 1 << kindEnd
	cueJoin        cueSet = 1 << kindJoin
	cueVerb        cueSet = 1 << kindVerb
	cueScreenAfter cueSet = 1 << kindScreenAfter
	cueTest        cueSet = 1 << kindTest
	cueGlue        cueSet = 1 << kindGlue
	cueAnswer      cueSet = 1 << kindAnswer
	cuePositive    cueSet = 1 << kindPositive
	cueSense       cueSet = 1 << kindSense
	cueSenseAfter  cueSet = 1 << kindSenseAfter
	cueCause       cueSet = 1 << kindCause
	cueWork        cueSet = 1 << kindWork

	cueBefore   = cuePre | cueOther | cueHypo | cueScreen // the cues that look forward to a match
	cueTriggers = cueBefore | cuePost | cueScreenAfter | cueAnswer
)

// cueTable is the compiled cues: the kinds of cue ending at each trie node.
type cueTable struct {
	d        dict
	t        trie
	kinds    []cueSet
	maxWords int
}

var cues = compileCues()

func compileCues() *cueTable {
	var d dictBuilder
	var b trieBuilder
	c := &cueTable{}
	// The lists, by kind (a local array: as a package variable its
	// slices were set at start with write barriers, code for each).
	cueLists := [kinds][]string{
		kindPre: preNegation, kindPost: postNegation, kindPseudo: pseudoCues,
		kindOther: otherPerson, kindHypo: hypothetical, kindScreen: screening,
		kindEnd: terminators, kindJoin: clauseJoins, kindVerb: clauseVerbs,
		kindScreenAfter: screeningAfter, kindTest: testNouns, kindGlue: listGlue,
		kindAnswer: answerNegation, kindPositive: positiveResult,
		kindSense: append(otherSense, asJob()...), kindSenseAfter: senseAfter,
		kindCause: causes, kindWork: atWork,
	}
	for kind, list := range cueLists {
		for _, p := range list {
			c.maxWords = max(c.maxWords, b.add(&d, p, false, int32(1)<<kind))
		}
	}
	c.d, c.t = d.dict(), b.trie()
	c.kinds = make([]cueSet, len(c.t.nodes))
	for n := range c.kinds {
		for _, k := range c.t.payload(int32(n)) {
			c.kinds[n] |= cueSet(k)
		}
	}
	return c
}
