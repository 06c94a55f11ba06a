"""The development set of bench_classification: other real document kinds, other phrasing.

The taxonomy's phrases were tuned on classification_set.py, so its F1 says little
about documents of a known type in an unknown layout. This set is what the taxonomy
is developed against: for every type, OTHER real kinds of that document than the
tuning set uses, with their own section headings and field labels (in their order),
built the same way (Faker en_US/de_DE/fr_FR/es_ES fills people, dates, sites and
money; drugs, analytes, organisms and exams from short lists of real ones; optional
sections shuffled; cross-type distractors), with another seed (31). No layout here is
a layout of the tuning set (a test checks the names).

Kinds (what such documents are in trials and hospitals):
- lab result: hospital haematology/chemistry printouts (CBC with differential,
  accession numbers), central-lab trial reports by visit, microbiology culture and
  susceptibility reports, surgical pathology reports; Blutbild / klinische Chemie,
  numération formule sanguine / biochimie, hemograma / bioquímica.
- consent form: paediatric assent, consent for storing biological samples (biobank,
  genetic testing), procedure/surgery consent, re-consent addenda after an amendment;
  Aufklärungsbogen, note d'information, documento de consentimiento.
- adverse-event report: ICH E2B / EudraVigilance individual case safety reports, sponsor
  SAE narratives, follow-up SAE reports, medical-device incident reports; UAW-Meldung,
  fiche de déclaration d'EIG, notificación de acontecimiento adverso.
- discharge letter: transfer summaries, rehabilitation discharge reports, emergency
  department discharge instructions, day-surgery discharge notes; Verlegungsbericht,
  lettre de liaison, epicrisis / informe de alta de urgencias.
- medication list: pharmacy dispensing records, medication administration records,
  medication reconciliation, electronic prescriptions; Arzneimittelverordnung, plan de
  prise, hoja de tratamiento.
- imaging report: nuclear medicine (PET/CT, bone scan), echocardiography, mammography
  (BI-RADS), bone densitometry (DXA); Nuklearmedizin, échocardiographie, gammagrafía.
- visit note: telephone follow-up notes, screening-visit source notes, specialist
  consultation notes, nursing notes; Verlaufsnotiz, observation médicale, hoja de
  evolución.
- fax/correspondence: e-mail printouts, memoranda, sponsor letters to investigators,
  fax transmittal slips; E-Mail, courriel, correo.
- invoice/administrative: purchase orders, clinical-trial budgets, explanations of
  benefits, receipts and remittance advices; Bestellung, bon de commande, presupuesto.
- other: prose pages of the PDF manuals Debian ships (pages the tuning set does not
  take), and trial paperwork outside the taxonomy: protocol synopses, delegation logs,
  temperature logs, SOPs, training certificates.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from classification_set import LOCALES, Ctx, Doc, _manual_pages
from faker import Faker

DEV_SEED = 31
DRUGS = (
    ("Empagliflozin", "10 mg"),
    ("Rosuvastatin", "10 mg"),
    ("Losartan", "50 mg"),
    ("Furosemide", "40 mg"),
    ("Clopidogrel", "75 mg"),
    ("Prednisolone", "5 mg"),
    ("Allopurinol", "100 mg"),
    ("Gabapentin", "300 mg"),
    ("Tamsulosin", "0.4 mg"),
    ("Escitalopram", "10 mg"),
    ("Rivaroxaban", "20 mg"),
    ("Esomeprazol", "20 mg"),
)
ANALYTES = (
    ("RBC", "x10^12/L", 3.8, 5.8),
    ("MCV", "fL", 80, 100),
    ("Neutrophils", "%", 40, 75),
    ("Lymphocytes", "%", 20, 45),
    ("Urea", "mmol/L", 2.5, 7.8),
    ("Bilirubin total", "µmol/L", 3, 21),
    ("Alkaline phosphatase", "U/L", 40, 130),
    ("CRP", "mg/L", 0, 5),
    ("HbA1c", "%", 4.0, 6.0),
    ("Albumin", "g/L", 35, 50),
    ("INR", "", 0.8, 1.2),
    ("eGFR", "mL/min/1.73m2", 60, 120),
)
ORGANISMS = ("Escherichia coli", "Staphylococcus aureus", "Klebsiella pneumoniae")
ANTIBIOTICS = ("Ampicillin", "Ciprofloxacin", "Gentamicin", "Ceftriaxone", "Nitrofurantoin")


def _analyte_rows(c: Ctx, count: int) -> list[str]:
    rows = []
    for name, unit, low, high in c.rng.sample(ANALYTES, count):
        value = round(c.rng.uniform(low * 0.8, high * 1.3 + 1), 1)
        flag = c.pick("", "", "*", "HI", "LO")
        rows.append(f"{name}  {value}  {unit}  [{low} - {high}]  {flag}")
    return rows


def hospital_lab_printout(c: Ctx) -> list[str]:
    words = {
        "en": (
            c.pick("Haematology", "Clinical Chemistry", "Complete Blood Count with Differential"),
            "Accession no.",
            "Collected",
            "Reported",
            "Analyte  Value  Unit  Normal range  Flag",
            "Results verified by",
        ),
        "de": (
            c.pick("Blutbild", "Klinische Chemie", "Kleines Blutbild"),
            "Auftragsnummer",
            "Abnahme",
            "Befundet",
            "Analyt  Wert  Einheit  Norm  Markierung",
            "Technisch und medizinisch validiert",
        ),
        "fr": (
            c.pick("Numération formule sanguine", "Biochimie sanguine", "Hématologie"),
            "N° de dossier",
            "Prélevé le",
            "Édité le",
            "Examen  Valeur  Unité  Normes",
            "Biologiste responsable",
        ),
        "es": (
            c.pick("Hemograma", "Bioquímica", "Hematología"),
            "N.º de petición",
            "Extracción",
            "Informado",
            "Determinación  Valor  Unidad  Intervalo",
            "Facultativo responsable",
        ),
    }[c.lang]
    return [
        c.fake.company(),
        words[0],
        f"{words[1]}: {c.fake.bothify('??######').upper()}",
        f"{words[2]}: {c.date()} {c.rng.randint(6, 18):02d}:{c.rng.randint(0, 59):02d}",
        f"{words[3]}: {c.date()}",
        words[4],
        *_analyte_rows(c, c.rng.randint(4, 8)),
        f"{words[5]}: {c.fake.name()}",
    ]


def central_lab_report(c: Ctx) -> list[str]:
    return [
        c.pick("Central Laboratory Services", "Global Central Lab") + " - " + c.fake.company(),
        f"Protocol: {c.fake.bothify('??-####').upper()}  Investigator site: {c.site()}",
        f"Subject: {c.subject()}  Visit: {c.pick('Screening', 'Week 4', 'Week 12', 'EOT')}",
        f"Requisition number: {c.rng.randint(10000000, 99999999)}",
        "Sample received: " + c.date(),
        *c.shuffled(
            ["Chemistry panel", *_analyte_rows(c, 3)],
            ["Haematology panel", *_analyte_rows(c, 2)],
            ["Urinalysis", f"pH {c.rng.randint(5, 8)}  Protein negative  Blood trace"],
        ),
        "Alert values have been telephoned to the site.",
    ]


def microbiology_report(c: Ctx) -> list[str]:
    organism = c.rng.choice(ORGANISMS)
    words = {
        "en": ("Microbiology Report", "Source", "Gram stain", "Culture", "Susceptibility"),
        "de": ("Mikrobiologischer Befund", "Material", "Gramfärbung", "Kultur", "Antibiogramm"),
        "fr": (
            "Examen cytobactériologique",
            "Nature",
            "Coloration de Gram",
            "Culture",
            "Antibiogramme",
        ),
        "es": ("Informe de microbiología", "Muestra", "Tinción de Gram", "Cultivo", "Antibiograma"),
    }[c.lang]
    sens = [
        f"{a}  {c.pick('S', 'R', 'I')}  MIC {c.pick('<=1', '2', '>=32')}"
        for a in c.rng.sample(ANTIBIOTICS, 4)
    ]
    return [
        words[0],
        f"{c.fake.company()}  {c.date()}",
        f"{words[1]}: {c.pick('urine (midstream)', 'blood culture', 'wound swab', 'sputum')}",
        f"{words[2]}: {c.pick('Gram-negative rods', 'Gram-positive cocci in clusters')}",
        f"{words[3]}: {organism} >100,000 CFU/mL",
        words[4],
        *sens,
        c.fake.name(),
    ]


def pathology_report(c: Ctx) -> list[str]:
    if c.lang == "en":
        heads = (
            "SURGICAL PATHOLOGY REPORT",
            "Specimen submitted",
            "Gross description",
            "Microscopic description",
            "Final diagnosis",
            "Pathologist",
        )
    else:
        heads = {
            "de": (
                "Histopathologischer Befund",
                "Eingesandtes Material",
                "Makroskopie",
                "Mikroskopie",
                "Diagnose",
                "Pathologe",
            ),
            "fr": (
                "Compte rendu anatomopathologique",
                "Prélèvement",
                "Examen macroscopique",
                "Examen microscopique",
                "Conclusion",
                "Pathologiste",
            ),
            "es": (
                "Informe de anatomía patológica",
                "Muestra remitida",
                "Descripción macroscópica",
                "Descripción microscópica",
                "Diagnóstico",
                "Patólogo",
            ),
        }[c.lang]
    return [
        heads[0],
        f"Case {c.fake.bothify('S##-#####')}  {c.date()}",
        f"{heads[1]}: {c.pick('skin biopsy', 'colon polyp', 'lymph node', 'breast core')}",
        f"{heads[2]}: {c.prose(2)}",
        f"{heads[3]}: {c.prose(2)}",
        f"{heads[4]}: {c.prose(1)}",
        f"{heads[5]}: {c.fake.name()}",
    ]


def assent_form(c: Ctx) -> list[str]:
    return [
        c.pick("Assent Form for Children 7-12", "Minor Assent to Take Part in Research"),
        f"Study: {c.fake.catch_phrase()}",
        "We are asking you to be in a research study because " + c.prose(1),
        "If you decide to be in the study, " + c.prose(2),
        "You do not have to be in this study. Nobody will be mad at you if you say no, and "
        "you can change your mind later and stop.",
        "Your parents have said it is okay for you to take part.",
        "Printed name of child ______  Date " + c.date(),
        "Signature of parent or legal guardian ______",
    ]


def biobank_consent(c: Ctx) -> list[str]:
    lines = {
        "en": [
            c.pick(
                "Consent for Storage of Samples for Future Research",
                "Genetic Testing Sub-study Consent",
            ),
            "Why are we asking for your samples? " + c.prose(1),
            "Your blood samples may be stored for up to 15 years and used for future research.",
            "Please initial one: ___ YES, my samples may be stored  ___ NO",
            "Taking part is your choice. You may ask for your samples to be destroyed.",
            "Signature of subject ______  Date " + c.date(),
        ],
        "de": [
            c.pick(
                "Aufklärungsbogen und Einverständnis zur Biobank",
                "Einverständnis zur genetischen Untersuchung",
            ),
            "Wozu dienen die Proben? " + c.prose(1),
            "Ich bin damit einverstanden, dass meine Proben gelagert werden. Ich wurde "
            "ausführlich aufgeklärt und hatte ausreichend Bedenkzeit.",
            "Ich kann mein Einverständnis jederzeit widerrufen.",
            f"Name der Patientin/des Patienten: {c.fake.name()}  Datum {c.date()}",
        ],
        "fr": [
            c.pick(
                "Note d'information et de consentement - collection d'échantillons",
                "Accord pour la conservation d'échantillons biologiques",
            ),
            "Pourquoi cette collection ? " + c.prose(1),
            "J'accepte librement que mes échantillons soient conservés. J'ai reçu une "
            "information claire et j'ai pu poser toutes mes questions.",
            "Je peux revenir sur ma décision à tout moment sans conséquence sur ma prise en "
            "charge.",
            f"Nom : {c.fake.name()}  Fait le {c.date()}  Signature ______",
        ],
        "es": [
            c.pick(
                "Documento de consentimiento para el biobanco",
                "Autorización para la conservación de muestras",
            ),
            "¿Para qué se usarán las muestras? " + c.prose(1),
            "Autorizo que mis muestras se conserven para investigación futura. He leído la "
            "hoja de información y he podido hacer preguntas.",
            "Puedo revocar esta autorización en cualquier momento.",
            f"Nombre: {c.fake.name()}  Fecha {c.date()}  Firma ______",
        ],
    }
    return lines[c.lang]


def procedure_consent(c: Ctx) -> list[str]:
    if c.lang == "en":
        return [
            c.pick(
                "Consent for Surgery or Procedure", "Authorization for Procedure and Anesthesia"
            ),
            f"I, {c.fake.name()}, authorize Dr. {c.fake.last_name()} to perform: "
            + c.pick("colonoscopy", "bone marrow biopsy", "lumbar puncture"),
            "The nature of the procedure, its alternatives, and the possible complications "
            "have been explained to me. " + c.prose(1),
            "I understand no guarantee has been made as to the result.",
            "Patient or authorized representative ______  Witness ______  " + c.date(),
        ]
    title, body, sign = {
        "de": (
            "Einverständniserklärung zum Eingriff",
            "Über Art, Ablauf und Risiken des Eingriffs wurde ich aufgeklärt. Ich willige in "
            "den Eingriff ein.",
            "Unterschrift Patient/in ______  Ärztin/Arzt ______",
        ),
        "fr": (
            "Consentement à l'acte médical",
            "J'ai été informé(e) de la nature de l'intervention et de ses risques. "
            "J'accepte l'intervention proposée.",
            "Signature du patient ______",
        ),
        "es": (
            "Consentimiento para procedimiento",
            "Se me ha explicado la naturaleza del procedimiento y sus riesgos. Acepto "
            "libremente la intervención.",
            "Firma del paciente ______",
        ),
    }[c.lang]
    return [title, c.fake.name() + "  " + c.date(), body, c.prose(1), sign]


def reconsent_addendum(c: Ctx) -> list[str]:
    return [
        "Consent Addendum - Protocol Amendment " + str(c.rng.randint(2, 6)),
        f"Study: {c.fake.catch_phrase()}  IRB number {c.fake.bothify('####-###')}",
        "You are being given new information about this study that may affect your "
        "willingness to continue. " + c.prose(1),
        "New risks: " + c.prose(1),
        "By signing below you confirm that you agree to continue in the study.",
        "Participant's printed name and signature ______  Date " + c.date(),
        "Investigator signature ______",
    ]


def icsr_e2b(c: Ctx) -> list[str]:
    drug, strength = c.rng.choice(DRUGS)
    return [
        c.pick("Individual Case Safety Report (ICSR)", "EudraVigilance ICSR - E2B(R3)"),
        f"Worldwide unique case identification number: {c.fake.bothify('??-????-#######')}",
        f"Report type: {c.pick('Spontaneous', 'Report from study')}  Initial/follow-up: "
        + c.pick("initial", "follow-up 1"),
        f"Patient: age {c.rng.randint(18, 90)} years, sex {c.pick('female', 'male')}",
        f"Reaction/event as reported by primary source: {c.prose(1)}",
        f"MedDRA preferred term: {c.pick('Hepatotoxicity', 'Neutropenia', 'Syncope')}",
        "Seriousness: "
        + c.pick(
            "results in death",
            "caused/prolonged hospitalisation",
            "other medically important condition",
        ),
        f"Drug characterisation: suspect  {drug} {strength}",
        "Action taken with drug: " + c.pick("drug withdrawn", "dose reduced", "not changed"),
        "Outcome of reaction: " + c.pick("recovered/resolved", "not recovered", "fatal"),
        f"Sender: {c.fake.company()}",
    ]


def sae_narrative(c: Ctx) -> list[str]:
    drug, strength = c.rng.choice(DRUGS)
    if c.lang == "en":
        return [
            c.pick("SAE Narrative", "Serious Adverse Event Follow-up Report"),
            f"Case number {c.fake.bothify('####-#####')}  {c.site()}  Subject {c.subject()}",
            f"On {c.date()} the subject experienced "
            + c.pick("chest pain", "a fall with hip fracture", "febrile neutropenia")
            + " and was admitted. "
            + c.prose(2),
            f"Study treatment: {drug} {strength}. Action taken with study treatment: "
            + c.pick("interrupted", "permanently discontinued"),
            "The investigator assessed the event as "
            + c.pick("related", "not related")
            + " to study treatment. Severity: grade "
            + str(c.rng.randint(2, 4)),
            "Event status: " + c.pick("ongoing", "resolved with sequelae"),
            f"Safety physician: {c.fake.name()}",
        ]
    title, labels = {
        "de": ("UAW-Meldung", ("Ereignis", "Kausalzusammenhang", "Maßnahme")),
        "fr": ("Fiche de déclaration d'un EIG", ("Événement", "Imputabilité", "Mesure prise")),
        "es": (
            "Notificación de acontecimiento adverso grave",
            ("Acontecimiento", "Relación de causalidad", "Medida adoptada"),
        ),
    }[c.lang]
    return [
        title,
        f"{c.site()}  {c.subject()}  {c.date()}",
        f"{labels[0]}: {c.prose(2)}",
        f"{drug} {strength}",
        f"{labels[1]}: {c.pick('wahrscheinlich', 'possible', 'probable')}",
        f"{labels[2]}: {c.prose(1)}",
        c.fake.name(),
    ]


def device_incident(c: Ctx) -> list[str]:
    return [
        c.pick("Medical Device Incident Report", "Manufacturer Incident Report (MIR)"),
        f"Device: {c.pick('infusion pump', 'insulin pen', 'glucose sensor')}  Lot: "
        f"{c.fake.bothify('L####')}",
        f"Date of incident: {c.date()}",
        "Description of the incident: " + c.prose(2),
        "Patient harm: " + c.pick("serious injury", "no injury", "death"),
        "Investigation by manufacturer: " + c.prose(1),
        f"Reported to competent authority by {c.fake.name()}",
    ]


def transfer_summary(c: Ctx) -> list[str]:
    meds = ", ".join(f"{d} {s}" for d, s in c.rng.sample(DRUGS, 3))
    if c.lang == "en":
        return [
            c.pick("Transfer Summary", "Interfacility Transfer Summary"),
            f"Transferred from: {c.fake.company()} Hospital, ward {c.rng.randint(1, 9)}",
            "Transferred to: "
            + c.pick("rehabilitation unit", "skilled nursing facility", "regional cardiac centre"),
            f"Admitted {c.date()}, transferred {c.date()}",
            *c.shuffled(
                ["Reason for transfer: " + c.prose(1)],
                ["Summary of stay: " + c.prose(3)],
                ["Active problems: " + c.prose(1)],
                ["Medications on transfer: " + meds],
            ),
            f"Receiving physician: {c.fake.name()}",
        ]
    title, body = {
        "de": ("Verlegungsbericht", ("Verlegung nach", "Verlauf", "Aktuelle Medikation")),
        "fr": ("Lettre de liaison à la sortie", ("Transfert vers", "Séjour", "Traitement")),
        "es": ("Epicrisis", ("Traslado a", "Evolución durante el ingreso", "Tratamiento")),
    }[c.lang]
    return [
        title,
        f"{c.fake.name()}  {c.date()} - {c.date()}",
        f"{body[0]}: {c.fake.company()}",
        f"{body[1]}: {c.prose(3)}",
        f"{body[2]}: {meds}",
        c.fake.name(),
    ]


def rehab_discharge(c: Ctx) -> list[str]:
    if c.lang == "de":
        return [
            "Reha-Entlassungsbericht",
            f"Rehabilitationsmaßnahme vom {c.date()} bis {c.date()}",
            "Rehabilitationsdiagnosen: " + c.prose(1),
            "Therapieverlauf: " + c.prose(3),
            "Leistungsfähigkeit bei Entlassung: " + c.prose(1),
            "Empfehlungen für die Nachsorge: " + c.prose(1),
            c.fake.name(),
        ]
    return [
        "Rehabilitation Discharge Report",
        f"Length of stay: {c.rng.randint(10, 40)} days ({c.date()} - {c.date()})",
        "Admitting diagnosis: " + c.prose(1),
        "Functional status at admission: " + c.prose(1),
        "Therapy provided: physiotherapy, occupational therapy. " + c.prose(1),
        "Functional status on leaving: " + c.prose(1),
        "Recommendations and home programme: " + c.prose(1),
        f"Consultant: {c.fake.name()}",
    ]


def ed_discharge(c: Ctx) -> list[str]:
    if c.lang == "es":
        return [
            "Informe de alta de urgencias",
            f"Hora de llegada: {c.date()}  Hora de alta: {c.date()}",
            "Motivo de consulta: " + c.prose(1),
            "Juicio diagnóstico: " + c.prose(1),
            "Recomendaciones al alta: " + c.prose(1),
            "Destino: domicilio",
            c.fake.name(),
        ]
    return [
        c.pick("Emergency Department Discharge Instructions", "ED After-Visit Summary"),
        f"Seen on {c.date()} by {c.fake.name()}",
        "Your diagnosis: " + c.pick("sprained ankle", "viral gastroenteritis", "migraine"),
        "What to do at home: " + c.prose(2),
        "Return to the emergency department if " + c.prose(1),
        "Follow up with your primary care provider in 3 days.",
        "Disposition: discharged home",
    ]


def dispensing_record(c: Ctx) -> list[str]:
    drug, strength = c.rng.choice(DRUGS)
    if c.lang == "en":
        return [
            c.pick("Pharmacy Dispensing Record", "Outpatient Pharmacy Label"),
            f"{c.fake.company()} Pharmacy  {c.fake.phone_number()}",
            f"Patient: {c.fake.name()}",
            f"{drug} {strength} {c.pick('tab', 'cap', 'film-coated tablets')}",
            "Directions: take one "
            + c.pick("tablet by mouth every morning", "capsule three times a day with food"),
            f"Qty dispensed: {c.rng.choice((28, 30, 56, 90))}  Days supply: 30",
            f"Lot no. {c.fake.bothify('??####')}  Exp {c.date()}",
            f"Dispensed by: {c.fake.name()}, RPh  {c.date()}",
        ]
    words = {
        "de": ("Abgabebeleg Apotheke", "Abgegeben", "Packungsgröße N2", "Einnahme: 1-0-1"),
        "fr": ("Délivrance pharmacie", "Délivré le", "Boîte de 30", "1 gélule matin et soir"),
        "es": ("Dispensación en farmacia", "Dispensado", "Envase de 28", "1 cada 8 horas"),
    }[c.lang]
    return [
        words[0],
        c.fake.company(),
        c.fake.name(),
        f"{drug} {strength}  {words[2]}",
        words[3],
        f"{words[1]}: {c.date()}",
    ]


def administration_record(c: Ctx) -> list[str]:
    rows = [
        f"{d} {s}  {c.pick('PO', 'IV', 'SC')}  {c.pick('BID', 'TID', 'QD', 'q8h', 'PRN')}  "
        f"08:00 ✓  20:00 ✓"
        for d, s in c.rng.sample(DRUGS, c.rng.randint(3, 6))
    ]
    if c.lang == "de":
        rows = [
            f"{d} {s}  {c.pick('p.o.', 'i.v.', 's.c.')}  {c.pick('1-0-1', '1-1-1', '0-0-1')}"
            for d, s in c.rng.sample(DRUGS, c.rng.randint(3, 6))
        ]
        return [
            "Kurvenblatt / Medikamentenkurve",
            c.fake.name(),
            c.date(),
            "Präparat  Applikation  Schema",
            *rows,
            "Gegeben von: " + c.fake.name(),
        ]
    return [
        c.pick("Medication Administration Record (MAR)", "MAR - Inpatient"),
        f"Patient: {c.fake.name()}  Ward {c.rng.randint(1, 9)}  Allergies: NKDA",
        "Drug  Route  Frequency  Times given",
        *rows,
        f"Nurse initials: {c.fake.lexify('??').upper()}  {c.date()}",
    ]


def medication_reconciliation(c: Ctx) -> list[str]:
    rows = {
        "en": lambda d, s: (
            f"{d} {s} {c.pick('1 tab daily', 'BID', 'at night')}  "
            + c.pick("Continue", "Stop", "Change dose")
        ),
        "fr": lambda d, s: (
            f"{d} {s}  {c.pick('1 le matin', '1 matin et soir')}  "
            + c.pick("poursuivre", "arrêter")
        ),
        "es": lambda d, s: (
            f"{d} {s}  {c.pick('1 al día', 'cada 12 horas')}  " + c.pick("mantener", "suspender")
        ),
        "de": lambda d, s: f"{d} {s}  {c.pick('1-0-0', '0-0-1')}  " + c.pick("weiter", "absetzen"),
    }[c.lang]
    title = {
        "en": c.pick("Medication Reconciliation", "Home Medication Review"),
        "fr": "Conciliation médicamenteuse - plan de prise",
        "es": "Conciliación de la medicación - hoja de tratamiento",
        "de": "Arzneimittelanamnese und Verordnung",
    }[c.lang]
    return [
        title,
        f"{c.fake.name()}  {c.date()}",
        *[rows(d, s) for d, s in c.rng.sample(DRUGS, c.rng.randint(3, 6))],
        "Reviewed by: " + c.fake.name(),
    ]


def e_prescription(c: Ctx) -> list[str]:
    drug, strength = c.rng.choice(DRUGS)
    return [
        "Electronic Prescription",
        f"Prescribed by {c.fake.name()}, NPI {c.rng.randint(1000000000, 9999999999)}",
        f"Patient {c.fake.name()}  DOB {c.date()}",
        f"{drug} {strength} oral tablet",
        "Take 1 tab PO " + c.pick("BID", "QD", "TID", "q12h"),
        f"Qty: {c.rng.choice((30, 60))}  Refills: {c.rng.randint(0, 3)}  Substitution permitted",
        f"Sent to pharmacy: {c.fake.company()}",
    ]


def nuclear_medicine(c: Ctx) -> list[str]:
    words = {
        "en": (
            "Nuclear Medicine Report",
            "Radiopharmaceutical",
            "Indication",
            "Findings",
            "Conclusion",
        ),
        "de": (
            "Nuklearmedizinischer Befund",
            "Radiopharmakon",
            "Indikation",
            "Befund",
            "Beurteilung",
        ),
        "fr": (
            "Compte rendu de médecine nucléaire",
            "Radiopharmaceutique",
            "Indication",
            "Résultats",
            "Conclusion",
        ),
        "es": (
            "Informe de medicina nuclear",
            "Radiofármaco",
            "Indicación",
            "Hallazgos",
            "Conclusión",
        ),
    }[c.lang]
    exam = c.pick("FDG PET/CT", "Bone scintigraphy", "Myocardial perfusion SPECT")
    return [
        words[0],
        f"{exam}  {c.date()}",
        f"{words[1]}: {c.pick('18F-FDG', '99mTc-MDP', '99mTc-sestamibi')} "
        f"{c.rng.randint(200, 700)} MBq",
        f"{words[2]}: {c.prose(1)}",
        f"{words[3]}: {c.prose(2)} SUVmax {round(c.rng.uniform(1, 12), 1)}.",
        f"{words[4]}: {c.prose(1)}",
        c.fake.name(),
    ]


def echocardiogram(c: Ctx) -> list[str]:
    words = {
        "en": ("Transthoracic Echocardiogram Report", "Left ventricle", "Valves", "Conclusions"),
        "de": ("Echokardiographie-Befund", "Linker Ventrikel", "Klappen", "Zusammenfassung"),
        "fr": ("Compte rendu d'échocardiographie", "Ventricule gauche", "Valves", "Conclusion"),
        "es": ("Informe de ecocardiografía", "Ventrículo izquierdo", "Válvulas", "Conclusiones"),
    }[c.lang]
    return [
        words[0],
        f"{c.date()}  {c.fake.company()}",
        f"Height {c.rng.randint(150, 195)} cm  Weight {c.rng.randint(50, 110)} kg",
        f"{words[1]}: LVEF {c.rng.randint(25, 70)}% (biplane Simpson). {c.prose(1)}",
        f"{words[2]}: {c.prose(1)}",
        f"{words[3]}: {c.prose(1)}",
        c.fake.name(),
    ]


def mammography(c: Ctx) -> list[str]:
    return [
        c.pick("Bilateral Screening Mammogram", "Diagnostic Mammography and Breast Ultrasound"),
        f"Exam date: {c.date()}",
        "History: " + c.prose(1),
        "Breast composition: "
        + c.pick("scattered fibroglandular densities", "heterogeneously dense"),
        "Findings: " + c.prose(2),
        f"Assessment: BI-RADS {c.rng.randint(1, 4)}",
        "Recommendation: " + c.pick("routine annual screening", "short-interval follow-up"),
    ]


def bone_densitometry(c: Ctx) -> list[str]:
    return [
        "Bone Densitometry (DXA) Report",
        f"Scan date: {c.date()}",
        f"Lumbar spine L1-L4: BMD {round(c.rng.uniform(0.7, 1.2), 3)} g/cm2  T-score "
        f"{round(c.rng.uniform(-3.5, 1), 1)}",
        f"Total hip: T-score {round(c.rng.uniform(-3, 1), 1)}",
        "Interpretation: " + c.pick("osteopenia", "osteoporosis", "normal bone density"),
        f"Reported by {c.fake.name()}",
    ]


def telephone_note(c: Ctx) -> list[str]:
    if c.lang == "en":
        return [
            c.pick("Telephone Contact Note", "Phone Follow-up - Study Subject"),
            f"{c.date()}  {c.site()}  Subject {c.subject()}",
            "Subject contacted by phone to check on wellbeing. " + c.prose(2),
            "Concomitant medications reviewed: no change.",
            "Adverse events since last contact: none reported.",
            "Next contact scheduled " + c.date(),
            f"Study coordinator: {c.fake.name()}",
        ]
    words = {
        "de": ("Verlaufsnotiz", "Telefonat mit dem Patienten", "Procedere"),
        "fr": ("Observation médicale", "Entretien téléphonique avec le patient", "Suite"),
        "es": ("Hoja de evolución", "Contacto telefónico con el paciente", "Plan"),
    }[c.lang]
    return [
        words[0],
        f"{c.date()}  {c.subject()}",
        f"{words[1]}: {c.prose(2)}",
        f"{words[2]}: {c.prose(1)}",
        c.fake.name(),
    ]


def screening_visit(c: Ctx) -> list[str]:
    return [
        c.pick("Screening Visit - Source Notes", "Visit 1 (Screening) Worksheet"),
        f"Visit date: {c.date()}  {c.site()}",
        *c.shuffled(
            ["Inclusion/exclusion criteria reviewed: subject eligible"],
            [
                f"Weight {c.rng.randint(50, 110)} kg  Temp 36.{c.rng.randint(1, 9)} C  "
                f"Pulse {c.rng.randint(55, 100)}"
            ],
            ["Medical history: " + c.prose(1)],
            ["Examination: " + c.prose(1)],
            ["Procedures done: ECG, blood draw, urine sample"],
        ),
        "Investigator comments: " + c.prose(1),
        f"Seen by {c.fake.name()}",
    ]


def consultation_note(c: Ctx) -> list[str]:
    if c.lang == "en":
        return [
            c.pick("Outpatient Consultation", "Specialist Clinic Note", "Follow-up Appointment"),
            f"Seen in clinic {c.date()}  Referred by Dr. {c.fake.last_name()}",
            "Reason for referral: " + c.prose(1),
            "History: " + c.prose(2),
            f"On examination: pulse {c.rng.randint(55, 100)}, temperature normal. " + c.prose(1),
            "Impression: " + c.prose(1),
            "Plan: " + c.prose(1) + " Review in 3 months.",
        ]
    words = {
        "de": ("Ambulante Vorstellung", "Befund", "Procedere", "Wiedervorstellung"),
        "fr": ("Consultation de suivi", "Examen", "Conduite à tenir", "Revoir dans"),
        "es": ("Consulta externa", "Exploración", "Plan", "Revisión en"),
    }[c.lang]
    return [
        words[0],
        f"{c.date()}  {c.fake.name()}",
        c.prose(2),
        f"{words[1]}: {c.prose(1)}",
        f"{words[2]}: {c.prose(1)}",
        f"{words[3]} 3 Monate / mois / meses",
    ]


def nursing_note(c: Ctx) -> list[str]:
    return [
        "Nursing Note",
        f"{c.date()} {c.rng.randint(6, 22):02d}:00  Ward {c.rng.randint(1, 9)}",
        f"Temp 37.{c.rng.randint(0, 9)}  Pulse {c.rng.randint(55, 110)}  SpO2 "
        f"{c.rng.randint(90, 99)}% on room air",
        "Patient resting comfortably. " + c.prose(2),
        "Pain score 2/10. Mobilising with assistance.",
        f"RN {c.fake.name()}",
    ]


def email_printout(c: Ctx) -> list[str]:
    head = {
        "en": ("From", "Sent", "To", "Cc", "Subject", c.pick("Hi ", "Hello "), "Thanks,"),
        "de": ("Von", "Gesendet", "An", "Cc", "Betreff", "Hallo ", "Viele Grüße"),
        "fr": ("De", "Envoyé", "À", "Cc", "Objet", "Bonjour ", "Bien à vous,"),
        "es": ("De", "Enviado", "Para", "CC", "Asunto", "Hola ", "Un saludo,"),
    }[c.lang]
    return [
        f"{head[0]}: {c.fake.name()} <{c.fake.email()}>",
        f"{head[1]}: {c.date()}",
        f"{head[2]}: {c.fake.email()}",
        f"{head[3]}: {c.fake.email()}",
        f"{head[4]}: {c.pick('RE: ', 'FW: ', '')}{c.fake.catch_phrase()}",
        head[5] + c.fake.first_name() + ",",
        c.prose(3),
        head[6],
        c.fake.first_name(),
    ]


def memorandum(c: Ctx) -> list[str]:
    return [
        c.pick("MEMORANDUM", "Internal Memo"),
        f"TO: All site staff  FROM: {c.fake.name()}  DATE: {c.date()}",
        f"SUBJECT: {c.fake.catch_phrase()}",
        c.prose(3),
        c.prose(2),
        "cc: " + c.fake.name(),
    ]


def sponsor_letter(c: Ctx) -> list[str]:
    opening, close = {
        "en": ("Dear Investigator,", c.pick("Yours faithfully,", "With best wishes,")),
        "de": ("Sehr geehrter Herr Prüfarzt,", "Freundliche Grüße"),
        "fr": ("Cher investigateur,", "Veuillez agréer nos salutations distinguées."),
        "es": ("Estimado investigador:", "Reciba un cordial saludo,"),
    }[c.lang]
    enclosure = {"en": "Enclosure: ", "de": "Anlage: ", "fr": "PJ : ", "es": "Adjunto: "}
    return [
        c.fake.company(),
        c.fake.address().replace("\n", ", "),
        c.date(),
        opening,
        c.prose(3),
        c.prose(2),
        close,
        c.fake.name(),
        enclosure[c.lang] + c.fake.catch_phrase(),
    ]


def fax_transmittal(c: Ctx) -> list[str]:
    return [
        c.pick("Fax Transmission", "Facsimile Transmittal"),
        f"Date: {c.date()}  Total pages: {c.rng.randint(2, 15)}",
        f"Attention: {c.fake.name()}  Fax no.: {c.fake.phone_number()}",
        f"Sender: {c.fake.name()}  Tel: {c.fake.phone_number()}",
        "Message: " + c.prose(1),
        "If you do not receive all pages, please call the sender immediately.",
    ]


def purchase_order(c: Ctx) -> list[str]:
    money = lambda: f"{c.rng.randint(10, 900)}.{c.rng.randint(0, 99):02d}"  # noqa: E731
    words = {
        "en": (
            "PURCHASE ORDER",
            "PO number",
            "Ship to",
            "Qty  Item  Unit price  Amount",
            "Subtotal",
            "Shipping",
            "Authorized by",
        ),
        "de": (
            "Bestellung",
            "Bestellnummer",
            "Lieferadresse",
            "Menge  Artikel  Preis  Summe",
            "Zwischensumme",
            "Versand",
            "Freigegeben",
        ),
        "fr": (
            "Bon de commande",
            "N° de commande",
            "Livraison",
            "Qté  Article  PU  Montant",
            "Sous-total",
            "Port",
            "Validé par",
        ),
        "es": (
            "Orden de compra",
            "N.º de pedido",
            "Entregar en",
            "Cant.  Artículo  Precio  Importe",
            "Subtotal",
            "Envío",
            "Autorizado por",
        ),
    }[c.lang]
    cur = "USD" if c.lang == "en" else "EUR"
    goods = ("centrifuge tubes", "dry ice shipper", "ECG electrodes", "sample kits")
    rows = [
        f"{c.rng.randint(1, 50)}  {c.rng.choice(goods)}  {money()}  {money()}"
        for _ in range(c.rng.randint(2, 5))
    ]
    return [
        c.fake.company(),
        f"{words[0]}",
        f"{words[1]}: {c.fake.bothify('PO-#####')}  {c.date()}",
        f"{words[2]}: {c.fake.address().replace(chr(10), ', ')}",
        words[3],
        *rows,
        f"{words[4]}: {money()} {cur}",
        f"{words[5]}: {money()} {cur}",
        f"{words[6]}: {c.fake.name()}",
    ]


def trial_budget(c: Ctx) -> list[str]:
    cur = "$" if c.lang == "en" else "€"
    items = ("Screening", "Baseline", "Week 4", "Week 12", "Pharmacy set-up", "Archiving")
    words = {
        "en": ("Clinical Trial Budget", "Cost per subject", "Overhead", "Grand total"),
        "de": ("Studienbudget", "Kosten pro Patient", "Overhead", "Gesamtsumme"),
        "fr": ("Budget de l'étude", "Coût par patient", "Frais de structure", "Total général"),
        "es": ("Presupuesto del ensayo", "Coste por paciente", "Gastos generales", "Total general"),
    }[c.lang]
    return [
        words[0] + " - " + c.fake.company(),
        f"{c.site()}  version {c.rng.randint(1, 4)}.0  {c.date()}",
        *[f"{i}  {cur}{c.rng.randint(100, 3000):,}" for i in c.rng.sample(items, 4)],
        f"{words[1]}: {cur}{c.rng.randint(2000, 15000):,}",
        f"{words[2]} {c.rng.choice((15, 20, 25))}%",
        f"{words[3]}: {cur}{c.rng.randint(50000, 900000):,}",
    ]


def explanation_of_benefits(c: Ctx) -> list[str]:
    money = lambda: f"${c.rng.randint(20, 3000)}.{c.rng.randint(0, 99):02d}"  # noqa: E731
    return [
        "EXPLANATION OF BENEFITS - THIS IS NOT A BILL",
        f"Member: {c.fake.name()}  Member ID {c.fake.bothify('???#########').upper()}",
        f"Claim number: {c.fake.bothify('##########')}  Provider: {c.fake.company()}",
        "Service date  Amount billed  Allowed amount  Plan paid  You owe",
        f"{c.date()}  {money()}  {money()}  {money()}  {money()}",
        "Deductible met: " + money(),
        "Questions? Call member services at " + c.fake.phone_number(),
    ]


def receipt(c: Ctx) -> list[str]:
    return [
        c.pick("RECEIPT", "Remittance Advice"),
        c.fake.company(),
        f"Receipt no. {c.rng.randint(1000, 99999)}  {c.date()}",
        f"Received from {c.fake.company()} the sum of ${c.rng.randint(100, 9000)}.00",
        "For: " + c.pick("site monitoring fees", "patient travel reimbursement", "IRB review fee"),
        "Paid by: " + c.pick("bank transfer", "check", "credit card"),
        "Thank you for your payment.",
    ]


def protocol_synopsis(c: Ctx) -> list[str]:
    return [
        "Protocol Synopsis",
        f"Title: {c.fake.catch_phrase()}",
        f"Phase: {c.pick('I', 'II', 'III')}  Design: randomised, double-blind, placebo-controlled",
        "Primary objective: " + c.prose(1),
        "Secondary objectives: " + c.prose(2),
        f"Number of subjects: {c.rng.randint(40, 900)}  Duration: {c.rng.randint(6, 48)} months",
        "Statistical methods: " + c.prose(1),
    ]


def delegation_log(c: Ctx) -> list[str]:
    rows = [
        f"{c.fake.name()}  {c.pick('Sub-investigator', 'Study coordinator', 'Pharmacist')}  "
        f"Tasks {c.pick('1,2,5', '3,4', '1-9')}  Start {c.date()}  Initials ____"
        for _ in range(c.rng.randint(3, 6))
    ]
    return [
        c.pick("Site Signature and Delegation Log", "Delegation of Authority Log"),
        f"Principal investigator: {c.fake.name()}  {c.site()}",
        "Name  Role  Delegated tasks  Start date  Initials",
        *rows,
    ]


def temperature_log(c: Ctx) -> list[str]:
    rows = [
        f"{c.date()}  min {c.rng.randint(2, 4)}.{c.rng.randint(0, 9)}  max "
        f"{c.rng.randint(5, 8)}.{c.rng.randint(0, 9)}  checked by {c.fake.first_name()}"
        for _ in range(c.rng.randint(4, 8))
    ]
    return [
        c.pick("Refrigerator Temperature Log", "Storage Temperature Monitoring Sheet"),
        f"Location: {c.fake.company()} room {c.rng.randint(1, 300)}",
        "Acceptable range 2-8 C. Record twice daily.",
        *rows,
    ]


def sop_page(c: Ctx) -> list[str]:
    return [
        f"Standard Operating Procedure SOP-{c.rng.randint(100, 999)}",
        "1. Purpose: " + c.prose(1),
        "2. Scope: " + c.prose(1),
        "3. Responsibilities: " + c.prose(2),
        "4. Procedure: " + c.prose(3),
        f"Approved by {c.fake.name()}  Effective {c.date()}",
    ]


def training_certificate(c: Ctx) -> list[str]:
    return [
        c.pick("Certificate of Completion", "Training Certificate"),
        f"This certifies that {c.fake.name()}",
        "has completed "
        + c.pick(
            "ICH Good Clinical Practice E6(R2)",
            "IATA dangerous goods shipping",
            "protocol training",
        ),
        f"on {c.date()}. {c.prose(1)}",
        f"Trainer: {c.fake.name()}",
    ]


DEV_LAYOUTS: dict[str, tuple[Callable[[Ctx], list[str]], ...]] = {
    "lab_result": (
        hospital_lab_printout,
        central_lab_report,
        microbiology_report,
        pathology_report,
    ),
    "consent_form": (assent_form, biobank_consent, procedure_consent, reconsent_addendum),
    "adverse_event_report": (icsr_e2b, sae_narrative, device_incident),
    "discharge_letter": (transfer_summary, rehab_discharge, ed_discharge),
    "medication_list": (
        dispensing_record,
        administration_record,
        medication_reconciliation,
        e_prescription,
    ),
    "imaging_report": (nuclear_medicine, echocardiogram, mammography, bone_densitometry),
    "visit_note": (telephone_note, screening_visit, consultation_note, nursing_note),
    "fax_correspondence": (email_printout, memorandum, sponsor_letter, fax_transmittal),
    "invoice_administrative": (purchase_order, trial_budget, explanation_of_benefits, receipt),
    "other": (protocol_synopsis, delegation_log, temperature_log, sop_page, training_certificate),
}
# Layouts of one country's forms exist in its language only; the rest in all four.
LANGUAGES: dict[Callable[[Ctx], list[str]], tuple[str, ...]] = {
    assent_form: ("en",),
    reconsent_addendum: ("en",),
    device_incident: ("en",),
    icsr_e2b: ("en",),
    rehab_discharge: ("en", "de"),
    ed_discharge: ("en", "es"),
    e_prescription: ("en",),
    administration_record: ("en", "de"),
    mammography: ("en",),
    bone_densitometry: ("en",),
    screening_visit: ("en",),
    nursing_note: ("en",),
    memorandum: ("en",),
    fax_transmittal: ("en",),
    explanation_of_benefits: ("en",),
    receipt: ("en",),
    protocol_synopsis: ("en",),
    delegation_log: ("en",),
    temperature_log: ("en",),
    sop_page: ("en",),
    training_certificate: ("en",),
}


def build_dev(count: int, seed: int = DEV_SEED) -> list[Doc]:
    """``count`` documents spread evenly over the default types, in a mixed order."""
    rng = random.Random(seed)
    fakers = {}
    for lang, locale in LOCALES.items():
        fakers[lang] = Faker(locale)
        fakers[lang].seed_instance(seed)
    per_type = max(1, count // len(DEV_LAYOUTS))
    # Half of "other" is real prose: manual pages after those the tuning set takes.
    manual = _manual_pages(per_type * 2)[per_type : per_type + per_type // 2]
    docs: list[Doc] = []
    for key, layouts in DEV_LAYOUTS.items():
        for number in range(per_type):
            if key == "other" and number < len(manual):
                docs.append(Doc(key, manual[number][:3000], "debian-manual-page-dev", "en"))
                continue
            layout = layouts[number % len(layouts)]
            lang = rng.choices(("en", "de", "fr", "es"), weights=(5, 2, 2, 1))[0]
            if lang not in LANGUAGES.get(layout, (lang,)):
                lang = "en"
            c = Ctx(rng, lang, fakers)
            lines = layout(c)
            docs.append(Doc(key, "\n".join(lines), layout.__name__, c.lang))
    rng.shuffle(docs)
    return docs
