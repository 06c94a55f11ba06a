import pytest

from report_pipeline.classify import TaxonomyError, classify_features, classify_text, load_taxonomy
from report_pipeline.settings import SettingsError, load_settings

# Real-shaped openings of each default type (the shape of public forms and letters).
EXAMPLES = {
    "lab_result": "LABORATORY REPORT\nSpecimen collected: 03/02/2026\nTest Result Units "
    "Reference Range\nHemoglobin 13.1 g/dL 12.0-16.0\nCreatinine 0.9 mg/dL 0.6-1.2",
    "consent_form": "INFORMED CONSENT FORM\nYour participation is voluntary. You may withdraw "
    "from the study at any time without penalty.\nSignature of participant ______",
    "adverse_event_report": "MEDWATCH FDA Form 3500\nSection B. Adverse event or product "
    "problem\nDate of onset: 2026-01-04\nOutcome: hospitalization\nSuspect product: X",
    "discharge_letter": "Entlassungsbrief\nAufnahme: 02.01.2026  Entlassung: 09.01.2026\n"
    "Stationär aufgenommen wegen Pneumonie.",
    "medication_list": "Medication list\nCurrent medications:\nMetformin 500 mg tablet twice "
    "daily\nLisinopril 10 mg tablet once daily\nPrescriber: Dr. A",
    "imaging_report": "RADIOLOGY REPORT\nExam: CT scan of the chest with contrast\nTechnique: "
    "axial images.\nFindings: no nodule.\nImpression: normal study.",
    "visit_note": "Progress note - study visit 4\nChief complaint: none\nVital signs: blood "
    "pressure 120/80\nAssessment and plan: continue. Next visit in 4 weeks.",
    "fax_correspondence": "FAX COVER SHEET\nTo: Site 014  From: Sponsor\nNumber of pages "
    "(including cover): 3\nCONFIDENTIALITY NOTICE: for the intended recipient only.",
    "invoice_administrative": "INVOICE\nInvoice number: 2026-114\nPer patient fee, visit 3: "
    "€450.00\nVAT 19%\nAmount due: €535.50\nPayment within 30 days.",
}


@pytest.mark.parametrize("expected", sorted(EXAMPLES))
def test_each_default_type_is_recognised(expected):
    found = classify_text(EXAMPLES[expected])
    assert found["type"] == expected, found
    assert found["needs_review"] is None
    assert found["cues"]


def test_cues_are_taxonomy_phrases_never_document_text():
    found = classify_text(EXAMPLES["lab_result"] + " Patient: Erika Mustermann 4711")
    taxonomy = load_taxonomy()
    known = {p.text for t in taxonomy.types for p in t.phrases} | {
        p.name for t in taxonomy.types for p in t.patterns
    }
    assert set(found["cues"]) <= known
    assert "mustermann" not in str(found).lower()


def test_french_and_spanish_phrases_count():
    assert classify_text("Formulaire de consentement éclairé. Je consens.")["type"] == (
        "consent_form"
    )
    assert classify_text("Informe de alta. Fecha de alta: 3/1. Ingreso: 1/1.")["type"] == (
        "discharge_letter"
    )


def test_a_text_without_cues_is_other_and_needs_review():
    found = classify_text("the weather was fine and we went for a walk")
    assert found["type"] == "other"
    assert "no type scored enough" in found["needs_review"]


def test_classify_features_reads_cached_text():
    found = classify_features({"excerpt": EXAMPLES["invoice_administrative"], "top_terms": []})
    assert found["type"] == "invoice_administrative"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[types.lab\nlabel = 1", "not valid TOML"),
        ("[types.lab]\npatterns = { \"unit\" = ['(mg', 2] }\n", "pattern 'unit' is not a regex"),
        ('[types.lab]\nphrases = { "lab" = -1 }\n', "phrase 'lab' must be a number"),
    ],
)
def test_a_malformed_taxonomy_is_one_line_naming_the_file(tmp_path, body, problem):
    path = tmp_path / "types.toml"
    path.write_text(body)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert str(path) in message and problem in message and "\n" not in message


def test_a_bad_weight_names_the_phrase(tmp_path):
    path = tmp_path / "types.toml"
    path.write_text('[types.lab]\nphrases = { "lab" = "heavy" }\n')
    with pytest.raises(TaxonomyError, match="phrase 'lab' must be a number"):
        load_taxonomy(path)


def test_settings_reject_a_malformed_taxonomy_in_one_line(tmp_path, monkeypatch):
    path = tmp_path / "types.yaml"
    path.write_text("types: [unclosed")
    monkeypatch.setenv("REPORT_PIPELINE_DOCUMENT_TYPES", str(path))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "REPORT_PIPELINE_DOCUMENT_TYPES" in str(caught.value)
    assert "not valid YAML" in str(caught.value) and "\n" not in str(caught.value)


def test_a_replaced_taxonomy_changes_the_version(tmp_path):
    path = tmp_path / "types.toml"
    path.write_text('[types.protocol]\nphrases = { "protocol amendment" = 5 }\n')
    found = classify_text("Protocol amendment 3", load_taxonomy(path))
    assert found["type"] == "protocol"
    assert found["version"] != classify_text("Protocol amendment 3")["version"]


# Real-shaped openings in the taxonomy's other languages (BfArM, radiology, Arztbrief, fax).
OTHER_LANGUAGES = {
    "adverse_event_report": "Bericht über Verdachtsfälle von Nebenwirkungen\nBeginn der "
    "Reaktion: 26.11.2025\nVerdächtiges Arzneimittel: Metformin 500 mg\nAusgang: wiederhergestellt",
    "imaging_report": "Radiologischer Befundbericht\nUntersuchung: MRT Schädel nativ\n"
    "Voraufnahmen: keine\nBefund: unauffällig.\nBeurteilung: Normalbefund.",
    "discharge_letter": "Arztbrief\nSehr geehrter Herr Kollege,\nwir berichten über Ihren "
    "Patienten in unserer stationären Behandlung.\nMedikation bei Entlassung: Ramipril 5 mg\n"
    "Mit freundlichen Grüßen",
    "fax_correspondence": "Fax\nPara: Dra. Ruiz\nDe: Monitor del estudio\nNúmero de páginas: 3"
    "\nAsunto: visita de monitorización",
}


@pytest.mark.parametrize("expected", sorted(OTHER_LANGUAGES))
def test_each_type_is_recognised_in_german_and_spanish(expected):
    assert classify_text(OTHER_LANGUAGES[expected])["type"] == expected


def test_accents_lost_in_ocr_still_match_and_cues_keep_them():
    found = classify_text("Declaration d'evenement indesirable grave\nMedicament suspecte: X")
    assert found["type"] == "adverse_event_report"
    assert "événement indésirable grave" in found["cues"]
