"""The project-owned code systems and extensions of plexnav's FHIR and CDS Hooks exports.

Every id of the exchange format (``plexnav.vocabulary``) becomes a code in a plexnav
CodeSystem under ``https://plexnav.example/fhir/CodeSystem/``: the code is the id itself, the
display is the clinical name.  Standard codes (LOINC for laboratory tests, SNOMED CT for some
history findings) are written before the plexnav code only where the shipped ConceptMap
(``data/conceptmap-standard.json``, with sources) says they are equivalent
(:func:`plexnav.interop.concept_maps.standard_codings`); other external systems are UCUM units
(``http://unitsofmeasure.org``) and HL7's observation-category codes.

Names of anatomy (movements, reflexes, skin regions, studies, muscles, signs) come from the
knowledge base; the other vocabularies are named here.  Every CodeSystem is derived from
the ids of :mod:`plexnav.vocabulary` (an id added there is exported at once, never
dropped); an id with no name in these tables is exported under its id in words, and
:func:`unnamed` lists such ids so that a test fails naming each one and the table to fill.
"""

from __future__ import annotations

from functools import lru_cache

from plexnav import vocabulary as V
from plexnav.engine.wording import percent as percent  # re-exported: exports say probabilities as pages do
from plexnav.engine.wording import site_label
from plexnav.knowledge.base import load_knowledge

BASE = "https://plexnav.example/fhir"
CS = f"{BASE}/CodeSystem"
SD = f"{BASE}/StructureDefinition"

FINDING_SYSTEM = f"{CS}/finding"  # the finding ids (history, symptoms, exam, EDX, tests)
SECTION_SYSTEM = f"{CS}/section"  # which part of the case a finding belongs to
ATTRIBUTE_SYSTEM = f"{CS}/attribute"  # Observation.component codes (severity, quality...)
DOCUMENT_SYSTEM = f"{CS}/document"  # Composition.type and section codes
TOPIC_SYSTEM = f"{CS}/topic"  # CDS card topics
CASE_ID_SYSTEM = f"{BASE}/NamingSystem/case-id"

EXT_AGE = f"{SD}/age"  # Patient: age in years at the time of the case
EXT_LATERALITY = f"{SD}/laterality"  # on Observation.bodySite / ClinicalImpression.finding
EXT_PROBABILITY = f"{SD}/probability"  # ClinicalImpression.finding: posterior probability
EXT_RANK = f"{SD}/rank"  # ClinicalImpression.finding: 1 = best
EXT_ROOT_LEVEL = f"{SD}/root-level"  # ClinicalImpression.finding: polyradiculopathy levels
EXT_KNOWLEDGE_VERSION = f"{SD}/knowledge-version"
EXT_EMPTY_STRING = f"{SD}/empty-string"  # an Identifier whose plexnav value is "" (FHIR strings cannot be empty)
# an Identifier whose plexnav value has a character a FHIR string cannot carry (a form feed
# or another control character): the value's UTF-8 bytes, base64
EXT_ENCODED_STRING = f"{SD}/encoded-string"
EXT_WORKUP_WHEN = f"{SD}/workup-when"  # ServiceRequest: how soon (revision 1.1), a workup-when code
EXT_BACKGROUND = f"{SD}/background"  # ClinicalImpression.finding: a background process beside the focal site
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

DISCLAIMER = "plexnav supports clinical judgement; it never replaces it."

# --------------------------------------------------------------------------- names

SIDE_WORDS = {"left": "left", "right": "right", "bilateral": "both sides"}
LIMB_WORDS = {"left": "left lower limb", "right": "right lower limb", "bilateral": "both lower limbs"}

FACTORS = {
    "diabetes": "diabetes mellitus",
    "cancer_history": "history of cancer",
    "pelvic_radiation": "previous pelvic radiotherapy",
    "anticoagulation": "anticoagulant treatment",
    "bleeding_disorder": "bleeding disorder",
    "pregnancy": "pregnancy",
    "recent_childbirth": "recent childbirth",
    "recent_surgery_pelvic": "recent pelvic surgery",
    "recent_surgery_abdominal": "recent abdominal surgery",
    "recent_surgery_hip": "recent hip surgery",
    "recent_surgery_spine": "recent spinal surgery",
    "recent_surgery_leg": "recent surgery on the knee, leg, ankle or foot",
    "lithotomy_positioning": "lithotomy positioning (surgery or delivery)",
    "pelvic_fracture": "pelvic fracture",
    "hip_dislocation": "hip dislocation",
    "major_trauma": "major trauma",
    "fall": "fall",
    "autoimmune_disease": "autoimmune disease",
    "vasculitis": "vasculitis",
    "immunosuppression": "immunosuppression",
    "iv_drug_use": "intravenous drug use",
    "recent_infection": "recent infection",
    "fever": "fever",
    "weight_loss": "weight loss",
    "night_pain": "pain at night",
    "smoking": "smoking",
    "alcohol_excess": "excess alcohol use",
    "obesity": "obesity",
    "tight_belt_or_waistband": "tight belt or waistband",
    "prolonged_kneeling_or_squatting": "prolonged kneeling or squatting",
    "habitual_leg_crossing": "habitual leg crossing",
    "prolonged_immobility": "prolonged immobility",
    "lifting_injury": "lifting injury",
    "uterine_fibroids_or_pelvic_mass": "uterine fibroids or pelvic mass",
    "intramuscular_injection_buttock": "intramuscular injection into the buttock",
    "chemotherapy_neurotoxic": "neurotoxic chemotherapy",
    "b12_deficiency": "vitamin B12 deficiency",
}
SYMPTOMS = {
    "pain": "pain",
    "numbness": "numbness",
    "tingling": "tingling (paraesthesia)",
    "weakness": "weakness",
    "cramps": "muscle cramps",
    "bladder_dysfunction": "bladder dysfunction",
    "bowel_dysfunction": "bowel dysfunction",
    "sexual_dysfunction": "sexual dysfunction",
    "gait_difficulty": "difficulty walking",
    "falls": "falls",
}
PAIN_QUALITIES = {
    "aching": "aching",
    "sharp": "sharp",
    "shooting": "shooting",
    "burning": "burning",
    "electric": "electric-shock-like",
}
ACTIVITIES = {
    "stairs": "difficulty climbing stairs",
    "rising_from_chair": "difficulty rising from a chair",
    "foot_drop_tripping": "tripping from foot drop",
    "walking_on_heels": "difficulty walking on the heels",
    "walking_on_toes": "difficulty walking on the toes",
    "leg_gives_way": "leg giving way",
}
ONSETS = {
    "sudden": "sudden (minutes to hours)",
    "acute": "acute (days)",
    "subacute": "subacute (weeks)",
    "chronic": "chronic (months or more)",
}
COURSES = {"worsening": "worsening", "stable": "stable", "improving": "improving", "fluctuating": "fluctuating"}
REFLEX_GRADES = {
    "absent": "absent",
    "reduced": "reduced",
    "normal": "normal",
    "brisk": "brisk",
    "extensor": "extensor (Babinski sign)",
    "flexor": "flexor",
}
SENSORY_FINDINGS = {
    "absent": "absent",
    "reduced": "reduced",
    "normal": "normal",
    "increased": "increased (allodynia or hyperalgesia)",
}
SIGN_RESULTS = {"positive": "positive", "negative": "negative"}
MUSCLE_REGIONS = {
    "buttock": "buttock",
    "anterior_thigh": "front of the thigh",
    "medial_thigh": "inner thigh",
    "posterior_thigh": "back of the thigh",
    "anterior_leg": "front of the lower leg",
    "calf": "calf",
    "foot": "foot",
}
NCS_RESULTS = {
    "normal": "normal",
    "reduced": "reduced amplitude",
    "absent": "absent response",
    "slowed": "slowed conduction (velocity or latency)",
    "conduction_block_fibular_head": "conduction block across the fibular head",
    "conduction_block_other": "conduction block at another site",
}
EMG_RESULTS = {
    "normal": "normal",
    "active_denervation": "active denervation (fibrillations, positive sharp waves)",
    "chronic_neurogenic": "chronic neurogenic changes (large, long motor units; reduced recruitment)",
    "both": "active denervation and chronic neurogenic changes",
    "myopathic": "myopathic motor units",
    "myokymic_discharges": "myokymic discharges",
    "reduced_recruitment_only": "reduced recruitment only",
}
# laboratory tests: name, UCUM unit code, unit as printed
LAB_TESTS = {
    "hba1c": ("HbA1c", "%", "%"),
    "fasting_glucose": ("fasting plasma glucose", "mg/dL", "mg/dL"),
    "esr": ("erythrocyte sedimentation rate", "mm/h", "mm/h"),
    "crp": ("C-reactive protein", "mg/L", "mg/L"),
    "ck": ("creatine kinase", "U/L", "U/L"),
    "ankle_brachial_index": ("ankle-brachial pressure index", "1", "ratio"),
    "creatinine": ("serum creatinine", "mg/dL", "mg/dL"),
}
IMAGING_TESTS = {
    "mri_lumbar_spine": "MRI of the lumbar spine",
    "mri_pelvis": "MRI of the pelvis",
    "ct_pelvis": "CT of the pelvis",
    "ct_abdomen_pelvis": "CT of the abdomen and pelvis",
    "pet_ct": "PET-CT",
    "mri_knee": "MRI of the knee",
    "ultrasound_nerve": "nerve ultrasound",
    "mri_whole_spine": "MRI of the whole spine",
    "hip_imaging": "imaging of the hip (X-ray or MRI)",
}
IMAGING_FINDINGS = {
    "normal": "normal",
    "disc_herniation": "disc herniation",
    "foraminal_stenosis": "foraminal stenosis",
    "canal_stenosis": "spinal canal stenosis",
    "mass": "mass",
    "plexus_enhancement_or_thickening": "plexus enhancement or thickening",
    "hematoma": "haematoma",
    "fracture": "fracture",
    "abscess": "abscess",
    "hip_osteoarthritis": "osteoarthritis of the hip",
    "muscle_edema_or_necrosis": "muscle oedema or necrosis",
    "cord_or_cauda_compression": "compression of the spinal cord or cauda equina",
    "bone_metastasis": "bone metastasis",
}
IMAGING_POSITIONS = {
    "central": "central",
    "paracentral": "paracentral",
    "foraminal": "foraminal",
    "extraforaminal": "extraforaminal (far lateral)",
}
PROVOKED_BY = {
    "walking": "walking",
    "standing": "standing",
    "sitting": "sitting",
    "lying_flat": "lying flat",
    "lying_on_affected_side": "lying on the affected side",
    "coughing_or_straining": "coughing or straining",
    "hip_movement": "moving the hip",
}
RELIEVED_BY = {
    "standing_still": "standing still",
    "sitting_or_bending_forward": "sitting or bending forward",
    "lying_down": "lying down",
    "changing_position": "changing position",
    "nothing": "nothing",
}
LIMITED_BY = {"pain": "limited by pain", "effort": "limited by effort (gives way)"}
WORKUP_TESTS = {
    "mri_pelvis_plexus": "MRI of the pelvis and lumbosacral plexus",
    "mri_lumbar_spine": "MRI of the lumbar spine",
    "ct_pelvis": "CT of the pelvis",
    "ct_abdomen_pelvis": "CT of the abdomen and pelvis",
    "pet_ct": "PET-CT",
    "emg_ncs": "needle EMG and nerve conduction studies",
    "hba1c": "HbA1c",
    "fasting_glucose": "fasting plasma glucose",
    "esr": "erythrocyte sedimentation rate",
    "crp": "C-reactive protein",
    "autoimmune_panel": "autoimmune antibody panel",
    "tumor_markers": "tumour markers",
    "ultrasound_nerve": "nerve ultrasound",
    "coagulation_profile": "coagulation profile",
    "blood_cultures": "blood cultures",
    "post_void_residual": "post-void residual bladder volume",
    "mri_whole_spine": "MRI of the whole spine",
    "mri_knee": "MRI of the knee",
    "hip_imaging": "hip imaging (X-ray or MRI)",
    "ankle_brachial_index": "ankle-brachial pressure index",
    "ck": "creatine kinase",
    "renal_function": "renal function (creatinine and electrolytes)",
    "vascular_surgery_review": "vascular surgery review",
    "vitamin_b12": "serum vitamin B12 (with methylmalonic acid when borderline)",
    "serum_protein_electrophoresis": "serum protein electrophoresis with immunofixation",
    "ct_spine": "CT of the thoracolumbar spine",
    "tendon_imaging": "ultrasound or MRI of the tendon",
    "skin_biopsy": "skin biopsy for intraepidermal nerve fibre density",
    "glucose_tolerance_test": "two-hour oral glucose tolerance test",
    "csf_analysis": "lumbar puncture: CSF cell count, protein, glucose, culture and cytology",
}
WORKUP_PRIORITIES = {"emergency": "emergency", "high": "high", "medium": "medium", "low": "low"}
# FHIR request priority (routine | urgent | asap | stat) for each plexnav work-up priority
FHIR_PRIORITY = {"emergency": "stat", "high": "urgent", "medium": "routine", "low": "routine"}
WORKUP_WHEN = {
    "immediately": "immediately, in an emergency department",
    "within_24h": "within 24 hours",
    "within_2_weeks": "within 2 weeks",
    "routine": "routine",
}
# FHIR request priority implied by how soon a test is wanted (the more urgent of this and FHIR_PRIORITY wins)
WHEN_FHIR_PRIORITY = {"immediately": "stat", "within_24h": "urgent", "within_2_weeks": "routine", "routine": "routine"}
CAUSES = {
    "trauma": "trauma",
    "neoplastic": "neoplastic infiltration or compression",
    "diabetic_radiculoplexus_neuropathy": "diabetic lumbosacral radiculoplexus neuropathy",
    "nondiabetic_radiculoplexus_neuropathy": "non-diabetic lumbosacral radiculoplexus neuropathy",
    "vasculitis": "vasculitic neuropathy",
    "iatrogenic_surgical": "iatrogenic (surgical) nerve injury",
    "obstetric": "obstetric nerve injury (pregnancy or delivery)",
    "retroperitoneal_hematoma": "retroperitoneal haematoma",
    "radiation_plexopathy": "radiation plexopathy",
    "infection_abscess": "infection or abscess",
    "degenerative_spine": "degenerative spine disease",
    "compressive_entrapment": "compression or entrapment",
    "pelvic_mass_compression": "compression by a pelvic mass",
    "injection_injury": "injection injury",
    "diabetic_or_metabolic_polyneuropathy": "diabetic or metabolic polyneuropathy",
    "toxic_or_nutritional": "toxic or nutritional neuropathy",
    "musculoskeletal_or_non_neurological": "musculoskeletal or other non-neurological cause",
    "ischemic_vascular": "ischaemic (vascular) nerve injury",
    "idiopathic_or_unknown": "idiopathic or unknown cause",
    "compartment_syndrome_or_crush": "compartment syndrome or crush injury (with rhabdomyolysis)",
}
TRIAGE_LEVELS = {"emergency": "emergency", "urgent": "urgent", "soon": "soon", "routine": "routine"}
TRIAGE_ADVICE = {
    "emergency": "go to an emergency department now",
    "urgent": "same day to 48 hours",
    "soon": "within 1-2 weeks",
    "routine": "routine care",
}
SEXES = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}

SECTIONS = {
    "history": "history",
    "symptom": "symptoms",
    "strength": "strength (MRC)",
    "reflex": "reflexes",
    "sensation": "sensation",
    "sign": "examination signs",
    "ncs": "nerve conduction studies",
    "needle_emg": "needle EMG",
    "investigation": "investigations",
}
# HL7 observation-category for each section, where one clearly applies
STANDARD_CATEGORY = {
    "strength": "exam",
    "reflex": "exam",
    "sensation": "exam",
    "sign": "exam",
    "ncs": "procedure",
    "needle_emg": "procedure",
}
ATTRIBUTES = {
    "severity": "severity (0-10 rating)",
    "quality": "pain quality",
    "activity": "activity affected",
    "onset_sudden_severe": "sudden, severe onset",
    "level": "spinal level",
    "provoked_by": "brought on by",
    "relieved_by": "eased by",
    "limited_by": "grade limited by",
    "site": "structure involved",
    "position": "position in the spinal canal",
}


def _structure(site: str) -> str:
    words = site_label(site, None)
    return words[: -len(" lesion")] if words.endswith(" lesion") else words


def _tables() -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """Each vocabulary: (its ids, from plexnav.vocabulary; the names this module or the KB gives)."""
    kb = load_knowledge()
    kb_names = lambda records, ids: (ids, {i: records[i].name for i in ids if i in records})  # noqa: E731
    return {
        "laterality": (V.SIDES, SIDE_WORDS),
        "sex": (V.SEXES, SEXES),
        "onset": (V.ONSETS, ONSETS),
        "course": (V.COURSES, COURSES),
        "history-factor": (V.HISTORY_FACTORS, FACTORS),
        "symptom": (V.SYMPTOM_KINDS, SYMPTOMS),
        "pain-quality": (V.PAIN_QUALITIES, PAIN_QUALITIES),
        "weakness-activity": (V.WEAKNESS_ACTIVITIES, ACTIVITIES),
        "provoked-by": (V.PROVOKED_BY, PROVOKED_BY),
        "relieved-by": (V.RELIEVED_BY, RELIEVED_BY),
        "movement": kb_names(kb.movements, V.MOVEMENTS),
        "strength-limitation": (V.LIMITED_BY, LIMITED_BY),
        "reflex": kb_names(kb.reflexes, V.REFLEXES),
        "reflex-grade": (V.REFLEX_GRADES + V.PLANTAR_GRADES, REFLEX_GRADES),
        "skin-region": kb_names(kb.skin, V.SKIN_REGIONS),
        "sensory-finding": (V.SENSORY_FINDINGS, SENSORY_FINDINGS),
        "sign": kb_names(kb.signs, V.SIGNS),
        "sign-result": (V.SIGN_RESULTS, SIGN_RESULTS),
        "muscle-region": (tuple(dict.fromkeys(V.MUSCLE_REGIONS + V.COMPARTMENT_REGIONS)), MUSCLE_REGIONS),
        "nerve-conduction-study": kb_names(kb.studies, V.NCS_STUDIES),
        "nerve-conduction-result": (V.NCS_RESULTS, NCS_RESULTS),
        "muscle": kb_names(kb.muscles, V.EMG_MUSCLES),
        "needle-emg-result": (V.EMG_RESULTS, EMG_RESULTS),
        "investigation": (V.LAB_TESTS + V.IMAGING_TESTS, {**{k: v[0] for k, v in LAB_TESTS.items()}, **IMAGING_TESTS}),
        "imaging-finding": (V.IMAGING_FINDINGS, IMAGING_FINDINGS),
        "imaging-position": (V.IMAGING_POSITIONS, IMAGING_POSITIONS),
        "site": (V.SITES, {s: site_label(s, None) for s in V.SITES}),
        "structure": (V.SITES, {s: _structure(s) for s in V.SITES}),
        "cause": (V.CAUSES, CAUSES),
        "workup-test": (V.WORKUP_TESTS, WORKUP_TESTS),
        "workup-priority": (V.WORKUP_PRIORITIES, WORKUP_PRIORITIES),
        "workup-when": (V.WORKUP_WHEN, WORKUP_WHEN),
        "triage-level": (V.TRIAGE_LEVELS, TRIAGE_LEVELS),
    }


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, dict[str, str]]:
    """Every plexnav vocabulary: name -> {id: clinical name}.  The CodeSystem is ``CS/name``.

    Derived from the ids of :mod:`plexnav.vocabulary`, so every id of the format has a code;
    an id no table names is shown as its id in words (and listed by :func:`unnamed`)."""
    return {name: {i: table.get(i) or i.replace("_", " ") for i in ids} for name, (ids, table) in _tables().items()}


def unnamed() -> dict[str, list[str]]:
    """Ids of the format with no clinical name here or in the knowledge base: {vocabulary: [ids]}.
    A test asserts it is empty, so a new id in plexnav.vocabulary fails naming itself."""
    out = {name: [i for i in ids if not table.get(i)] for name, (ids, table) in _tables().items()}
    return {name: ids for name, ids in out.items() if ids}


def lab_unit(test: str) -> tuple[str, str]:
    """(UCUM code, unit as printed) of a laboratory test; a test not in LAB_TESTS has no unit ('1')."""
    _, ucum, unit = LAB_TESTS.get(test, (test, "1", ""))
    return ucum, unit


def system(vocabulary: str) -> str:
    return f"{CS}/{vocabulary}"


def name(vocabulary: str, code: str) -> str:
    return vocabularies()[vocabulary][code]


def coding(vocabulary: str, code: str) -> dict:
    """A FHIR Coding (as JSON) for a plexnav id."""
    return {"system": system(vocabulary), "code": code, "display": name(vocabulary, code)}


def concept(vocabulary: str, code: str, text: str | None = None) -> dict:
    """A FHIR CodeableConcept (as JSON) for a plexnav id, with clinical text."""
    return {"coding": [coding(vocabulary, code)], "text": text or name(vocabulary, code)}


def code_in_finding(codeable: dict | None) -> str | None:
    """The plexnav finding code of a CodeableConcept (JSON), wherever it stands among the codings."""
    return next((c.get("code") for c in (codeable or {}).get("coding", ()) if c.get("system") == FINDING_SYSTEM), None)


def code_in(codeable: dict | None, vocabulary: str) -> str | None:
    """The plexnav code of ``vocabulary`` in a CodeableConcept (JSON), or None."""
    for c in (codeable or {}).get("coding", ()):
        if c.get("system") == system(vocabulary):
            return c.get("code")
    return None


# --------------------------------------------------------------------------- finding codes


def finding_display(code: str) -> str:
    """Clinical words for a finding code ('strength:knee_extension' -> 'knee extension strength (MRC grade)')."""
    section, _, rest = code.partition(":")
    voc = vocabularies()
    if section == "history":
        if rest.startswith("factor:"):
            return voc["history-factor"][rest.split(":", 1)[1]]
        return {"onset": "onset of symptoms", "course": "course of symptoms", "duration": "duration of symptoms"}[rest]
    if section == "symptom":
        return f"symptom: {voc['symptom'][rest]}"
    if section == "strength":
        return f"{voc['movement'][rest]} strength (MRC grade)"
    if section == "reflex":
        return voc["reflex"][rest]
    if section == "sensation":
        return f"sensation over the {voc['skin-region'][rest]}"
    if section == "sign":
        return voc["sign"][rest]
    if section == "ncs":
        return voc["nerve-conduction-study"][rest]
    if section == "needle_emg":
        return f"needle EMG of {voc['muscle'][rest]}"
    if section == "investigation":
        return voc["investigation"][rest]
    raise KeyError(code)


def finding_codes() -> list[str]:
    """Every code of the plexnav finding CodeSystem."""
    return [
        "history:onset",
        "history:course",
        "history:duration",
        *(f"history:factor:{f}" for f in V.HISTORY_FACTORS),
        *(f"symptom:{k}" for k in V.SYMPTOM_KINDS),
        *(f"strength:{m}" for m in V.MOVEMENTS),
        *(f"reflex:{r}" for r in V.REFLEXES),
        *(f"sensation:{r}" for r in V.SKIN_REGIONS),
        *(f"sign:{s}" for s in V.SIGNS),
        *(f"ncs:{s}" for s in V.NCS_STUDIES),
        *(f"needle_emg:{m}" for m in V.EMG_MUSCLES),
        *(f"investigation:{t}" for t in (*V.LAB_TESTS, *V.IMAGING_TESTS)),
    ]
