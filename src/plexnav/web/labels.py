"""Words for ids on the pages: plain words for patients, clinical names (from the knowledge
base where it has them) for clinicians.  A test checks every vocabulary id has a label."""

from __future__ import annotations

from functools import lru_cache

from plexnav import vocabulary as V
from plexnav.engine.wording import percent

PLAIN_REGIONS = {
    "lower_abdomen": "lower belly",
    "groin": "groin (where the leg meets the body)",
    "genital": "genitals",
    "anterior_thigh": "front of the thigh",
    "lateral_thigh": "outer thigh",
    "medial_thigh": "inner thigh",
    "posterior_thigh": "back of the thigh",
    "buttock": "buttock",
    "lower_back": "lower back",
    "anterior_knee": "front of the knee",
    "medial_leg": "inner side of the lower leg",
    "lateral_leg": "outer side of the lower leg",
    "posterior_leg": "calf",
    "dorsum_foot": "top of the foot",
    "first_web_space": "skin between the big toe and the second toe",
    "lateral_foot": "outer edge of the foot",
    "sole": "sole of the foot",
    "heel": "heel",
    "great_toe": "big toe",
    "little_toe": "little toe",
    "saddle": "between the legs and around the bottom (the part you sit on)",
    "whole_foot_stocking": "both feet and lower legs, like socks",
}

PLAIN_ACTIVITIES = {
    "stairs": "Climbing stairs",
    "rising_from_chair": "Getting up from a chair",
    "foot_drop_tripping": "The foot drops or catches, so I trip",
    "walking_on_heels": "Walking on my heels",
    "walking_on_toes": "Walking on tiptoe",
    "leg_gives_way": "The leg gives way (the knee buckles)",
}

PLAIN_QUALITIES = {
    "aching": "Aching",
    "sharp": "Sharp or stabbing",
    "shooting": "Shooting down the leg",
    "burning": "Burning",
    "electric": "Like electric shocks",
}

# (1.1) what brings pain on and what eases it, as a person would say it
PLAIN_PROVOKED_BY = {
    "walking": "Walking",
    "standing": "Standing",
    "sitting": "Sitting",
    "lying_flat": "Lying flat on my back",
    "lying_on_affected_side": "Lying on the painful side",
    "coughing_or_straining": "Coughing, sneezing or straining",
    "hip_movement": "Moving or turning the hip",
}
PLAIN_RELIEVED_BY = {
    "standing_still": "Stopping and standing still",
    "sitting_or_bending_forward": "Sitting down or bending forward",
    "lying_down": "Lying down",
    "changing_position": "Changing position",
    "nothing": "Nothing eases it",
}

PLAIN_ONSETS = {
    "sudden": "Suddenly, within minutes or hours",
    "acute": "Over a few days",
    "subacute": "Over a few weeks",
    "chronic": "Slowly, over months or longer",
}

PLAIN_COURSES = {
    "worsening": "Getting worse",
    "stable": "About the same",
    "improving": "Getting better",
    "fluctuating": "Comes and goes",
}

PLAIN_SEXES = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Prefer not to say"}

FACTOR_GROUPS: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "Health conditions",
        {
            "diabetes": "Diabetes",
            "cancer_history": "Cancer, now or in the past",
            "autoimmune_disease": "An autoimmune disease (such as lupus or rheumatoid arthritis)",
            "vasculitis": "Vasculitis (inflamed blood vessels)",
            "immunosuppression": "A weak immune system, or medicine that weakens it",
            "b12_deficiency": "Low vitamin B12",
            "uterine_fibroids_or_pelvic_mass": "Fibroids or another known lump in the pelvis",
            "obesity": "A lot of extra body weight",
            "bleeding_disorder": "A bleeding disorder",
            "anticoagulation": "Taking a blood thinner (such as warfarin or apixaban)",
        },
    ),
    (
        "Recent events",
        {
            "recent_childbirth": "Gave birth recently",
            "pregnancy": "Pregnant now",
            "recent_surgery_pelvic": "An operation on the pelvis or womb",
            "recent_surgery_abdominal": "An operation on the belly",
            "recent_surgery_hip": "A hip operation",
            "recent_surgery_spine": "A back (spine) operation",
            "recent_surgery_leg": "An operation on the knee, leg, ankle or foot (or its veins)",
            "lithotomy_positioning": "A long procedure lying on the back with the legs up in supports",
            "pelvic_fracture": "A broken pelvis",
            "hip_dislocation": "A dislocated hip",
            "major_trauma": "A serious accident or injury",
            "fall": "A fall",
            "lifting_injury": "Hurt while lifting",
            "intramuscular_injection_buttock": "An injection into the buttock",
            "pelvic_radiation": "Radiotherapy to the pelvis",
            "chemotherapy_neurotoxic": "Chemotherapy",
            "recent_infection": "An infection",
            "prolonged_immobility": "A long time lying or sitting still (for example in hospital)",
        },
    ),
    (
        "How you are in general",
        {
            "fever": "Fever or chills",
            "weight_loss": "Losing weight without trying",
            "night_pain": "Pain that wakes me at night",
        },
    ),
    (
        "Habits",
        {
            "smoking": "Smoking",
            "alcohol_excess": "Drinking a lot of alcohol",
            "tight_belt_or_waistband": "A tight belt or waistband",
            "prolonged_kneeling_or_squatting": "Long spells of kneeling or squatting",
            "habitual_leg_crossing": "Often crossing my legs",
            "iv_drug_use": "Injecting drugs",
        },
    ),
)
PLAIN_FACTORS = {k: v for _, group in FACTOR_GROUPS for k, v in group.items()}

TRIAGE_HEADLINES = {
    "emergency": "Emergency: go to an emergency department now",
    "urgent": "Urgent: see a doctor today or within two days",
    "soon": "See a doctor within one to two weeks",
    "routine": "Book a routine visit",
}

# the banner for clinicians: the level, then each fired rule's `why` (present.clinician_triage)
CLINICIAN_TRIAGE_HEADLINES = {
    "emergency": "Emergency: red flag for same-day emergency assessment",
    "urgent": "Urgent: red flag, assess within 48 hours",
    "soon": "Soon: assess within one to two weeks",
    "routine": "Routine: no red flag in the findings entered",
}
CLINICIAN_NO_FLAG = "No triage rule fired on the findings entered."

# signs graded positive/negative per side (those with a region too are entered by region)
SIGN_RESULT_SIGNS = tuple(s for s in V.SIGNS_WITH_RESULT if s not in V.SIGNS_WITH_REGION)
# (1.1) signs that point to a mimic of a nerve lesion: shown in their own group of the exam grid
MIMIC_SIGNS = (
    "hip_rotation_pain",
    "greater_trochanter_tenderness",
    "sacroiliac_provocation",
    "reduced_foot_pulses",
    "hoover_sign",
    "calf_squeeze_test",
    "palpable_tendon_gap",
)
NERVE_RESULT_SIGNS = tuple(s for s in SIGN_RESULT_SIGNS if s not in MIMIC_SIGNS)
# signs entered by region: present/absent (wasting, fasciculations) or positive/negative (compartment)
REGION_PRESENCE_SIGNS = tuple(s for s in V.SIGNS_WITH_REGION if s not in V.SIGNS_WITH_RESULT)
REGION_RESULT_SIGNS = tuple(s for s in V.SIGNS_WITH_REGION if s in V.SIGNS_WITH_RESULT)
SIDED_PRESENCE_SIGNS = (
    "trendelenburg",
    "steppage_gait",
    "antalgic_gait",
    "hip_held_flexed",
    "spasticity",
    "sustained_clonus",
)
MIDLINE_PRESENCE_SIGNS = ("sphincter_tone_reduced",)
LATERAL_REFLEXES = tuple(r for r in V.REFLEXES if r not in V.MIDLINE_REFLEXES and r != "plantar")

MUSCLE_REGION_WORDS = {
    "buttock": "buttock",
    "anterior_thigh": "front of thigh",
    "medial_thigh": "inner thigh",
    "posterior_thigh": "back of thigh",
    "anterior_leg": "front of lower leg (shin)",
    "calf": "calf",
    "foot": "foot",
}


def sign_regions(sign_id: str) -> tuple[str, ...]:
    """The regions a sign may be recorded in (a compartment sign only in a muscle compartment)."""
    return V.COMPARTMENT_REGIONS if sign_id == "tender_tense_compartment" else V.MUSCLE_REGIONS


# (1.1) a strength grade limited by pain or poor effort, as the exam grid offers it
LIMITED_BY_WORDS = {"pain": "limited by pain", "effort": "poor effort (gives way)"}
LIMITED_BY_SHORT = {"pain": "pain", "effort": "effort"}

LAB_LABELS = {
    "hba1c": "HbA1c (%)",
    "fasting_glucose": "Fasting glucose (mg/dL)",
    "esr": "ESR (mm/h)",
    "crp": "CRP (mg/L)",
    "ck": "CK (U/L)",
    "ankle_brachial_index": "Ankle-brachial index (ratio)",
    "creatinine": "Creatinine (mg/dL)",
}
IMAGING_TEST_WORDS = {
    "mri_lumbar_spine": "MRI lumbar spine",
    "mri_whole_spine": "MRI whole spine",
    "mri_pelvis": "MRI pelvis",
    "ct_pelvis": "CT pelvis",
    "ct_abdomen_pelvis": "CT abdomen and pelvis",
    "pet_ct": "PET-CT",
    "mri_knee": "MRI knee",
    "ultrasound_nerve": "Nerve ultrasound",
    "hip_imaging": "Hip X-ray or MRI",
}
IMAGING_FINDING_WORDS = {
    "normal": "normal",
    "disc_herniation": "disc herniation",
    "foraminal_stenosis": "foraminal stenosis",
    "canal_stenosis": "canal stenosis",
    "mass": "mass",
    "plexus_enhancement_or_thickening": "plexus enhancement/thickening",
    "hematoma": "haematoma",
    "fracture": "fracture",
    "abscess": "abscess",
    "hip_osteoarthritis": "hip osteoarthritis",
    "muscle_edema_or_necrosis": "muscle oedema or necrosis",
    "cord_or_cauda_compression": "cord or cauda equina compression",
    "bone_metastasis": "bone metastasis",
}
POSITION_WORDS = {
    "central": "central",
    "paracentral": "paracentral",
    "foraminal": "foraminal",
    "extraforaminal": "extraforaminal (far lateral)",
}

# (1.1) how soon a test is wanted: precise for clinicians, plain for patients
WHEN_WORDS = {
    "immediately": "immediately (emergency department)",
    "within_24h": "within 24 h",
    "within_2_weeks": "within 2 weeks",
    "routine": "routine",
}
PLAIN_WHEN = {
    "immediately": "Now, at an emergency department",
    "within_24h": "Within a day",
    "within_2_weeks": "Within two weeks",
    "routine": "At a routine appointment",
}
# plain names of work-up tests the knowledge base does not word yet
PLAIN_TESTS = {
    "mri_whole_spine": "an MRI scan of the whole spine",
    "mri_knee": "an MRI scan of the knee",
    "hip_imaging": "an X-ray or MRI scan of the hip",
    "ankle_brachial_index": "a blood-pressure check at the ankles (ankle-brachial index)",
    "ck": "a blood test for muscle damage (CK)",
    "renal_function": "a blood test of kidney function",
    "vascular_surgery_review": "a check by a blood-vessel (vascular) surgeon",
    "vitamin_b12": "a vitamin B12 blood test",
    "serum_protein_electrophoresis": "a blood test for an abnormal antibody protein (protein electrophoresis)",
    "csf_analysis": "a sample of the spinal fluid from the low back (lumbar puncture)",
}

NCS_RESULT_WORDS = {
    "normal": "normal",
    "reduced": "reduced amplitude",
    "absent": "absent",
    "slowed": "slowed",
    "conduction_block_fibular_head": "conduction block at fibular head",
    "conduction_block_other": "conduction block (other site)",
}
EMG_RESULT_WORDS = {
    "normal": "normal",
    "active_denervation": "active denervation (fibs/PSWs)",
    "chronic_neurogenic": "chronic neurogenic",
    "both": "active + chronic",
    "myopathic": "myopathic",
    "myokymic_discharges": "myokymic discharges",
    "reduced_recruitment_only": "reduced recruitment only",
}


@lru_cache(maxsize=1)
def _kb():
    from plexnav.knowledge.base import load_knowledge

    return load_knowledge()


def _name(table: str, item: str) -> str:
    records = getattr(_kb(), table)
    record = records.get(item)
    return record.name if record is not None and getattr(record, "name", None) else item.replace("_", " ")


def region(item: str) -> str:
    return _name("skin", item)


def movement(item: str) -> str:
    return _name("movements", item)


def reflex(item: str) -> str:
    return _name("reflexes", item)


def study(item: str) -> str:
    return _name("studies", item)


def muscle(item: str) -> str:
    return _name("muscles", item)


def sign(item: str) -> str:
    return _name("signs", item)


def upper_first(text: object) -> str:
    """The first letter upper case and the rest as written: Jinja's and str's capitalize
    lower every later letter, which turned 'Achilles' and 'Simmonds-Thompson' into
    'achilles' and 'simmonds-thompson'."""
    words = str(text)
    return words[:1].upper() + words[1:]


def humanize(item: str) -> str:
    return item.replace("_", " ").replace(":", ": ")


def site(site_id: str, side: str | None = None, levels=None, detail: str | None = None) -> str:
    from plexnav.engine.wording import site_label

    text = site_label(site_id, side, levels, detail)
    return text[:1].upper() + text[1:]


def plain_site(site_id: str) -> str:
    from plexnav.knowledge.guidance import load_guidance_knowledge

    return load_guidance_knowledge().words["sites"].get(site_id, humanize(site_id))


def cause(cause_id: str) -> str:
    from plexnav.knowledge.guidance import load_guidance_knowledge

    text = load_guidance_knowledge().words["causes"].get(cause_id, humanize(cause_id))
    return text[:1].upper() + text[1:]


def test_name(test_id: str) -> str:
    from plexnav.knowledge.guidance import load_guidance_knowledge

    text = load_guidance_knowledge().words["tests"].get(test_id) or PLAIN_TESTS.get(test_id) or humanize(test_id)
    return text[:1].upper() + text[1:]


def structure(site_id: str) -> str:
    """The structure a site id names, without 'lesion' ('nerve:tibial' -> 'tibial nerve')."""
    from plexnav.engine.wording import site_label

    text = site_label(site_id, None)
    return text[: -len(" lesion")] if text.endswith(" lesion") else text


def background_line(entry) -> str:
    """For clinicians: 'Also present: a length-dependent polyneuropathy (78%)'."""
    from plexnav.engine.wording import background_label, background_phrase

    if entry.site == "no_neurological_lesion":
        return f"Also: {background_label(entry)} ({percent(entry.probability)})"
    return f"Also present: {background_phrase(entry)} ({percent(entry.probability)})"


def plain_background(entry) -> str:
    """For patients: 'The findings also point to a second, background problem: the long nerves to both feet
    (nerve damage that starts in the feet). This is likely.'"""
    likely = "likely" if entry.probability >= 0.6 else "possible"
    place = _plain_background_place(entry) or plain_site(entry.site)
    return f"The findings also point to a second, background problem in {place}. This is {likely}."


def _plain_background_place(entry) -> str | None:
    """A background whose site says too little (entry.detail) in plain words
    (plain_words.yaml background_places), None for the others."""
    if not getattr(entry, "detail", None):
        return None
    from plexnav.knowledge.guidance import load_guidance_knowledge

    return load_guidance_knowledge().words.get("background_places", {}).get(entry.site)


@lru_cache(maxsize=1)
def site_choices() -> list[tuple[str, str]]:
    """(site id, structure) for the imaging 'structure involved' list: roots, cauda, cord, plexus, nerves."""
    return [(s, structure(s)) for s in V.SITES]


def choices(ids, words: dict[str, str]) -> list[tuple[str, str]]:
    """(id, words) for a select, in vocabulary order; an id without words shows its id in words."""
    return [(i, words.get(i) or humanize(i)) for i in ids]
