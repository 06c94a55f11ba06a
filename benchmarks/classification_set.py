"""The labeled evaluation set of bench_classification: real form layouts filled with Faker.

Every document is generated at run time. The layouts follow real, public forms and
letters (their section headings and field labels, in their order); Faker (en_US,
de_DE, fr_FR, es_ES) fills patients, dates, sites, doctors, addresses and money;
drugs and lab analytes are drawn from short lists of real ones. The "other" type is
real text: pages of the PDF manuals Debian ships (bzip2-doc, libtasn1-doc, ...) via
pdftotext, else Faker prose. Each layout picks, per document, among the label
variants the real forms use, shuffles optional sections and adds cross-type
distractors (a discharge letter lists drugs and lab values, an AE report has lab data
and a hospitalization), so the set does not simply echo the taxonomy's phrases.

Sources of the layouts (public-domain government forms and standard letter shapes):
- FDA MedWatch Form 3500 / 3500A (sections A-G) and the CIOMS I form; BfArM
  "Bericht über Verdachtsfälle von Nebenwirkungen"; ANSM "déclaration d'effet
  indésirable"; AEMPS "tarjeta amarilla" (notificación de sospecha de reacción adversa).
- CMS-1500 health insurance claim form (boxes 1-33), CMS-R-131 Advance Beneficiary
  Notice of Noncoverage, and site invoices of clinical-trial per-patient fees.
- CMS Part D MTM "Personal Medication List" (CMS-10396 standardized format), the
  German bundeseinheitlicher Medikationsplan, outpatient prescriptions (Rx/Rezept).
- 45 CFR 46.116 required consent elements; HIPAA research authorization.
- CLIA laboratory report elements (42 CFR 493.1291); ACR report sections
  (examination, indication, technique, comparison, findings, impression).
- Joint Commission discharge summary elements (RC.02.04.01); German Arztbrief.
- SOAP progress notes; fax cover sheets with HIPAA confidentiality notices; letters.
No package reachable here ships the PDFs of these forms (checked /usr/share/doc, the
venv's packages, Faker's providers), so their labels are the layout, Faker the content.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

LOCALES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES"}
DRUGS = (
    ("Metformin", "500 mg"),
    ("Lisinopril", "10 mg"),
    ("Atorvastatin", "20 mg"),
    ("Amlodipine", "5 mg"),
    ("Omeprazole", "20 mg"),
    ("Levothyroxine", "50 mcg"),
    ("Ramipril", "5 mg"),
    ("Bisoprolol", "2.5 mg"),
    ("Apixaban", "5 mg"),
    ("Sertraline", "50 mg"),
    ("Pantoprazol", "40 mg"),
    ("Ibuprofen", "400 mg"),
)
ANALYTES = (
    ("Hemoglobin", "g/dL", 11.0, 17.0),
    ("Creatinine", "mg/dL", 0.5, 1.6),
    ("Glucose", "mg/dL", 70, 180),
    ("Potassium", "mmol/L", 3.2, 5.6),
    ("Sodium", "mmol/L", 132, 148),
    ("ALT", "U/L", 8, 90),
    ("AST", "U/L", 8, 80),
    ("Platelets", "10^9/L", 120, 420),
    ("WBC", "10^9/L", 3.0, 12.0),
    ("TSH", "mIU/L", 0.3, 5.0),
)
LAB_NAMES = {
    "de": ("Hämoglobin", "Kreatinin", "Glukose", "Kalium", "Natrium", "GPT", "GOT"),
    "fr": ("Hémoglobine", "Créatinine", "Glycémie", "Potassium", "Sodium", "ALAT", "ASAT"),
    "es": ("Hemoglobina", "Creatinina", "Glucosa", "Potasio", "Sodio", "ALT", "AST"),
}


@dataclass(frozen=True)
class Doc:
    label: str  # the true type (a key of the default taxonomy)
    text: str
    layout: str  # which real form or letter shape it follows
    language: str


class Ctx:
    """One document's random source and Faker of its language."""

    def __init__(self, rng: random.Random, lang: str, fakers: dict[str, Faker]) -> None:
        self.rng, self.lang, self.fake = rng, lang, fakers[lang]

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def date(self) -> str:
        day = self.fake.date_between("-2y", "today")
        return day.strftime(self.pick("%m/%d/%Y", "%Y-%m-%d") if self.lang == "en" else "%d.%m.%Y")

    def site(self) -> str:
        return f"{self.pick('Site', 'Centre', 'Site no.')} {self.rng.randint(1, 60):03d}"

    def subject(self) -> str:
        return f"{self.rng.randint(1, 60):03d}-{self.rng.randint(1, 999):04d}"

    def drugs(self, count: int) -> list[tuple[str, str]]:
        return self.rng.sample(DRUGS, count)

    def prose(self, sentences: int = 2) -> str:
        return self.fake.paragraph(nb_sentences=sentences)

    def shuffled(self, *blocks: list[str]) -> list[str]:
        chosen = [b for b in blocks if self.rng.random() < 0.85]
        self.rng.shuffle(chosen)
        return [line for block in chosen for line in block]


def _lab_rows(c: Ctx, count: int) -> list[str]:
    rows = []
    for name, unit, low, high in c.rng.sample(ANALYTES, count):
        if c.lang in LAB_NAMES and c.rng.random() < 0.6:
            name = c.rng.choice(LAB_NAMES[c.lang])
        value = round(c.rng.uniform(low * 0.8, high * 1.2), 1)
        flag = c.pick("", "", "H", "L")
        rows.append(f"{name}  {value} {unit}  {flag}  {low}-{high}")
    return rows


def lab_result(c: Ctx) -> list[str]:
    title = {
        "en": c.pick("LABORATORY REPORT", "Clinical Laboratory Results", "Lab Report - Final"),
        "de": c.pick("Laborbefund", "Laborwerte", "Befundbericht Labor"),
        "fr": c.pick("Compte rendu d'analyses", "Résultats d'analyses biologiques"),
        "es": c.pick("Informe de laboratorio", "Resultados de laboratorio"),
    }[c.lang]
    collected, orderer, columns = {
        "en": (
            "Specimen collected: ",
            "Ordering physician: ",
            "Test  Result  Units  Flag  Reference Range",
        ),
        "de": ("Probe entnommen: ", "Einsender: ", "Parameter  Ergebnis  Einheit  Referenzbereich"),
        "fr": (
            "Prélèvement du ",
            "Prescripteur : ",
            "Analyse  Résultat  Unité  Valeurs de référence",
        ),
        "es": (
            "Fecha de muestra: ",
            "Médico solicitante: ",
            "Prueba  Resultado  Unidades  Valores de referencia",
        ),
    }[c.lang]
    head = [collected + c.date(), orderer + c.fake.name(), columns]
    if c.lang == "en":
        head[1:1] = ["Received: " + c.date(), f"CLIA #: 05D0{c.rng.randint(100000, 999999)}"]
    return [
        title,
        c.fake.company(),
        f"Patient: {c.subject()}  {c.site()}",
        *head,
        *_lab_rows(c, c.rng.randint(4, 8)),
        c.pick("Validated by: ", "Signed: ") + c.fake.name(),
    ]


def consent_form(c: Ctx) -> list[str]:
    study = c.fake.catch_phrase()
    if c.lang == "en":
        return [
            c.pick(
                "INFORMED CONSENT FORM",
                "Consent to Participate in a Research Study",
                "Research Subject Information and Consent Form",
            ),
            f"Study title: {study}",
            f"Principal investigator: {c.fake.name()}",
            *c.shuffled(
                ["Purpose of the study", c.prose()],
                ["Risks and discomforts", c.prose()],
                ["Possible benefits", c.prose(1)],
                ["Confidentiality: your records will be kept private. " + c.prose(1)],
                [
                    "Participation is voluntary. Refusal to participate will involve no penalty"
                    " or loss of benefits; you may discontinue participation at any time."
                ],
            ),
            "Whom to contact: " + c.fake.phone_number(),
            c.pick("Signature of participant", "Signature of research subject") + " ______ "
            "Date " + c.date(),
            "Signature of person obtaining consent ______",
        ]
    if c.lang == "de":
        return [
            c.pick(
                "Patienteninformation und Einwilligungserklärung",
                "Einwilligungserklärung zur Studienteilnahme",
            ),
            f"Studie: {study}",
            c.prose(),
            "Die Teilnahme ist freiwillig. Sie können Ihre Einwilligung jederzeit"
            " ohne Angabe von Gründen widerrufen.",
            c.prose(),
            "Ort, Datum " + c.date(),
            "Unterschrift des Patienten ______",
            "Unterschrift des aufklärenden Arztes ______",
        ]
    title, study_label, voluntary, consent, sign = {
        "fr": (
            c.pick("Formulaire de consentement éclairé", "Consentement de participation"),
            "Étude : ",
            "Votre participation est volontaire ; vous pouvez vous retirer à tout moment.",
            ("Je soussigné(e) ", ", je consens à participer."),
            "Signature du participant ______ ",
        ),
        "es": (
            c.pick("Consentimiento informado", "Hoja de información y consentimiento informado"),
            "Estudio: ",
            "Su participación es voluntaria y puede retirarse en cualquier momento.",
            ("Yo, ", ", doy mi consentimiento para participar."),
            "Firma del participante ______ ",
        ),
    }[c.lang]
    name = c.fake.name()
    return [
        title,
        study_label + study,
        c.prose(),
        voluntary,
        consent[0] + name + consent[1],
        sign + c.date(),
    ]


def adverse_event_report(c: Ctx) -> list[str]:
    drug, strength = c.drugs(1)[0]
    if c.lang == "en" and c.rng.random() < 0.6:
        return [
            c.pick("MEDWATCH", "MedWatch FORM FDA 3500", "FORM FDA 3500A (MedWatch)"),
            "A. PATIENT INFORMATION",
            f"Patient identifier: {c.subject()}  Age: "
            f"{c.rng.randint(18, 90)}  Sex: {c.pick('F', 'M')}",
            "B. ADVERSE EVENT, PRODUCT PROBLEM",
            "Outcome attributed to adverse event: "
            + c.pick(
                "Death",
                "Life-threatening",
                "Hospitalization - initial or prolonged",
                "Disability or permanent damage",
                "Other serious",
            ),
            "Date of event: " + c.date(),
            "Date of this report: " + c.date(),
            "Describe event or problem: " + c.prose(),
            "Relevant tests/laboratory data, including dates: " + _lab_rows(c, 1)[0],
            "D. SUSPECT PRODUCTS",
            f"Name, strength, manufacturer: {drug} {strength} " + c.fake.company(),
            "Event abated after use stopped or dose reduced? "
            + c.pick("Yes", "No", "Doesn't apply"),
            "Event reappeared after reintroduction? " + c.pick("Yes", "No", "Doesn't apply"),
            "G. REPORTER: " + c.fake.name(),
        ]
    if c.lang == "en":
        return [
            c.pick("CIOMS FORM", "SERIOUS ADVERSE EVENT REPORT"),
            "SUSPECT ADVERSE REACTION REPORT",
            "I. REACTION INFORMATION",
            f"Patient initials: {c.fake.lexify('??').upper()}  Country: {c.fake.country()}",
            "Reaction onset: " + c.date(),
            "Describe reaction(s): " + c.prose(),
            "Check all appropriate to adverse reaction: patient died / involved or prolonged"
            " inpatient hospitalisation / life threatening",
            "II. SUSPECT DRUG(S) INFORMATION",
            f"Suspect drug: {drug} {strength}",
            "Did reaction abate after stopping drug? " + c.pick("yes", "no"),
            "Causality: " + c.pick("related", "possibly related", "not related"),
            f"Investigator: {c.fake.name()}  {c.site()}",
        ]
    title = {
        "de": c.pick(
            "Bericht über Verdachtsfälle von Nebenwirkungen",
            "Meldung eines schwerwiegenden unerwünschten Ereignisses (SUE)",
        ),
        "fr": c.pick(
            "Déclaration d'effet indésirable", "Déclaration d'événement indésirable grave"
        ),
        "es": c.pick(
            "Notificación de sospecha de reacción adversa", "Informe de evento adverso grave"
        ),
    }[c.lang]
    fields = {
        "de": [
            "Beginn der Reaktion: ",
            "Verdächtiges Arzneimittel: ",
            "Ausgang: ",
            "Beschreibung: ",
            c.pick("wiederhergestellt", "noch nicht wiederhergestellt"),
        ],
        "fr": [
            "Date de début : ",
            "Médicament suspecté : ",
            "Évolution : ",
            "Description : ",
            c.pick("guérison", "en cours", "décès"),
        ],
        "es": [
            "Fecha de inicio: ",
            "Medicamento sospechoso: ",
            "Desenlace: ",
            "Descripción: ",
            c.pick("recuperado", "en recuperación", "mortal"),
        ],
    }[c.lang]
    return [
        title,
        f"{c.site()}  {c.subject()}",
        fields[0] + c.date(),
        fields[1] + f"{drug} {strength}",
        fields[3] + c.prose(),
        fields[2] + fields[4],
        c.fake.name(),
    ]


def discharge_letter(c: Ctx) -> list[str]:
    meds = [f"{d} {s}" for d, s in c.drugs(c.rng.randint(2, 4))]
    if c.lang == "en":
        return [
            c.pick("DISCHARGE SUMMARY", "Hospital Discharge Summary", "Discharge Letter"),
            c.fake.company() + " Hospital",
            "Date of admission: " + c.date(),
            "Date of discharge: " + c.date(),
            "Attending physician: " + c.fake.name(),
            *c.shuffled(
                ["Reason for hospitalization: " + c.prose(1)],
                ["Hospital course: " + c.prose(3)],
                ["Procedures: " + c.prose(1)],
                ["Discharge medications: " + ", ".join(meds)],
                ["Labs on discharge: " + "; ".join(_lab_rows(c, 2))],
                ["Condition at discharge: " + c.pick("stable", "improved")],
            ),
            "Follow-up: " + c.prose(1),
        ]
    if c.lang == "de":
        return [
            c.pick("Entlassungsbrief", "Arztbrief", "Vorläufiger Entlassungsbericht"),
            "Sehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,",
            f"wir berichten über Ihren Patienten, der sich vom {c.date()} bis {c.date()} in "
            "unserer stationären Behandlung befand.",
            "Diagnosen: " + c.prose(1),
            "Verlauf: " + c.prose(3),
            "Medikation bei Entlassung: " + ", ".join(meds),
            "Mit freundlichen Grüßen",
            c.fake.name(),
        ]
    if c.lang == "fr":
        return [
            c.pick("Compte rendu d'hospitalisation", "Lettre de sortie"),
            f"Hospitalisation du {c.date()} au {c.date()}",
            "Motif d'admission : " + c.prose(1),
            "Évolution : " + c.prose(2),
            "Traitement de sortie : " + ", ".join(meds),
            "Date de sortie : " + c.date(),
            c.fake.name(),
        ]
    return [
        c.pick("Informe de alta", "Informe de alta hospitalaria"),
        "Fecha de ingreso: " + c.date(),
        "Fecha de alta: " + c.date(),
        "Motivo de ingreso: " + c.prose(1),
        "Evolución: " + c.prose(2),
        "Tratamiento al alta: " + ", ".join(meds),
        c.fake.name(),
    ]


def medication_list(c: Ctx) -> list[str]:
    meds = c.drugs(c.rng.randint(3, 6))
    if c.lang == "en" and c.rng.random() < 0.5:
        lines = [
            c.pick("Personal Medication List", "My Medication List"),
            f"For: {c.fake.name()}  Date of birth: {c.date()}",
            "Allergies or side effects: " + c.pick("none", "penicillin", "sulfa"),
        ]
        for drug, strength in meds:
            lines += [
                f"Medication: {drug} {strength}",
                "How I use it: "
                + c.pick(
                    "1 tablet by mouth once daily", "1 tablet twice a day", "1 capsule at bedtime"
                ),
                "Why I use it: " + c.pick("blood pressure", "diabetes", "cholesterol", "thyroid"),
                "Prescriber: " + c.fake.name(),
                "Date I started using it: " + c.date(),
            ]
        return lines
    if c.lang == "en":
        drug, strength = meds[0]
        return [
            c.fake.company() + " Clinic",
            "Rx",
            f"Patient: {c.fake.name()}  DOB: {c.date()}",
            f"{drug} {strength} tablets",
            "Sig: take 1 tablet by mouth "
            + c.pick("daily", "twice daily", "every 8 hours as needed"),
            f"Dispense: #{c.rng.choice((30, 60, 90))}  Refills: {c.rng.randint(0, 5)}",
            "Prescriber signature ______  DEA #: " + c.fake.bothify("??#######").upper(),
            "Date: " + c.date(),
        ]
    if c.lang == "de":
        rows = [f"{d}  {s}  Tablette  {c.pick('1-0-0', '1-0-1', '0-0-1')}" for d, s in meds]
        return [
            c.pick("Medikationsplan", "Bundeseinheitlicher Medikationsplan"),
            f"für: {c.fake.name()}  geb. am: {c.date()}",
            "ausgedruckt von: " + c.fake.name(),
            "Wirkstoff  Stärke  Form  Mo-Mi-Ab-Na  Hinweise  Grund",
            *rows,
        ]
    if c.lang == "fr":
        return [
            "Ordonnance",
            f"Dr {c.fake.name()}",
            f"Le {c.date()}",
            f"Patient : {c.fake.name()}",
            *[
                f"{d} {s}, 1 comprimé {c.pick('matin et soir', 'le matin')} pendant 30 jours"
                for d, s in meds
            ],
            "Posologie à respecter. Renouvelable 3 fois.",
        ]
    return [
        "Receta médica",
        f"Paciente: {c.fake.name()}",
        f"Fecha: {c.date()}",
        *[f"{d} {s}, 1 comprimido cada {c.pick('12', '24')} horas" for d, s in meds],
        "Médico prescriptor: " + c.fake.name(),
    ]


def imaging_report(c: Ctx) -> list[str]:
    exam = {
        "en": (
            "CT chest with contrast",
            "MRI brain without contrast",
            "Chest X-ray PA and lateral",
            "Ultrasound abdomen",
        ),
        "de": (
            "Röntgen Thorax in 2 Ebenen",
            "MRT Schädel nativ",
            "CT Abdomen mit Kontrastmittel",
            "Sonographie Abdomen",
        ),
        "fr": (
            "Scanner thoracique injecté",
            "IRM cérébrale",
            "Radiographie thoracique",
            "Échographie abdominale",
        ),
        "es": (
            "TC de tórax con contraste",
            "Resonancia magnética cerebral",
            "Radiografía de tórax",
            "Ecografía abdominal",
        ),
    }[c.lang]
    labels = {
        "en": (
            "Examination",
            "Clinical indication",
            "Technique",
            "Comparison",
            "Findings",
            "Impression",
            "Radiologist",
        ),
        "de": (
            "Untersuchung",
            "Fragestellung",
            "Technik",
            "Voraufnahmen",
            "Befund",
            "Beurteilung",
            "Facharzt für Radiologie",
        ),
        "fr": (
            "Examen",
            "Indication",
            "Technique",
            "Comparaison",
            "Résultats",
            "Conclusion",
            "Radiologue",
        ),
        "es": (
            "Exploración",
            "Indicación clínica",
            "Técnica",
            "Comparación",
            "Hallazgos",
            "Impresión",
            "Radiólogo",
        ),
    }[c.lang]
    title = {
        "en": c.pick("RADIOLOGY REPORT", "Diagnostic Imaging Report", "Imaging Department"),
        "de": c.pick("Radiologischer Befundbericht", "Institut für Radiologie"),
        "fr": c.pick("Compte rendu radiologique", "Service d'imagerie médicale"),
        "es": c.pick("Informe radiológico", "Servicio de radiología"),
    }[c.lang]
    return [
        title,
        c.fake.company(),
        f"{labels[0]}: {c.rng.choice(exam)}  {c.date()}",
        f"{labels[1]}: {c.prose(1)}",
        f"{labels[2]}: {c.prose(1)}",
        f"{labels[3]}: {c.date()}",
        f"{labels[4]}: {c.prose(3)}",
        f"{labels[5]}: {c.prose(1)}",
        f"{labels[6]}: {c.fake.name()}",
    ]


def visit_note(c: Ctx) -> list[str]:
    vitals = f"BP {c.rng.randint(100, 160)}/{c.rng.randint(60, 95)}  HR {c.rng.randint(55, 100)}"
    drug, strength = c.drugs(1)[0]
    if c.lang == "en":
        return [
            c.pick(
                "PROGRESS NOTE",
                "Clinic Visit Note",
                f"Study Visit {c.rng.randint(1, 12)} - Source Document",
                "Office Visit",
            ),
            f"Date of visit: {c.date()}  {c.site()}  Subject {c.subject()}",
            *c.shuffled(
                ["Chief complaint: " + c.prose(1)],
                ["History of present illness: " + c.prose(2)],
                ["S: " + c.prose(1), "O: " + vitals],
                ["Vital signs: " + vitals],
                ["Physical exam: " + c.prose(1)],
                [f"Current medications: {drug} {strength}"],
            ),
            "Assessment and plan: " + c.prose(2),
            "Next visit: " + c.date(),
            c.fake.name(),
        ]
    title, fields = {
        "de": (
            c.pick("Visitenbericht", "Ambulanter Besuch", "Verlaufsdokumentation"),
            ("Anamnese", "Untersuchung", "Beurteilung und Procedere", "Nächster Termin"),
        ),
        "fr": (
            c.pick("Note de consultation", "Compte rendu de consultation"),
            (
                "Motif de consultation",
                "Examen clinique",
                "Conclusion et conduite à tenir",
                "Prochaine visite",
            ),
        ),
        "es": (
            c.pick("Nota de consulta", "Nota de evolución", "Visita del estudio"),
            ("Motivo de consulta", "Exploración física", "Juicio clínico y plan", "Próxima visita"),
        ),
    }[c.lang]
    return [
        title,
        f"{c.date()}  {c.site()}  {c.subject()}",
        f"{fields[0]}: {c.prose(2)}",
        f"{fields[1]}: {vitals}. {c.prose(1)}",
        f"{fields[2]}: {c.prose(1)}",
        f"{fields[3]}: {c.date()}",
        c.fake.name(),
    ]


def fax_correspondence(c: Ctx) -> list[str]:
    if c.rng.random() < 0.5:
        head = {
            "en": ("FAX", "To", "From", "Pages (including cover)", "Re"),
            "de": ("Telefax", "An", "Von", "Seiten inkl. Deckblatt", "Betreff"),
            "fr": ("Télécopie", "À", "De", "Nombre de pages", "Objet"),
            "es": ("Fax", "Para", "De", "Número de páginas", "Asunto"),
        }[c.lang]
        lines = [
            c.pick(head[0], head[0] + " COVER SHEET" if c.lang == "en" else head[0]),
            f"{head[1]}: {c.fake.name()}, {c.fake.company()}",
            f"{head[2]}: {c.fake.name()}",
            "Fax: " + c.fake.phone_number(),
            f"{head[3]}: {c.rng.randint(2, 12)}",
            f"{head[4]}: {c.fake.catch_phrase()}",
            c.prose(1),
        ]
        if c.lang == "en":
            lines.append(
                "CONFIDENTIALITY NOTICE: the documents accompanying this facsimile "
                "contain confidential information intended only for the recipient."
            )
        return lines
    greet, close = {
        "en": (c.pick("Dear Dr. ", "Dear "), c.pick("Sincerely,", "Kind regards,")),
        "de": ("Sehr geehrte Frau ", "Mit freundlichen Grüßen"),
        "fr": ("Madame, Monsieur, ", "Cordialement,"),
        "es": ("Estimado Dr. ", "Atentamente,"),
    }[c.lang]
    return [
        c.fake.company(),
        c.fake.address().replace("\n", ", "),
        c.date(),
        greet + c.fake.last_name() + ",",
        c.prose(3),
        c.prose(2),
        close,
        c.fake.name(),
    ]


def invoice_administrative(c: Ctx) -> list[str]:
    money = lambda: f"{c.rng.randint(50, 4000)}.{c.rng.randint(0, 99):02d}"  # noqa: E731
    if c.lang == "en" and c.rng.random() < 0.4:
        return [
            "HEALTH INSURANCE CLAIM FORM",
            "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12",
            "1. MEDICARE  MEDICAID  TRICARE  CHAMPVA  GROUP HEALTH PLAN",
            f"1a. INSURED'S I.D. NUMBER {c.fake.bothify('#########A')}",
            f"2. PATIENT'S NAME {c.fake.name()}  3. PATIENT'S BIRTH DATE {c.date()}",
            "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY " + c.fake.bothify("?##.#").upper(),
            f"24A. DATE(S) OF SERVICE {c.date()}  D. PROCEDURES (CPT/HCPCS) "
            f"{c.rng.randint(99201, 99499)}  F. $ CHARGES {money()}",
            f"25. FEDERAL TAX I.D. NUMBER {c.fake.bothify('##-#######')}",
            f"28. TOTAL CHARGE $ {money()}  29. AMOUNT PAID $ 0.00",
            "33. BILLING PROVIDER INFO & PH # " + c.fake.company(),
        ]
    if c.lang == "en" and c.rng.random() < 0.3:
        return [
            "Advance Beneficiary Notice of Noncoverage (ABN)",
            f"Patient name: {c.fake.name()}",
            "NOTE: If Medicare doesn't pay for the items below, you may have to pay.",
            "Medicare does not pay for everything, even some care that you or your health "
            "care provider have good reason to think you need.",
            f"Items or services: {c.prose(1)}  Estimated cost: ${money()}",
            "OPTIONS: Check only one box. We cannot choose a box for you.",
            "Form CMS-R-131 (Exp. 03/2020)  Signature ______  Date " + c.date(),
        ]
    title = {
        "en": c.pick("INVOICE", "Site Payment Invoice", "Statement of Account"),
        "de": c.pick("Rechnung", "Honorarabrechnung"),
        "fr": "Facture",
        "es": "Factura",
    }[c.lang]
    words = {
        "en": ("Invoice no.", "Description", "Total", "Payment due within 30 days to"),
        "de": ("Rechnungsnummer", "Leistung", "Gesamtbetrag", "Zahlbar innerhalb von 30 Tagen auf"),
        "fr": ("Facture n°", "Désignation", "Total TTC", "Règlement à 30 jours sur"),
        "es": ("Factura n.º", "Concepto", "Total", "Pago a 30 días en"),
    }[c.lang]
    currency = "$" if c.lang == "en" else "€"
    rows = [
        f"{c.pick('Per patient fee visit', 'Screening visit', 'Study start-up fee')} "
        f"{c.rng.randint(1, 9)}  {currency}{money()}"
        for _ in range(c.rng.randint(2, 5))
    ]
    return [
        c.fake.company(),
        c.fake.address().replace("\n", ", "),
        title,
        f"{words[0]} {c.rng.randint(1000, 99999)}  {c.date()}",
        words[1],
        *rows,
        f"{words[2]}: {currency}{money()}",
        f"{words[3]} IBAN {c.fake.iban()}",
    ]


def _manual_pages(count: int) -> list[str]:
    """Real text: prose pages of the PDF manuals Debian ships (empty without them)."""
    try:
        from report_pipeline_tests.extraction import real_pages as rp

        if not rp.tools_present():
            return []
        return [text for _, _, text in rp.text_pages(count, min_words=80)]
    except Exception:  # noqa: BLE001 - the corpus is optional: Faker prose stands in
        return []


LAYOUTS: dict[str, Callable[[Ctx], list[str]]] = {
    f.__name__: f
    for f in (
        lab_result,
        consent_form,
        adverse_event_report,
        discharge_letter,
        medication_list,
        imaging_report,
        visit_note,
        fax_correspondence,
        invoice_administrative,
    )
}
TYPES = (*LAYOUTS, "other")


def build(count: int, seed: int = 27) -> list[Doc]:
    """``count`` documents spread evenly over the default types, in a mixed order."""
    rng = random.Random(seed)
    fakers = {}
    for lang, locale in LOCALES.items():
        fakers[lang] = Faker(locale)
        fakers[lang].seed_instance(seed)
    per_type = max(1, count // len(TYPES))
    manual = _manual_pages(per_type)
    docs: list[Doc] = []
    for key in TYPES:
        for number in range(per_type):
            lang = rng.choices(("en", "de", "fr", "es"), weights=(6, 2, 1, 1))[0]
            c = Ctx(rng, lang, fakers)
            if key == "other":
                if number < len(manual):
                    docs.append(Doc(key, manual[number][:3000], "debian-manual-page", "en"))
                    continue
                lines = [c.fake.catch_phrase(), *(c.prose(4) for _ in range(4))]
            else:
                lines = LAYOUTS[key](c)
            docs.append(Doc(key, "\n".join(lines), key, lang))
    rng.shuffle(docs)
    return docs
