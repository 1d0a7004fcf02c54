"""The id vocabularies of the plexnav exchange format (``shared/case-format.md``, version 1).

These tuples are the *contract*: they name what a case may say and what an assessment may
answer.  They hold no medical facts: what each id means (nerves, roots, muscles…) lives in
the knowledge base, and a consistency test checks that every id here resolves there.
Ids may be added, never renamed or dropped.
"""

from __future__ import annotations

CASE_FORMAT = "plexnav-case/1"
ASSESSMENT_FORMAT = "plexnav-assessment/1"

SIDES = ("left", "right", "bilateral")
LATERAL_SIDES = ("left", "right")
SEXES = ("female", "male", "other", "unknown")
ONSETS = ("sudden", "acute", "subacute", "chronic")
COURSES = ("worsening", "stable", "improving", "fluctuating")

HISTORY_FACTORS = (
    "diabetes", "cancer_history", "pelvic_radiation", "anticoagulation", "bleeding_disorder",
    "pregnancy", "recent_childbirth", "recent_surgery_pelvic", "recent_surgery_abdominal",
    "recent_surgery_hip", "recent_surgery_spine", "lithotomy_positioning", "pelvic_fracture",
    "hip_dislocation", "major_trauma", "fall", "autoimmune_disease", "vasculitis",
    "immunosuppression", "iv_drug_use", "recent_infection", "fever", "weight_loss",
    "night_pain", "smoking", "alcohol_excess", "obesity", "tight_belt_or_waistband",
    "prolonged_kneeling_or_squatting", "habitual_leg_crossing", "prolonged_immobility",
    "lifting_injury", "uterine_fibroids_or_pelvic_mass", "intramuscular_injection_buttock",
    "chemotherapy_neurotoxic", "b12_deficiency",
)

SYMPTOM_KINDS = (
    "pain", "numbness", "tingling", "weakness", "cramps", "bladder_dysfunction",
    "bowel_dysfunction", "sexual_dysfunction", "gait_difficulty", "falls",
)
PAIN_QUALITIES = ("aching", "sharp", "shooting", "burning", "electric")
WEAKNESS_ACTIVITIES = (
    "stairs", "rising_from_chair", "foot_drop_tripping", "walking_on_heels",
    "walking_on_toes", "leg_gives_way",
)
# (1.1) what brings a symptom on and what eases it
PROVOKED_BY = (
    "walking", "standing", "sitting", "lying_flat", "lying_on_affected_side",
    "coughing_or_straining", "hip_movement",
)
RELIEVED_BY = ("standing_still", "sitting_or_bending_forward", "lying_down", "changing_position", "nothing")
# (1.1) a strength grade limited by pain or by poor effort (not a deficit of that grade)
LIMITED_BY = ("pain", "effort")

MOVEMENTS = (
    "hip_flexion", "hip_adduction", "hip_abduction", "hip_extension", "knee_extension",
    "knee_flexion", "ankle_dorsiflexion", "great_toe_extension", "toe_extension",
    "ankle_eversion", "ankle_inversion", "ankle_plantarflexion", "toe_flexion",
)
REFLEXES = ("cremasteric", "adductor", "patellar", "medial_hamstring", "achilles", "anal_wink", "plantar")
REFLEX_GRADES = ("absent", "reduced", "normal", "brisk")
PLANTAR_GRADES = ("extensor", "flexor")
SENSORY_FINDINGS = ("absent", "reduced", "normal", "increased")

SIGNS = (
    "atrophy", "fasciculations", "straight_leg_raise", "femoral_stretch", "tinel_fibular_head",
    "tinel_inguinal", "slump_test", "spasticity", "sustained_clonus", "sphincter_tone_reduced",
    "trendelenburg", "antalgic_gait", "steppage_gait", "hip_held_flexed",
    # 1.1: findings that point to a mimic of a nerve lesion, or to compartment syndrome
    "hip_rotation_pain", "greater_trochanter_tenderness", "sacroiliac_provocation",
    "reduced_foot_pulses", "tender_tense_compartment", "hoover_sign",
)
SIGNS_WITH_REGION = ("atrophy", "fasciculations", "tender_tense_compartment")
SIGNS_WITH_RESULT = (
    "straight_leg_raise", "femoral_stretch", "tinel_fibular_head", "tinel_inguinal", "slump_test",
    "hip_rotation_pain", "greater_trochanter_tenderness", "sacroiliac_provocation",
    "reduced_foot_pulses", "tender_tense_compartment", "hoover_sign",
)
SIGN_RESULTS = ("positive", "negative")
MUSCLE_REGIONS = ("buttock", "anterior_thigh", "medial_thigh", "posterior_thigh", "anterior_leg", "calf", "foot")
# (1.1) the regions a tender, tense compartment may be recorded in
COMPARTMENT_REGIONS = ("buttock", "anterior_thigh", "posterior_thigh", "anterior_leg", "calf")

SKIN_REGIONS = (
    "lower_abdomen", "groin", "genital", "anterior_thigh", "lateral_thigh", "medial_thigh",
    "posterior_thigh", "buttock", "lower_back", "anterior_knee", "medial_leg", "lateral_leg",
    "posterior_leg", "dorsum_foot", "first_web_space", "lateral_foot", "sole", "heel",
    "great_toe", "little_toe", "saddle", "whole_foot_stocking",
)

NCS_STUDIES = (
    "sural_sensory", "superficial_peroneal_sensory", "saphenous_sensory",
    "lateral_femoral_cutaneous_sensory", "medial_plantar_sensory",
    "peroneal_motor_edb", "peroneal_motor_ta", "tibial_motor_ah", "femoral_motor_quadriceps",
    "h_reflex", "peroneal_f_wave", "tibial_f_wave",
)
NCS_RESULTS = ("normal", "reduced", "absent", "slowed", "conduction_block_fibular_head", "conduction_block_other")

EMG_MUSCLES = (
    "iliopsoas", "sartorius", "rectus_femoris", "vastus_lateralis", "vastus_medialis",
    "adductor_longus", "gracilis", "adductor_magnus", "gluteus_medius", "tensor_fasciae_latae",
    "gluteus_maximus", "biceps_femoris_long_head", "biceps_femoris_short_head",
    "semitendinosus", "semimembranosus", "tibialis_anterior", "extensor_hallucis_longus",
    "extensor_digitorum_longus", "extensor_digitorum_brevis", "peroneus_longus",
    "tibialis_posterior", "flexor_digitorum_longus", "medial_gastrocnemius", "soleus",
    "abductor_hallucis", "abductor_digiti_minimi_pedis", "external_anal_sphincter",
    "paraspinal_upper_lumbar", "paraspinal_lower_lumbar", "paraspinal_sacral",
)
EMG_RESULTS = (
    "normal", "active_denervation", "chronic_neurogenic", "both", "myopathic",
    "myokymic_discharges", "reduced_recruitment_only",
)

LAB_TESTS = ("hba1c", "fasting_glucose", "esr", "crp", "ck", "ankle_brachial_index", "creatinine")
IMAGING_TESTS = (
    "mri_lumbar_spine", "mri_pelvis", "ct_pelvis", "ct_abdomen_pelvis", "pet_ct", "mri_knee",
    "ultrasound_nerve", "mri_whole_spine", "hip_imaging",
)
IMAGING_FINDINGS = (
    "normal", "disc_herniation", "foraminal_stenosis", "canal_stenosis", "mass",
    "plexus_enhancement_or_thickening", "hematoma", "fracture", "abscess",
    "hip_osteoarthritis", "muscle_edema_or_necrosis", "cord_or_cauda_compression", "bone_metastasis",
)
# (1.1) where a spine finding lies in the axial plane
IMAGING_POSITIONS = ("central", "paracentral", "foraminal", "extraforaminal")
# a vertebral level T1..S5, or a range of two (L4-L5, T11-T12)
SPINE_LEVEL_PATTERN = r"^(T([1-9]|1[0-2])|L[1-5]|S[1-5])(-(T([1-9]|1[0-2])|L[1-5]|S[1-5]))?$"

TRIAGE_LEVELS = ("emergency", "urgent", "soon", "routine")

ROOT_LEVELS = ("L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4")
ROOT_SITES = tuple(f"root:{level}" for level in ROOT_LEVELS)
NERVE_SITES = (
    "nerve:iliohypogastric", "nerve:ilioinguinal", "nerve:genitofemoral",
    "nerve:lateral_femoral_cutaneous", "nerve:femoral", "nerve:saphenous", "nerve:obturator",
    "nerve:superior_gluteal", "nerve:inferior_gluteal", "nerve:posterior_femoral_cutaneous",
    "nerve:sciatic", "nerve:common_peroneal", "nerve:deep_peroneal",
    "nerve:superficial_peroneal", "nerve:tibial", "nerve:sural", "nerve:pudendal",
)
PLEXUS_SITES = ("plexus:lumbar", "plexus:lumbosacral_trunk", "plexus:sacral", "plexus:lumbosacral")
SITES = (
    *ROOT_SITES, "polyradiculopathy", "cauda_equina", "conus_medullaris", "spinal_cord",
    *PLEXUS_SITES, *NERVE_SITES, "polyneuropathy", "no_neurological_lesion",
)

CAUSES = (
    "trauma", "neoplastic", "diabetic_radiculoplexus_neuropathy",
    "nondiabetic_radiculoplexus_neuropathy", "vasculitis", "iatrogenic_surgical", "obstetric",
    "retroperitoneal_hematoma", "radiation_plexopathy", "infection_abscess",
    "degenerative_spine", "compressive_entrapment", "pelvic_mass_compression",
    "injection_injury", "diabetic_or_metabolic_polyneuropathy", "toxic_or_nutritional",
    "musculoskeletal_or_non_neurological", "ischemic_vascular", "idiopathic_or_unknown",
    # added (contract allows additions): muscle compartment syndrome or crush injury
    "compartment_syndrome_or_crush",
)

WORKUP_TESTS = (
    "mri_pelvis_plexus", "mri_lumbar_spine", "ct_pelvis", "ct_abdomen_pelvis", "pet_ct",
    "emg_ncs", "hba1c", "fasting_glucose", "esr", "crp", "autoimmune_panel", "tumor_markers",
    "ultrasound_nerve", "coagulation_profile", "blood_cultures", "post_void_residual",
    # 1.1
    "mri_whole_spine", "mri_knee", "hip_imaging", "ankle_brachial_index", "ck", "renal_function",
    "vascular_surgery_review",
)
WORKUP_PRIORITIES = ("emergency", "high", "medium", "low")
WORKUP_WHEN = ("immediately", "within_24h", "within_2_weeks", "routine")

# Findings that belong to the midline: they take `bilateral` or no side (case-format §1),
# except the perineal skin regions, which revision 1.1 lets a case record on one side.
MIDLINE_REGIONS = ("saddle", "genital")
MIDLINE_REFLEXES = ("anal_wink",)
MIDLINE_SIGNS = ("sphincter_tone_reduced",)
MIDLINE_SYMPTOMS = ("bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction")

# Keys an evaluation case file may carry beside the case itself (case-format §6).
EVALUATION_KEYS = ("expected", "teaching", "source", "source_kind")
