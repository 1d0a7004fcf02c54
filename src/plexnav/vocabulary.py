"""The id vocabularies of the plexnav exchange format (``shared/case-format.md``, version 1).

These vocabularies are the *contract*: they name what a case may say and what an assessment
may answer.  Each is a ``Literal`` type (``Side``), which the pydantic models and mypy read,
and the tuple of its ids (``SIDES``), for code that lists or checks them.  They hold no
medical facts: what each id means (nerves, roots, muscles…) lives in the knowledge base, and
a consistency test checks that every id here resolves there.  Ids may be added, never
renamed or dropped.
"""

from __future__ import annotations

from typing import Literal, get_args

CaseFormat = Literal["plexnav-case/1"]
CASE_FORMAT: CaseFormat = "plexnav-case/1"
AssessmentFormat = Literal["plexnav-assessment/1"]
ASSESSMENT_FORMAT: AssessmentFormat = "plexnav-assessment/1"

Side = Literal["left", "right", "bilateral"]
SIDES: tuple[Side, ...] = get_args(Side)
LateralSide = Literal["left", "right"]
LATERAL_SIDES: tuple[LateralSide, ...] = get_args(LateralSide)


def other_side(side: str) -> LateralSide:
    """The other leg of ``side`` ('left' or 'right')."""
    return "right" if side == "left" else "left"


Sex = Literal["female", "male", "other", "unknown"]
SEXES: tuple[Sex, ...] = get_args(Sex)
Onset = Literal["sudden", "acute", "subacute", "chronic"]
ONSETS: tuple[Onset, ...] = get_args(Onset)
Course = Literal["worsening", "stable", "improving", "fluctuating"]
COURSES: tuple[Course, ...] = get_args(Course)

HistoryFactor = Literal[
    "diabetes",
    "cancer_history",
    "pelvic_radiation",
    "anticoagulation",
    "bleeding_disorder",
    "pregnancy",
    "recent_childbirth",
    "recent_surgery_pelvic",
    "recent_surgery_abdominal",
    "recent_surgery_hip",
    "recent_surgery_spine",
    # an addition to the contract's list (additions are allowed): an operation on the knee,
    # leg, ankle or foot, or on its veins or to take a graft, injures the nerves there
    "recent_surgery_leg",
    "lithotomy_positioning",
    "pelvic_fracture",
    "hip_dislocation",
    "major_trauma",
    "fall",
    "autoimmune_disease",
    "vasculitis",
    "immunosuppression",
    "iv_drug_use",
    "recent_infection",
    "fever",
    "weight_loss",
    "night_pain",
    "smoking",
    "alcohol_excess",
    "obesity",
    "tight_belt_or_waistband",
    "prolonged_kneeling_or_squatting",
    "habitual_leg_crossing",
    "prolonged_immobility",
    "lifting_injury",
    "uterine_fibroids_or_pelvic_mass",
    "intramuscular_injection_buttock",
    "chemotherapy_neurotoxic",
    "b12_deficiency",
]
HISTORY_FACTORS: tuple[HistoryFactor, ...] = get_args(HistoryFactor)

SymptomKind = Literal[
    "pain",
    "numbness",
    "tingling",
    "weakness",
    "cramps",
    "bladder_dysfunction",
    "bowel_dysfunction",
    "sexual_dysfunction",
    "gait_difficulty",
    "falls",
]
SYMPTOM_KINDS: tuple[SymptomKind, ...] = get_args(SymptomKind)
PainQuality = Literal["aching", "sharp", "shooting", "burning", "electric"]
PAIN_QUALITIES: tuple[PainQuality, ...] = get_args(PainQuality)
WeaknessActivity = Literal[
    "stairs",
    "rising_from_chair",
    "foot_drop_tripping",
    "walking_on_heels",
    "walking_on_toes",
    "leg_gives_way",
]
WEAKNESS_ACTIVITIES: tuple[WeaknessActivity, ...] = get_args(WeaknessActivity)
# (1.1) what brings a symptom on and what eases it
ProvokedBy = Literal[
    "walking",
    "standing",
    "sitting",
    "lying_flat",
    "lying_on_affected_side",
    "coughing_or_straining",
    "hip_movement",
]
PROVOKED_BY: tuple[ProvokedBy, ...] = get_args(ProvokedBy)
RelievedBy = Literal["standing_still", "sitting_or_bending_forward", "lying_down", "changing_position", "nothing"]
RELIEVED_BY: tuple[RelievedBy, ...] = get_args(RelievedBy)
# (1.1) a strength grade limited by pain or by poor effort (not a deficit of that grade)
LimitedBy = Literal["pain", "effort"]
LIMITED_BY: tuple[LimitedBy, ...] = get_args(LimitedBy)

Movement = Literal[
    "hip_flexion",
    "hip_adduction",
    "hip_abduction",
    "hip_extension",
    "knee_extension",
    "knee_flexion",
    "ankle_dorsiflexion",
    "great_toe_extension",
    "toe_extension",
    "ankle_eversion",
    "ankle_inversion",
    "ankle_plantarflexion",
    "toe_flexion",
]
MOVEMENTS: tuple[Movement, ...] = get_args(Movement)
Reflex = Literal["cremasteric", "adductor", "patellar", "medial_hamstring", "achilles", "anal_wink", "plantar"]
REFLEXES: tuple[Reflex, ...] = get_args(Reflex)
ReflexGrade = Literal["absent", "reduced", "normal", "brisk"]
REFLEX_GRADES: tuple[ReflexGrade, ...] = get_args(ReflexGrade)
PlantarGrade = Literal["extensor", "flexor"]
PLANTAR_GRADES: tuple[PlantarGrade, ...] = get_args(PlantarGrade)
SensoryFinding = Literal["absent", "reduced", "normal", "increased"]
SENSORY_FINDINGS: tuple[SensoryFinding, ...] = get_args(SensoryFinding)

Sign = Literal[
    "atrophy",
    "fasciculations",
    "straight_leg_raise",
    "femoral_stretch",
    "tinel_fibular_head",
    "tinel_inguinal",
    "slump_test",
    "spasticity",
    "sustained_clonus",
    "sphincter_tone_reduced",
    "trendelenburg",
    "antalgic_gait",
    "steppage_gait",
    "hip_held_flexed",
    # 1.1: findings that point to a mimic of a nerve lesion, or to compartment syndrome
    "hip_rotation_pain",
    "greater_trochanter_tenderness",
    "sacroiliac_provocation",
    "reduced_foot_pulses",
    "tender_tense_compartment",
    "hoover_sign",
    # additions to the contract's list (allowed): the bedside tests of a torn tendon
    # (Maffulli 1998; AAOS 2010), the look-alike of a nerve lesion whose weakness is mechanical
    "calf_squeeze_test",
    "palpable_tendon_gap",
]
SIGNS: tuple[Sign, ...] = get_args(Sign)
SignWithRegion = Literal["atrophy", "fasciculations", "tender_tense_compartment"]
SIGNS_WITH_REGION: tuple[SignWithRegion, ...] = get_args(SignWithRegion)
SignWithResult = Literal[
    "straight_leg_raise",
    "femoral_stretch",
    "tinel_fibular_head",
    "tinel_inguinal",
    "slump_test",
    "hip_rotation_pain",
    "greater_trochanter_tenderness",
    "sacroiliac_provocation",
    "reduced_foot_pulses",
    "tender_tense_compartment",
    "hoover_sign",
    "calf_squeeze_test",
    "palpable_tendon_gap",
]
SIGNS_WITH_RESULT: tuple[SignWithResult, ...] = get_args(SignWithResult)
SignResult = Literal["positive", "negative"]
SIGN_RESULTS: tuple[SignResult, ...] = get_args(SignResult)
MuscleRegion = Literal["buttock", "anterior_thigh", "medial_thigh", "posterior_thigh", "anterior_leg", "calf", "foot"]
MUSCLE_REGIONS: tuple[MuscleRegion, ...] = get_args(MuscleRegion)
# (1.1) the regions a tender, tense compartment may be recorded in
CompartmentRegion = Literal["buttock", "anterior_thigh", "posterior_thigh", "anterior_leg", "calf"]
COMPARTMENT_REGIONS: tuple[CompartmentRegion, ...] = get_args(CompartmentRegion)

SkinRegion = Literal[
    "lower_abdomen",
    "groin",
    "genital",
    "anterior_thigh",
    "lateral_thigh",
    "medial_thigh",
    "posterior_thigh",
    "buttock",
    "lower_back",
    "anterior_knee",
    "medial_leg",
    "lateral_leg",
    "posterior_leg",
    "dorsum_foot",
    "first_web_space",
    "lateral_foot",
    "sole",
    "heel",
    "great_toe",
    "little_toe",
    "saddle",
    "whole_foot_stocking",
]
SKIN_REGIONS: tuple[SkinRegion, ...] = get_args(SkinRegion)

NcsStudy = Literal[
    "sural_sensory",
    "superficial_peroneal_sensory",
    "saphenous_sensory",
    "lateral_femoral_cutaneous_sensory",
    "medial_plantar_sensory",
    "peroneal_motor_edb",
    "peroneal_motor_ta",
    "tibial_motor_ah",
    "femoral_motor_quadriceps",
    "h_reflex",
    "peroneal_f_wave",
    "tibial_f_wave",
]
NCS_STUDIES: tuple[NcsStudy, ...] = get_args(NcsStudy)
NcsResult = Literal["normal", "reduced", "absent", "slowed", "conduction_block_fibular_head", "conduction_block_other"]
NCS_RESULTS: tuple[NcsResult, ...] = get_args(NcsResult)

EmgMuscle = Literal[
    "iliopsoas",
    "sartorius",
    "rectus_femoris",
    "vastus_lateralis",
    "vastus_medialis",
    "adductor_longus",
    "gracilis",
    "adductor_magnus",
    "gluteus_medius",
    "tensor_fasciae_latae",
    "gluteus_maximus",
    "biceps_femoris_long_head",
    "biceps_femoris_short_head",
    "semitendinosus",
    "semimembranosus",
    "tibialis_anterior",
    "extensor_hallucis_longus",
    "extensor_digitorum_longus",
    "extensor_digitorum_brevis",
    "peroneus_longus",
    "tibialis_posterior",
    "flexor_digitorum_longus",
    "medial_gastrocnemius",
    "soleus",
    "abductor_hallucis",
    "abductor_digiti_minimi_pedis",
    "external_anal_sphincter",
    "paraspinal_upper_lumbar",
    "paraspinal_lower_lumbar",
    "paraspinal_sacral",
]
EMG_MUSCLES: tuple[EmgMuscle, ...] = get_args(EmgMuscle)
EmgResult = Literal[
    "normal",
    "active_denervation",
    "chronic_neurogenic",
    "both",
    "myopathic",
    "myokymic_discharges",
    "reduced_recruitment_only",
]
EMG_RESULTS: tuple[EmgResult, ...] = get_args(EmgResult)

LabTest = Literal["hba1c", "fasting_glucose", "esr", "crp", "ck", "ankle_brachial_index", "creatinine"]
LAB_TESTS: tuple[LabTest, ...] = get_args(LabTest)
ImagingTest = Literal[
    "mri_lumbar_spine",
    "mri_pelvis",
    "ct_pelvis",
    "ct_abdomen_pelvis",
    "pet_ct",
    "mri_knee",
    "ultrasound_nerve",
    "mri_whole_spine",
    "hip_imaging",
]
IMAGING_TESTS: tuple[ImagingTest, ...] = get_args(ImagingTest)
ImagingFinding = Literal[
    "normal",
    "disc_herniation",
    "foraminal_stenosis",
    "canal_stenosis",
    "mass",
    "plexus_enhancement_or_thickening",
    "hematoma",
    "fracture",
    "abscess",
    "hip_osteoarthritis",
    "muscle_edema_or_necrosis",
    "cord_or_cauda_compression",
    "bone_metastasis",
]
IMAGING_FINDINGS: tuple[ImagingFinding, ...] = get_args(ImagingFinding)
# (1.1) where a spine finding lies in the axial plane
ImagingPosition = Literal["central", "paracentral", "foraminal", "extraforaminal"]
IMAGING_POSITIONS: tuple[ImagingPosition, ...] = get_args(ImagingPosition)
# a vertebral level T1..S5, or a range of two (L4-L5, T11-T12)
SPINE_LEVEL_PATTERN = r"^(T([1-9]|1[0-2])|L[1-5]|S[1-5])(-(T([1-9]|1[0-2])|L[1-5]|S[1-5]))?$"

TriageLevel = Literal["emergency", "urgent", "soon", "routine"]
TRIAGE_LEVELS: tuple[TriageLevel, ...] = get_args(TriageLevel)

RootLevel = Literal["L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4"]
ROOT_LEVELS: tuple[RootLevel, ...] = get_args(RootLevel)
RootSite = Literal["root:L1", "root:L2", "root:L3", "root:L4", "root:L5", "root:S1", "root:S2", "root:S3", "root:S4"]
ROOT_SITES: tuple[RootSite, ...] = get_args(RootSite)
NerveSite = Literal[
    "nerve:iliohypogastric",
    "nerve:ilioinguinal",
    "nerve:genitofemoral",
    "nerve:lateral_femoral_cutaneous",
    "nerve:femoral",
    "nerve:saphenous",
    "nerve:obturator",
    "nerve:superior_gluteal",
    "nerve:inferior_gluteal",
    "nerve:posterior_femoral_cutaneous",
    "nerve:sciatic",
    "nerve:common_peroneal",
    "nerve:deep_peroneal",
    "nerve:superficial_peroneal",
    "nerve:tibial",
    "nerve:sural",
    "nerve:pudendal",
]
NERVE_SITES: tuple[NerveSite, ...] = get_args(NerveSite)
PlexusSite = Literal["plexus:lumbar", "plexus:lumbosacral_trunk", "plexus:sacral", "plexus:lumbosacral"]
PLEXUS_SITES: tuple[PlexusSite, ...] = get_args(PlexusSite)
Site = Literal[
    RootSite,
    "polyradiculopathy",
    "cauda_equina",
    "conus_medullaris",
    "spinal_cord",
    PlexusSite,
    NerveSite,
    "polyneuropathy",
    "no_neurological_lesion",
]
SITES: tuple[Site, ...] = get_args(Site)

Cause = Literal[
    "trauma",
    "neoplastic",
    "diabetic_radiculoplexus_neuropathy",
    "nondiabetic_radiculoplexus_neuropathy",
    "vasculitis",
    "iatrogenic_surgical",
    "obstetric",
    "retroperitoneal_hematoma",
    "radiation_plexopathy",
    "infection_abscess",
    "degenerative_spine",
    "compressive_entrapment",
    "pelvic_mass_compression",
    "injection_injury",
    "diabetic_or_metabolic_polyneuropathy",
    "toxic_or_nutritional",
    "musculoskeletal_or_non_neurological",
    "ischemic_vascular",
    "idiopathic_or_unknown",
    # added (contract allows additions): muscle compartment syndrome or crush injury
    "compartment_syndrome_or_crush",
]
CAUSES: tuple[Cause, ...] = get_args(Cause)

WorkupTest = Literal[
    "mri_pelvis_plexus",
    "mri_lumbar_spine",
    "ct_pelvis",
    "ct_abdomen_pelvis",
    "pet_ct",
    "emg_ncs",
    "hba1c",
    "fasting_glucose",
    "esr",
    "crp",
    "autoimmune_panel",
    "tumor_markers",
    "ultrasound_nerve",
    "coagulation_profile",
    "blood_cultures",
    "post_void_residual",
    # 1.1
    "mri_whole_spine",
    "mri_knee",
    "hip_imaging",
    "ankle_brachial_index",
    "ck",
    "renal_function",
    "vascular_surgery_review",
    # added (contract allows additions): the polyneuropathy screen with the highest yield
    # besides glucose (England 2009, AAN): vitamin B12 and serum protein immunofixation
    "vitamin_b12",
    "serum_protein_electrophoresis",
    # added: CT of the spine at the injured level, the first scan for a broken spine after an
    # injury (NICE NG41); a pelvic CT does not show the spine above the sacrum
    "ct_spine",
    # added: an ultrasound or MRI of a tendon thought torn (AAOS 2010: ultrasound or MRI
    # confirms an Achilles rupture when the examination leaves doubt)
    "tendon_imaging",
    # added: the tests of a small-fibre neuropathy and of the glycaemia routine tests miss:
    # a skin biopsy counting the nerve fibres in the epidermis (Lauria 2010, EFNS/PNS), which
    # routine conduction studies cannot test, and a two-hour oral glucose tolerance test when
    # the fasting glucose or HbA1c is not in the diabetes range (England 2009, AAN)
    "skin_biopsy",
    "glucose_tolerance_test",
    # added: a lumbar puncture for the spinal fluid (cells, protein, glucose, cultures,
    # cytology and flow cytometry): inflamed or infiltrated roots (Ross & Moore 2015; Le Rhun
    # 2017), Guillain-Barre syndrome (Leonhard 2019) and CIDP (EAN/PNS 2021)
    "csf_analysis",
]
WORKUP_TESTS: tuple[WorkupTest, ...] = get_args(WorkupTest)
WorkupPriority = Literal["emergency", "high", "medium", "low"]
WORKUP_PRIORITIES: tuple[WorkupPriority, ...] = get_args(WorkupPriority)
WorkupWhen = Literal["immediately", "within_24h", "within_2_weeks", "routine"]
WORKUP_WHEN: tuple[WorkupWhen, ...] = get_args(WorkupWhen)

# Findings that belong to the midline: they take `bilateral` or no side (case-format §1),
# except the perineal skin regions, which revision 1.1 lets a case record on one side.
MidlineRegion = Literal["saddle", "genital"]
MIDLINE_REGIONS: tuple[MidlineRegion, ...] = get_args(MidlineRegion)
MidlineReflex = Literal["anal_wink",]
MIDLINE_REFLEXES: tuple[MidlineReflex, ...] = get_args(MidlineReflex)
MidlineSign = Literal["sphincter_tone_reduced",]
MIDLINE_SIGNS: tuple[MidlineSign, ...] = get_args(MidlineSign)
MidlineSymptom = Literal["bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction"]
MIDLINE_SYMPTOMS: tuple[MidlineSymptom, ...] = get_args(MidlineSymptom)

# Keys an evaluation case file may carry beside the case itself (case-format §6).
EvaluationKey = Literal["expected", "teaching", "source", "source_kind"]
EVALUATION_KEYS: tuple[EvaluationKey, ...] = get_args(EvaluationKey)
